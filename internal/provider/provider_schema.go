package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Schema describes the provider configuration: one backend block and the request settings.
func (p *camundaProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	sibling := func(name string) path.Expression { return path.MatchRelative().AtParent().AtName(name) }
	resp.Schema = schema.Schema{
		MarkdownDescription: "Takes and tracks the backups of Camunda 8 Self-Managed web applications " +
			"(Operate and Tasklist data in Elasticsearch), and whole Camunda backups (web applications, Optimize, Zeebe). " +
			"Configure one backend: the `actuator` block " +
			"talks to a running web application's backup API, the `elasticsearch` block drives Elasticsearch " +
			"snapshots directly. When neither block is present, the backend is taken from the environment: `" +
			envActuatorURL + "` selects the actuator, `" + envESURL + "` selects Elasticsearch (setting both is an error). " +
			"Environment variables fill every attribute the configuration leaves out; a configured value wins.",
		Attributes: map[string]schema.Attribute{
			"request_timeout": schema.StringAttribute{
				MarkdownDescription: "How long one HTTP request to the backend may take, as a duration such as `30s`. Defaults to `30s`. " +
					"A request that times out is retried like a connection error, on the next of the elasticsearch block's `urls` " +
					"when there are several. Requests that wait for a snapshot or a restore by design are bounded by the timeouts " +
					"of the resource or action instead.",
				Optional:   true,
				Validators: []validator.String{validDuration()},
			},
			"retries": schema.Int64Attribute{
				MarkdownDescription: "How many times a request is retried when the backend cannot be reached " +
					"(connection errors, 502, 503, 504). Defaults to `3`; `0` disables retries.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, 10)},
			},
			"retry_max_wait": schema.StringAttribute{
				MarkdownDescription: "The longest wait between two retries, as a duration such as `5s`. Defaults to `5s`. " +
					"The wait before each retry is random and its ceiling doubles from one retry to the next, up to this.",
				Optional:   true,
				Validators: []validator.String{validDuration()},
			},
		},
		Blocks: map[string]schema.Block{
			backendActuator: schema.SingleNestedBlock{
				MarkdownDescription: "Talk to the backup API of a running web application (its management port, " +
					"9600 by default) or of the reference backup server. With an `elasticsearch` block beside it, the actuator stays " +
					"the backend and the `elasticsearch` block only gives the whole backup (`camunda_backup`) the direct access " +
					"its zeebe-record snapshot needs.",
				Attributes: map[string]schema.Attribute{
					"url": schema.StringAttribute{
						MarkdownDescription: "Base URL of the management server, e.g. `http://localhost:9600`. Environment: `" + envActuatorURL + "`.",
						Optional:            true,
						Validators:          []validator.String{validActuatorURL()},
					},
					"endpoint": schema.StringAttribute{
						MarkdownDescription: "The actuator endpoint: `backupHistory` (Camunda 8.8 and later, the default) or " +
							"`backups` (earlier versions and standalone web applications).",
						Optional:   true,
						Validators: []validator.String{stringvalidator.OneOf("backupHistory", "backups")},
					},
					"username": schema.StringAttribute{
						MarkdownDescription: "User for HTTP basic authentication, when the management port sits behind a proxy. Environment: `" + envActuatorUsername + "`.",
						Optional:            true,
						Validators:          []validator.String{stringvalidator.ConflictsWith(sibling("token"))},
					},
					"password": schema.StringAttribute{
						MarkdownDescription: "Password for HTTP basic authentication. Environment: `" + envActuatorPassword + "`.",
						Optional:            true,
						Sensitive:           true,
						Validators:          []validator.String{stringvalidator.ConflictsWith(sibling("token"))},
					},
					"token": schema.StringAttribute{
						MarkdownDescription: "Bearer token sent as `Authorization: Bearer ...`. Environment: `" + envActuatorToken + "`.",
						Optional:            true,
						Sensitive:           true,
					},
					"optimize_url": schema.StringAttribute{
						MarkdownDescription: "Base URL of Optimize's management server (port 8092 by default), e.g. `http://optimize:8092`. " +
							"Only the whole backup (`camunda_backup`) uses it: with it every set has an Optimize part, without it none. " +
							"Environment: `" + envOptimizeURL + "`.",
						Optional:   true,
						Validators: []validator.String{validActuatorURL()},
					},
					"zeebe_url": schema.StringAttribute{
						MarkdownDescription: "Base URL of Zeebe's management server, for the whole backup (`camunda_backup`): Zeebe's " +
							"backups, exporting control and partitions. Defaults to `url` (Camunda 8.8's orchestration cluster serves " +
							"the web applications and Zeebe on one port); set it where Zeebe runs apart (a standalone broker or " +
							"gateway). It uses the same credentials as `url`. Environment: `" + envZeebeURL + "`.",
						Optional:   true,
						Validators: []validator.String{validActuatorURL()},
					},
					"repository": schema.StringAttribute{
						MarkdownDescription: "Name of the Elasticsearch snapshot repository the web applications are configured with. " +
							"It is exposed in state and data sources so that a restore can be planned from Terraform alone. The backup " +
							"API does not report it, so it is checked only when an `elasticsearch` block sits beside this one: it then " +
							"defaults to that block's `repository`, must not differ from it, and the `camunda_webapp_backup` data source " +
							"checks that the backup's snapshots are there. Environment: `" + envRepository + "`.",
						Optional: true,
					},
				},
			},
			backendElasticsearch: schema.SingleNestedBlock{
				MarkdownDescription: "Drive Elasticsearch snapshots directly, exactly as the web applications do, " +
					"without a running web application. Beside an `actuator` block it is not the backend: it then only gives the " +
					"whole backup (`camunda_backup`) direct access to Elasticsearch for the zeebe-record snapshot.",
				Attributes: map[string]schema.Attribute{
					"urls": schema.ListAttribute{
						MarkdownDescription: "Elasticsearch URLs, e.g. `[\"https://es:9200\"]`. Environment: `" + envESURL + "` (comma-separated).",
						ElementType:         types.StringType,
						Optional:            true,
						Validators:          []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(validURL())},
					},
					"username": schema.StringAttribute{
						MarkdownDescription: "User for basic authentication. Environment: `" + envESUsername + "`.",
						Optional:            true,
						Validators:          []validator.String{stringvalidator.ConflictsWith(sibling("api_key"))},
					},
					"password": schema.StringAttribute{
						MarkdownDescription: "Password for basic authentication. Environment: `" + envESPassword + "`.",
						Optional:            true,
						Sensitive:           true,
						Validators:          []validator.String{stringvalidator.ConflictsWith(sibling("api_key"))},
					},
					"api_key": schema.StringAttribute{
						MarkdownDescription: "API key (the base64 `id:key` form). Environment: `" + envESAPIKey + "`.",
						Optional:            true,
						Sensitive:           true,
					},
					"ca_file": schema.StringAttribute{
						MarkdownDescription: "Path of a PEM file of CA certificates to trust. Environment: `" + envESCAFile + "`.",
						Optional:            true,
						Validators:          []validator.String{stringvalidator.ConflictsWith(sibling("ca_pem"))},
					},
					"ca_pem": schema.StringAttribute{
						MarkdownDescription: "PEM-encoded CA certificates to trust, inline.",
						Optional:            true,
					},
					"insecure": schema.BoolAttribute{
						MarkdownDescription: "Skip TLS certificate verification. Defaults to `false`; for tests only.",
						Optional:            true,
					},
					"repository": schema.StringAttribute{
						MarkdownDescription: "Name of the Elasticsearch snapshot repository (Camunda's `backup.repositoryName`). " +
							"Required here or in `" + envRepository + "`.",
						Optional: true,
					},
					"index_prefix": schema.StringAttribute{
						MarkdownDescription: "Camunda's `indexPrefix`, when the indices are not named `operate-...` and `tasklist-...`. Environment: `" + envIndexPrefix + "`.",
						Optional:            true,
					},
					"version": schema.StringAttribute{
						MarkdownDescription: "Web-application version written into the snapshot names, e.g. `8.8.0`. Must not contain `_`.",
						Optional:            true,
						Validators:          []validator.String{stringvalidator.RegexMatches(noUnderscore, "must not contain '_'")},
					},
					"zeebe_records_index_prefix": schema.StringAttribute{
						MarkdownDescription: "The legacy Elasticsearch exporter's index prefix (its `index.prefix`), for the zeebe-record " +
							"snapshot of the whole backup (`camunda_backup` with `zeebe_records`): the snapshot holds `<prefix>_*`, the " +
							"exporter's indices. Defaults to `zeebe-record`. Environment: `" + envRecordsPrefix + "`.",
						Optional: true,
					},
					"incomplete_check_timeout": schema.StringAttribute{
						MarkdownDescription: "How long after its last part ended a backup that lacks parts still reads `IN_PROGRESS` " +
							"before it reads `INCOMPLETE`, as a duration; Camunda's `incompleteCheckTimeoutInSeconds`. Defaults to `5m`.",
						Optional:   true,
						Validators: []validator.String{validDuration()},
					},
				},
			},
		},
	}
}

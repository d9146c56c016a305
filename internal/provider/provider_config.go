package provider

import (
	"cmp"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/records"
)

// The environment variables that fill what the provider configuration leaves out.
const (
	envActuatorURL      = "CAMUNDA_ACTUATOR_URL"
	envActuatorToken    = "CAMUNDA_ACTUATOR_TOKEN"
	envActuatorUsername = "CAMUNDA_ACTUATOR_USERNAME"
	envActuatorPassword = "CAMUNDA_ACTUATOR_PASSWORD"
	envESURL            = "ELASTICSEARCH_URL"
	envESUsername       = "ELASTICSEARCH_USERNAME"
	envESPassword       = "ELASTICSEARCH_PASSWORD"
	envESAPIKey         = "ELASTICSEARCH_API_KEY"
	envESCAFile         = "ELASTICSEARCH_CA_FILE"
	envRepository       = "CAMUNDA_BACKUP_REPOSITORY"
	envIndexPrefix      = "CAMUNDA_INDEX_PREFIX"
	envOptimizeURL      = "CAMUNDA_OPTIMIZE_URL"
	envZeebeURL         = "CAMUNDA_ZEEBE_URL"
	envRecordsPrefix    = "CAMUNDA_ZEEBE_RECORDS_INDEX_PREFIX"
)

// Defaults of the provider-level settings.
const (
	defaultRequestTimeout = 30 * time.Second
	defaultRetries        = 3
	defaultRetryMaxWait   = 5 * time.Second
	defaultEndpoint       = "backupHistory"
)

// The two backends a provider can talk to.
const (
	backendActuator      = "actuator"
	backendElasticsearch = "elasticsearch"
)

// providerModel is the provider configuration as written in HCL.
type providerModel struct {
	Actuator       *actuatorModel      `tfsdk:"actuator"`
	Elasticsearch  *elasticsearchModel `tfsdk:"elasticsearch"`
	RequestTimeout types.String        `tfsdk:"request_timeout"`
	Retries        types.Int64         `tfsdk:"retries"`
	RetryMaxWait   types.String        `tfsdk:"retry_max_wait"`
}

type actuatorModel struct {
	URL        types.String `tfsdk:"url"`
	Endpoint   types.String `tfsdk:"endpoint"`
	Username   types.String `tfsdk:"username"`
	Password   types.String `tfsdk:"password"`
	Token      types.String `tfsdk:"token"`
	Repository types.String `tfsdk:"repository"`
	// OptimizeURL and ZeebeURL are the management URLs of Optimize and of Zeebe (when it
	// runs apart from the web applications), for the whole backup (camunda_backup).
	OptimizeURL types.String `tfsdk:"optimize_url"`
	ZeebeURL    types.String `tfsdk:"zeebe_url"`
}

type elasticsearchModel struct {
	URLs        types.List   `tfsdk:"urls"`
	Username    types.String `tfsdk:"username"`
	Password    types.String `tfsdk:"password"`
	APIKey      types.String `tfsdk:"api_key"`
	CAFile      types.String `tfsdk:"ca_file"`
	CAPEM       types.String `tfsdk:"ca_pem"`
	Insecure    types.Bool   `tfsdk:"insecure"`
	Repository  types.String `tfsdk:"repository"`
	IndexPrefix types.String `tfsdk:"index_prefix"`
	Version     types.String `tfsdk:"version"`
	Incomplete  types.String `tfsdk:"incomplete_check_timeout"`
	// RecordsPrefix is the legacy exporter's index prefix, for the zeebe-record snapshot.
	RecordsPrefix types.String `tfsdk:"zeebe_records_index_prefix"`
}

// settings is the provider configuration resolved against the environment and checked: what a
// backend client is built from.
type settings struct {
	backend        string
	actuator       actuatorSettings
	elasticsearch  elasticsearchSettings
	requestTimeout time.Duration
	retries        int
	retryMaxWait   time.Duration
	// recordsES is true when the elasticsearch block sits beside the actuator block: it
	// then gives the whole backup its direct Elasticsearch access (the zeebe-record
	// snapshot), and the actuator stays the backend.
	recordsES bool
}

type actuatorSettings struct {
	url, endpoint, username, password, token, repository string
	// optimizeURL is Optimize's management URL (empty: no Optimize); zeebeURL is Zeebe's
	// (empty: url).
	optimizeURL, zeebeURL string
}

type elasticsearchSettings struct {
	urls                         []string
	username, password, apiKey   string
	caPEM                        []byte
	insecure                     bool
	repository, indexPrefix, ver string
	incompleteAfter              time.Duration
	// recordsPrefix is the legacy exporter's index prefix (never empty once resolved).
	recordsPrefix string
}

// getenv reads an environment variable; tests pass their own.
type getenv func(string) string

// chooseBackend decides which backend the configuration names: the block that is present, or,
// when no block is, the one backend whose URL variable is set in the environment.
func chooseBackend(m providerModel, env getenv) (string, diag.Diagnostics) {
	var diags diag.Diagnostics
	switch {
	case m.Actuator != nil:
		// With both blocks, the actuator is the backend and the elasticsearch block gives
		// the whole backup its direct Elasticsearch access (the zeebe-record snapshot).
		return backendActuator, diags
	case m.Elasticsearch != nil:
		return backendElasticsearch, diags
	}
	fromActuator, fromES := env(envActuatorURL) != "", env(envESURL) != ""
	switch {
	case fromActuator && fromES:
		diags.AddError("Ambiguous Backend",
			fmt.Sprintf("Both %s and %s are set and the provider configuration has neither an actuator nor an elasticsearch block. Add the block of the backend to use.", envActuatorURL, envESURL))
	case fromActuator:
		return backendActuator, diags
	case fromES:
		return backendElasticsearch, diags
	default:
		diags.AddError("No Backend Configured",
			fmt.Sprintf("Configure an actuator block (the web application's management API) or an elasticsearch block (Elasticsearch snapshots directly), or set %s or %s.", envActuatorURL, envESURL))
	}
	return "", diags
}

// resolve turns the configuration and the environment into checked settings. A configured value
// wins over the environment; every error names the attribute at fault.
func resolve(m providerModel, env getenv) (settings, diag.Diagnostics) {
	var s settings
	diags := checkKnown(m)
	if diags.HasError() {
		return s, diags
	}
	s.backend, diags = chooseBackend(m, env)
	if diags.HasError() {
		return s, diags
	}
	s.requestTimeout = durationOr(m.RequestTimeout, defaultRequestTimeout, path.Root("request_timeout"), &diags)
	s.retryMaxWait = durationOr(m.RetryMaxWait, defaultRetryMaxWait, path.Root("retry_max_wait"), &diags)
	s.retries = defaultRetries
	if !m.Retries.IsNull() {
		s.retries = int(m.Retries.ValueInt64())
	}
	switch s.backend {
	case backendActuator:
		s.actuator = resolveActuator(m.Actuator, env, &diags)
		if m.Elasticsearch != nil {
			s.recordsES = true
			s.elasticsearch = resolveElasticsearch(m.Elasticsearch, env, &diags)
			switch a, e := &s.actuator, s.elasticsearch; {
			case a.repository == "":
				a.repository = e.repository
			case e.repository != "" && a.repository != e.repository:
				diags.AddAttributeError(path.Root(backendActuator).AtName("repository"), "Conflicting Snapshot Repositories",
					fmt.Sprintf("The actuator block names repository %q and the elasticsearch block %q: both are the repository the web "+
						"applications back up to (Camunda's backup.repositoryName). Set it once, in the elasticsearch block.", a.repository, e.repository))
			}
		}
	case backendElasticsearch:
		s.elasticsearch = resolveElasticsearch(m.Elasticsearch, env, &diags)
	}
	return s, diags
}

func resolveActuator(m *actuatorModel, env getenv, diags *diag.Diagnostics) actuatorSettings {
	if m == nil {
		m = &actuatorModel{}
	}
	at := func(name string) path.Path { return path.Root(backendActuator).AtName(name) }
	a := actuatorSettings{
		url:         valueOrEnv(m.URL, env, envActuatorURL),
		endpoint:    m.Endpoint.ValueString(),
		username:    valueOrEnv(m.Username, env, envActuatorUsername),
		password:    valueOrEnv(m.Password, env, envActuatorPassword),
		token:       valueOrEnv(m.Token, env, envActuatorToken),
		repository:  valueOrEnv(m.Repository, env, envRepository),
		optimizeURL: valueOrEnv(m.OptimizeURL, env, envOptimizeURL),
		zeebeURL:    valueOrEnv(m.ZeebeURL, env, envZeebeURL),
	}
	for name, u := range map[string]string{"optimize_url": a.optimizeURL, "zeebe_url": a.zeebeURL} {
		if u == "" {
			continue
		}
		if err := checkActuatorURL(u); err != nil {
			diags.AddAttributeError(at(name), "Invalid Component URL", err.Error()+".")
		}
	}
	if a.endpoint == "" {
		a.endpoint = defaultEndpoint
	}
	if err := checkActuatorURL(a.url); err != nil {
		diags.AddAttributeError(at("url"), "Invalid Actuator URL", fmt.Sprintf("%s (set url or %s).", err, envActuatorURL))
	}
	if a.token != "" && (a.username != "" || a.password != "") {
		diags.AddAttributeError(at("token"), "Conflicting Actuator Credentials",
			"Use either a bearer token or a username and password, not both (the environment may have supplied one of them).")
	}
	if a.password != "" && a.username == "" {
		diags.AddAttributeError(at("username"), "Missing Actuator Username", "A password is set without a username.")
	}
	return a
}

func resolveElasticsearch(m *elasticsearchModel, env getenv, diags *diag.Diagnostics) elasticsearchSettings {
	if m == nil {
		m = &elasticsearchModel{}
	}
	at := func(name string) path.Path { return path.Root(backendElasticsearch).AtName(name) }
	e := elasticsearchSettings{
		username:    valueOrEnv(m.Username, env, envESUsername),
		password:    valueOrEnv(m.Password, env, envESPassword),
		apiKey:      valueOrEnv(m.APIKey, env, envESAPIKey),
		insecure:    m.Insecure.ValueBool(),
		repository:  valueOrEnv(m.Repository, env, envRepository),
		indexPrefix: valueOrEnv(m.IndexPrefix, env, envIndexPrefix),
		ver:         m.Version.ValueString(),
	}
	e.recordsPrefix = valueOrEnv(m.RecordsPrefix, env, envRecordsPrefix)
	if m.RecordsPrefix.IsNull() {
		e.recordsPrefix = cmp.Or(e.recordsPrefix, backupapi.ZeebeRecordsIndexPrefix)
	}
	if err := records.CheckIndexPrefix(e.recordsPrefix); err != nil {
		diags.AddAttributeError(at("zeebe_records_index_prefix"), "Invalid Index Prefix", err.Error()+".")
	}
	e.incompleteAfter = durationOr(m.Incomplete, 0, at("incomplete_check_timeout"), diags)
	if !m.URLs.IsNull() {
		for _, u := range m.URLs.Elements() {
			if s, ok := u.(types.String); ok {
				e.urls = append(e.urls, s.ValueString())
			}
		}
	} else if list := env(envESURL); list != "" {
		for u := range strings.SplitSeq(list, ",") {
			if u = strings.TrimSpace(u); u != "" {
				e.urls = append(e.urls, u)
			}
		}
	}
	if len(e.urls) == 0 {
		diags.AddAttributeError(at("urls"), "Missing Elasticsearch URL", fmt.Sprintf("Set urls or %s (a comma-separated list).", envESURL))
	}
	for _, u := range e.urls {
		if err := checkURL(u); err != nil {
			diags.AddAttributeError(at("urls"), "Invalid Elasticsearch URL", err.Error())
		}
	}
	if e.repository == "" {
		diags.AddAttributeError(at("repository"), "Missing Snapshot Repository",
			fmt.Sprintf("Set repository or %s to the name of the Elasticsearch snapshot repository the web applications back up to.", envRepository))
	}
	if e.apiKey != "" && (e.username != "" || e.password != "") {
		diags.AddAttributeError(at("api_key"), "Conflicting Elasticsearch Credentials",
			"Use either an API key or a username and password, not both (the environment may have supplied one of them).")
	}
	switch caFile := valueOrEnv(m.CAFile, env, envESCAFile); {
	case !m.CAPEM.IsNull():
		e.caPEM = []byte(m.CAPEM.ValueString())
	case caFile != "":
		pem, err := os.ReadFile(caFile)
		if err != nil {
			diags.AddAttributeError(at("ca_file"), "Unreadable CA File", fmt.Sprintf("Reading the CA certificate file: %s.", err))
		}
		e.caPEM = pem
	}
	return e
}

// valueOrEnv returns the configured value, or the environment variable when none is configured.
func valueOrEnv(v types.String, env getenv, name string) string {
	if !v.IsNull() {
		return v.ValueString()
	}
	return env(name)
}

// durationOr parses a configured duration, or returns def when none is configured.
func durationOr(v types.String, def time.Duration, p path.Path, diags *diag.Diagnostics) time.Duration {
	if v.IsNull() {
		return def
	}
	d, err := parsePositiveDuration(v.ValueString())
	if err != nil {
		diags.AddAttributeError(p, "Invalid Duration", err.Error())
	}
	return d
}

// checkKnown reports configuration values that are unknown until apply: the provider needs them
// to talk to its backend during plan.
func checkKnown(m providerModel) diag.Diagnostics {
	values := map[string]interface{ IsUnknown() bool }{
		"request_timeout": m.RequestTimeout, "retries": m.Retries, "retry_max_wait": m.RetryMaxWait,
	}
	if a := m.Actuator; a != nil {
		for name, v := range map[string]types.String{"url": a.URL, "endpoint": a.Endpoint, "username": a.Username,
			"password": a.Password, "token": a.Token, "repository": a.Repository,
			"optimize_url": a.OptimizeURL, "zeebe_url": a.ZeebeURL} {
			values[backendActuator+"."+name] = v
		}
	}
	if e := m.Elasticsearch; e != nil {
		for name, v := range map[string]interface{ IsUnknown() bool }{"urls": e.URLs, "username": e.Username,
			"password": e.Password, "api_key": e.APIKey, "ca_file": e.CAFile, "ca_pem": e.CAPEM, "insecure": e.Insecure,
			"repository": e.Repository, "index_prefix": e.IndexPrefix, "version": e.Version,
			"incomplete_check_timeout": e.Incomplete, "zeebe_records_index_prefix": e.RecordsPrefix} {
			values[backendElasticsearch+"."+name] = v
		}
	}
	var diags diag.Diagnostics
	for name, v := range values {
		if v.IsUnknown() {
			p := path.Empty()
			for step := range strings.SplitSeq(name, ".") {
				p = p.AtName(step)
			}
			diags.AddAttributeError(p, "Unknown Provider Configuration",
				"The provider needs this value to reach its backend during plan, but it is only known after apply. Set it to a value known at plan time.")
		}
	}
	return diags
}

// Package provider is the Terraform provider for the backups of Camunda 8 Self-Managed web
// applications: the camunda_webapp_backup resource and the camunda_webapp_backup(s) data
// sources, over either the web applications' actuator API or Elasticsearch directly.
package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

var (
	_ provider.Provider                   = &camundaProvider{}
	_ provider.ProviderWithValidateConfig = &camundaProvider{}
	_ provider.ProviderWithActions        = &camundaProvider{}
	_ provider.ProviderWithListResources  = &camundaProvider{}
)

// camundaProvider is the camunda provider.
type camundaProvider struct {
	version string
	env     getenv
	// configured is the backend of the last successful Configure, for the reads that the
	// protocol server answers itself (webapp_backup_protocol.go).
	configured configuredBackend
}

// newWithEnv returns the constructor of the framework provider for a release version, with the
// environment lookup injected. The provider is served through NewProtocol6Server.
func newWithEnv(version string, env getenv) func() provider.Provider {
	return func() provider.Provider { return &camundaProvider{version: version, env: env} }
}

// Metadata names the provider.
func (p *camundaProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "camunda"
	resp.Version = p.version
}

// ValidateConfig checks what the configuration alone decides: at most one backend block.
// Whether a backend is configured at all may depend on the environment, which terraform
// validate must not need (CI jobs validate without secrets), so Configure checks that.
func (p *camundaProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var m providerModel
	if diags := req.Config.Get(ctx, &m); diags.HasError() {
		return // unknown blocks: checked again in Configure
	}
	if m.Actuator != nil || m.Elasticsearch != nil {
		_, diags := chooseBackend(m, func(string) string { return "" })
		resp.Diagnostics.Append(diags...)
	}
}

// Configure resolves the configuration against the environment and builds the backend client
// that the resources and data sources share.
func (p *camundaProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	p.configured.Store(nil) // until this configuration has succeeded
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	s, diags := resolve(m, p.env)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	b, err := newBackend(s)
	if err != nil {
		resp.Diagnostics.AddError("Cannot Configure the Backup Client", err.Error())
		return
	}
	tflog.Debug(ctx, "configured backup backend", map[string]any{
		"backend": s.backend, "repository": b.repository, "request_timeout": s.requestTimeout.String(), "retries": s.retries,
	})
	p.configured.Store(b)
	resp.ResourceData = b
	resp.DataSourceData = b
	resp.ActionData = b
	resp.ListResourceData = b
}

// Actions lists the provider's actions (Terraform 1.14 and later).
func (p *camundaProvider) Actions(context.Context) []func() action.Action {
	return []func() action.Action{newBackupSetAction, newWebappBackupAction, newWebappRestoreAction}
}

// ListResources lists the provider's list resources, for terraform query (Terraform 1.14 and
// later).
func (p *camundaProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{newBackupSetListResource, newWebappBackupListResource}
}

// Resources lists the provider's resources.
func (p *camundaProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{newBackupSetResource, newWebappBackupResource}
}

// DataSources lists the provider's data sources.
func (p *camundaProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{newBackupsDataSource, newWebappBackupDataSource, newWebappBackupsDataSource}
}

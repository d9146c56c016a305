package provider

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/defaults"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/numberplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// A plan of a configuration with many backups calls, for every camunda_webapp_backup,
// ValidateResourceConfig, UpgradeResourceState, ReadResource and PlanResourceChange. Through the
// framework each call converts the values along every attribute path of the schema, many times
// the work of the resource itself: a plan of 100 backups cost half again as much as a plan of
// 100 resources of the smallest framework provider (BENCHMARKS.md). The protocol server below
// answers those four calls for camunda_webapp_backup itself in the cases a plan of unchanged
// backups makes (current state version, no private state, nothing to plan), with the same
// answers the framework gives (TestProtocolServerAnswersAsTheFramework compares them), and
// hands every other call and every other case to the framework. The refresh itself is the
// resource's (webappBackupResource.refresh), written once for both.

// frameworkServer is what the framework's protocol server implements: the provider server
// with list resources and actions.
type frameworkServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ListResourceServer
	tfprotov6.ActionServer
}

// NewProtocol6Server returns the constructor of the provider's protocol version 6 server for a
// release version: the framework's, with the calls a plan makes for every
// camunda_webapp_backup answered directly.
func NewProtocol6Server(version string) func() (tfprotov6.ProviderServer, error) {
	return newProtocol6Server(version, os.Getenv)
}

// newProtocol6Server is NewProtocol6Server with the environment lookup injected.
func newProtocol6Server(version string, env getenv) func() (tfprotov6.ProviderServer, error) {
	return func() (tfprotov6.ProviderServer, error) {
		p := &camundaProvider{version: version, env: env}
		fw, err := providerserver.NewProtocol6WithError(p)()
		if err != nil {
			return nil, err
		}
		framework, ok := fw.(frameworkServer)
		if !ok {
			return nil, fmt.Errorf("the framework's protocol server (%T) serves no list resources or actions", fw)
		}
		return newBackupProtocolServer(framework, p)
	}
}

// backupProtocolServer is the framework's protocol server with camunda_webapp_backup's
// validate, upgrade, read and plan of unchanged backups answered without it.
type backupProtocolServer struct {
	frameworkServer
	provider *camundaProvider
	shape    webappBackupShape
	// answered counts the calls answered without the framework (tests assert on it).
	answered atomic.Int64
}

// newBackupProtocolServer wraps the framework's server of provider p.
func newBackupProtocolServer(fw frameworkServer, p *camundaProvider) (*backupProtocolServer, error) {
	shape, err := shapeOfWebappBackup(context.Background())
	if err != nil {
		return nil, err
	}
	return &backupProtocolServer{frameworkServer: fw, provider: p, shape: shape}, nil
}

// webappBackupTypeName is the resource type the server answers itself.
const webappBackupTypeName = "camunda_webapp_backup"

// webappBackupShape is what the protocol server needs of camunda_webapp_backup's schema,
// taken from the schema itself so that the two cannot drift apart.
type webappBackupShape struct {
	version      int64
	state        tftypes.Object
	identity     tftypes.Type
	required     []string                      // attributes a configuration must set
	computedOnly []string                      // attributes a configuration cannot set
	blocks       []string                      // blocks: validated by the framework when configured
	defaults     map[string]tftypes.Value      // attributes with a default, and the default
	validators   map[string][]validator.Number // number attributes' validators
	unsupported  string                        // why the schema is beyond this server, if it is
}

// The plan modifiers and validators whose rules the protocol server knows: the modifiers
// change nothing in the plan of an unchanged resource (no unknown value to fill, no changed
// value to replace), and the validator reads only its own attribute. Any other one, a
// deprecated attribute or a resource-level validation makes the server hand every call of the
// resource to the framework, rather than answer without its rules.
var (
	knownPlanModifiers = []any{
		stringplanmodifier.UseStateForUnknown(), listplanmodifier.UseStateForUnknown(), numberplanmodifier.RequiresReplace(),
	}
	knownValidators = []any{backupIDValidator{}}
)

// known tells whether every element of list has the type of one in known.
func known[T any](list []T, known []any) bool {
	for _, e := range list {
		if !slices.ContainsFunc(known, func(k any) bool { return reflect.TypeOf(k) == reflect.TypeOf(e) }) {
			return false
		}
	}
	return true
}

// shapeOfWebappBackup reads the shape from the resource's schema.
func shapeOfWebappBackup(ctx context.Context) (webappBackupShape, error) {
	r := &webappBackupResource{}
	var sr resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sr)
	var ir resource.IdentitySchemaResponse
	r.IdentitySchema(ctx, resource.IdentitySchemaRequest{}, &ir)
	if sr.Diagnostics.HasError() || ir.Diagnostics.HasError() {
		return webappBackupShape{}, fmt.Errorf("the schema of %s: %v", webappBackupTypeName, append(sr.Diagnostics, ir.Diagnostics...))
	}
	state, ok := sr.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		return webappBackupShape{}, fmt.Errorf("the schema of %s is not an object", webappBackupTypeName)
	}
	s := webappBackupShape{
		version: sr.Schema.Version, state: state, identity: ir.IdentitySchema.Type().TerraformType(ctx),
		defaults: map[string]tftypes.Value{}, validators: map[string][]validator.Number{},
	}
	var unsupported []string
	if _, ok := any(r).(resource.ResourceWithValidateConfig); ok {
		unsupported = append(unsupported, "the resource validates its configuration")
	}
	if _, ok := any(r).(resource.ResourceWithConfigValidators); ok {
		unsupported = append(unsupported, "the resource has configuration validators")
	}
	for name := range sr.Schema.Blocks {
		s.blocks = append(s.blocks, name)
	}
	for name, a := range sr.Schema.Attributes {
		switch {
		case a.IsRequired():
			s.required = append(s.required, name)
		case a.IsComputed() && !a.IsOptional():
			s.computedOnly = append(s.computedOnly, name)
		}
		if a.GetDeprecationMessage() != "" {
			unsupported = append(unsupported, name+" is deprecated")
		}
		var fine bool
		switch a := a.(type) {
		case schema.NumberAttribute:
			fine = a.Default == nil && known(a.PlanModifiers, knownPlanModifiers) && known(a.Validators, knownValidators)
			if len(a.Validators) > 0 {
				s.validators[name] = a.Validators
			}
		case schema.BoolAttribute:
			fine = len(a.Validators) == 0 && len(a.PlanModifiers) == 0
			if a.Default != nil {
				var resp defaults.BoolResponse
				a.Default.DefaultBool(ctx, defaults.BoolRequest{Path: path.Root(name)}, &resp)
				v, err := resp.PlanValue.ToTerraformValue(ctx)
				if err != nil || resp.Diagnostics.HasError() {
					return webappBackupShape{}, fmt.Errorf("the default of %s: %v %v", name, err, resp.Diagnostics)
				}
				s.defaults[name] = v
			}
		case schema.StringAttribute:
			fine = a.Default == nil && len(a.Validators) == 0 && known(a.PlanModifiers, knownPlanModifiers)
		case schema.ListAttribute:
			fine = a.Default == nil && len(a.Validators) == 0 && known(a.PlanModifiers, knownPlanModifiers)
		}
		if !fine {
			unsupported = append(unsupported, fmt.Sprintf("%s (%T) has a rule this server does not know", name, a))
		}
	}
	slices.Sort(unsupported)
	s.unsupported = strings.Join(unsupported, "; ")
	return s, nil
}

// decode reads a dynamic value of the resource's state type; ok is false for a value that is
// missing, null or undecodable, which the framework then handles.
func (s webappBackupShape) decode(dv *tfprotov6.DynamicValue) (tftypes.Value, map[string]tftypes.Value, bool) {
	if dv == nil {
		return tftypes.Value{}, nil, false
	}
	v, err := dv.Unmarshal(s.state)
	if err != nil {
		return tftypes.Value{}, nil, false
	}
	attrs, err := rawAttributes(v)
	if err != nil || attrs == nil {
		return tftypes.Value{}, nil, false
	}
	return v, attrs, true
}

// ValidateResourceConfig validates a camunda_webapp_backup configuration that sets no block
// and no computed attribute: the attributes' own validators decide. Every other
// configuration, and every other type, is validated by the framework.
func (s *backupProtocolServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	if req == nil || req.TypeName != webappBackupTypeName || s.shape.unsupported != "" {
		return s.frameworkServer.ValidateResourceConfig(ctx, req)
	}
	_, config, ok := s.shape.decode(req.Config)
	if !ok || !allNull(config, s.shape.blocks) || !allNull(config, s.shape.computedOnly) || anyNull(config, s.shape.required) {
		return s.frameworkServer.ValidateResourceConfig(ctx, req) // it explains what is missing
	}
	var diags diag.Diagnostics
	for name, validators := range s.shape.validators {
		value := types.NumberUnknown()
		if v := config[name]; v.IsKnown() {
			value = types.NumberValue(rawNumber(v))
		}
		for _, v := range validators {
			vreq := validator.NumberRequest{Path: path.Root(name), PathExpression: path.Root(name).Expression(), ConfigValue: value}
			var vresp validator.NumberResponse
			v.ValidateNumber(ctx, vreq, &vresp)
			diags.Append(vresp.Diagnostics...)
		}
	}
	s.answered.Add(1)
	return &tfprotov6.ValidateResourceConfigResponse{Diagnostics: protocolDiagnostics(ctx, diags)}, nil
}

// UpgradeResourceState answers for a camunda_webapp_backup state of the current version: a
// state whose JSON holds every attribute of the schema, each of its type or null, and nothing
// else is handed back as it is (Terraform reads a JSON value as well as a MessagePack one),
// which is the value the framework would decode from it. Any other state, and older versions
// (the resource's upgraders), go through the framework.
func (s *backupProtocolServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	if req == nil || req.TypeName != webappBackupTypeName || s.shape.unsupported != "" || req.Version != s.shape.version || req.RawState == nil ||
		req.RawState.Flatmap != nil || !jsonOfType(req.RawState.JSON, s.shape.state) {
		return s.frameworkServer.UpgradeResourceState(ctx, req)
	}
	s.answered.Add(1)
	return &tfprotov6.UpgradeResourceStateResponse{UpgradedState: &tfprotov6.DynamicValue{JSON: req.RawState.JSON}}, nil
}

// jsonOfType tells whether raw is one JSON value of type t exactly: an object has every
// attribute of t and no other, and every value is null or of its type. It reads without
// building the value.
func jsonOfType(raw []byte, t tftypes.Type) bool {
	if len(raw) == 0 {
		return false
	}
	dec := jsontext.NewDecoder(bytes.NewReader(raw))
	if !nextOfType(dec, t) {
		return false
	}
	_, err := dec.ReadToken()
	return errors.Is(err, io.EOF)
}

// nextOfType reads the decoder's next value and tells whether it is null or of type t.
func nextOfType(dec *jsontext.Decoder, t tftypes.Type) bool {
	kind := dec.PeekKind()
	if kind == 'n' {
		return dec.SkipValue() == nil
	}
	switch t := t.(type) {
	case tftypes.List:
		if kind != '[' {
			return false
		}
		if _, err := dec.ReadToken(); err != nil {
			return false
		}
		for dec.PeekKind() != ']' {
			if !nextOfType(dec, t.ElementType) {
				return false
			}
		}
		_, err := dec.ReadToken()
		return err == nil
	case tftypes.Object:
		if kind != '{' {
			return false
		}
		if _, err := dec.ReadToken(); err != nil {
			return false
		}
		seen := 0
		for dec.PeekKind() != '}' {
			name, err := dec.ReadToken()
			if err != nil {
				return false
			}
			at, ok := t.AttributeTypes[name.String()]
			if !ok || !nextOfType(dec, at) {
				return false
			}
			seen++
		}
		_, err := dec.ReadToken()
		return err == nil && seen == len(t.AttributeTypes)
	}
	switch {
	case t.Is(tftypes.String):
		return kind == '"' && dec.SkipValue() == nil
	case t.Is(tftypes.Number):
		if kind != '0' {
			return false
		}
		tok, err := dec.ReadToken()
		if err != nil {
			return false
		}
		// As the framework reads a number (a JSON number beyond big.Float's range is an
		// error it explains).
		_, _, err = big.ParseFloat(tok.String(), 10, 512, big.ToNearestEven)
		return err == nil
	case t.Is(tftypes.Bool):
		return (kind == 't' || kind == 'f') && dec.SkipValue() == nil
	}
	return false
}

// ReadResource refreshes a camunda_webapp_backup through the resource's refresh once the
// provider is configured, when there is no private state (the framework keeps its import
// marker there) and the stored identity, if any, is the backup's.
func (s *backupProtocolServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	be := s.provider.configured.Load()
	if req == nil || req.TypeName != webappBackupTypeName || s.shape.unsupported != "" || be == nil || len(req.Private) > 0 ||
		req.ProviderMeta != nil {
		return s.frameworkServer.ReadResource(ctx, req)
	}
	current, attrs, ok := s.shape.decode(req.CurrentState)
	if !ok {
		return s.frameworkServer.ReadResource(ctx, req)
	}
	id, err := backupIDOf(types.NumberValue(rawNumber(attrs["backup_id"])))
	if err != nil {
		return s.frameworkServer.ReadResource(ctx, req) // it reports the broken state
	}
	identity := identityRaw(s.shape.identity, int64(id))
	if stored, ok := s.storedIdentity(req.CurrentIdentity); !ok || (!stored.IsFullyNull() && !stored.Equal(identity)) {
		return s.frameworkServer.ReadResource(ctx, req) // it reports the changed identity
	}
	out := (&webappBackupResource{backend: be}).refresh(ctx, current)
	state, err := tfprotov6.NewDynamicValue(s.shape.state, out.State)
	if err != nil {
		return nil, fmt.Errorf("encoding the state of %s: %w", webappBackupTypeName, err)
	}
	resp := &tfprotov6.ReadResourceResponse{NewState: &state, Diagnostics: protocolDiagnostics(ctx, out.Diagnostics)}
	if out.HasID {
		data, err := tfprotov6.NewDynamicValue(s.shape.identity, identity)
		if err != nil {
			return nil, fmt.Errorf("encoding the identity of %s: %w", webappBackupTypeName, err)
		}
		resp.NewIdentity = &tfprotov6.ResourceIdentityData{IdentityData: &data}
	}
	s.answered.Add(1)
	return resp, nil
}

// storedIdentity decodes the identity Terraform sent; a missing one reads as null.
func (s *backupProtocolServer) storedIdentity(data *tfprotov6.ResourceIdentityData) (tftypes.Value, bool) {
	if data == nil || data.IdentityData == nil {
		return tftypes.NewValue(s.shape.identity, nil), true
	}
	v, err := data.IdentityData.Unmarshal(s.shape.identity)
	return v, err == nil
}

// PlanResourceChange plans a camunda_webapp_backup whose configuration changes nothing: the
// proposed state is the prior state, every default is already in it, and the backup can be
// restored (one that cannot is replaced, see ModifyPlan). The plan is then the prior state,
// with no replacement, as the framework would plan it. Creates, updates, destroys and
// replacements are planned by the framework.
func (s *backupProtocolServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	if req == nil || req.TypeName != webappBackupTypeName || s.shape.unsupported != "" || len(req.PriorPrivate) > 0 || req.ProviderMeta != nil {
		return s.frameworkServer.PlanResourceChange(ctx, req)
	}
	prior, priorAttrs, ok := s.shape.decode(req.PriorState)
	if !ok {
		return s.frameworkServer.PlanResourceChange(ctx, req)
	}
	proposed, proposedAttrs, ok := s.shape.decode(req.ProposedNewState)
	if !ok || !proposed.Equal(prior) || unrestorable(rawString(priorAttrs["state"])) {
		return s.frameworkServer.PlanResourceChange(ctx, req)
	}
	_, config, ok := s.shape.decode(req.Config)
	if !ok {
		return s.frameworkServer.PlanResourceChange(ctx, req)
	}
	for name, def := range s.shape.defaults {
		if config[name].IsNull() && !proposedAttrs[name].Equal(def) {
			return s.frameworkServer.PlanResourceChange(ctx, req) // the default changes the plan
		}
	}
	if _, ok := s.storedIdentity(req.PriorIdentity); !ok {
		return s.frameworkServer.PlanResourceChange(ctx, req) // it reports the undecodable identity
	}
	identity := req.PriorIdentity
	if identity == nil || identity.IdentityData == nil {
		data, err := tfprotov6.NewDynamicValue(s.shape.identity, tftypes.NewValue(s.shape.identity, nil))
		if err != nil {
			return nil, fmt.Errorf("encoding the identity of %s: %w", webappBackupTypeName, err)
		}
		identity = &tfprotov6.ResourceIdentityData{IdentityData: &data}
	}
	s.answered.Add(1)
	return &tfprotov6.PlanResourceChangeResponse{PlannedState: req.ProposedNewState, PlannedIdentity: identity}, nil
}

// anyNull tells whether one of the named attributes of attrs is null.
func anyNull(attrs map[string]tftypes.Value, names []string) bool {
	for _, name := range names {
		if v, ok := attrs[name]; !ok || v.IsNull() {
			return true
		}
	}
	return false
}

// allNull tells whether every named attribute of attrs is null.
func allNull(attrs map[string]tftypes.Value, names []string) bool {
	for _, name := range names {
		if v, ok := attrs[name]; ok && !v.IsNull() {
			return false
		}
	}
	return true
}

// protocolDiagnostics converts the framework's diagnostics as the framework does.
func protocolDiagnostics(ctx context.Context, diags diag.Diagnostics) []*tfprotov6.Diagnostic {
	var out []*tfprotov6.Diagnostic
	for _, d := range diags {
		pd := &tfprotov6.Diagnostic{Summary: d.Summary(), Detail: d.Detail(), Severity: tfprotov6.DiagnosticSeverityInvalid}
		switch d.Severity() {
		case diag.SeverityError:
			pd.Severity = tfprotov6.DiagnosticSeverityError
		case diag.SeverityWarning:
			pd.Severity = tfprotov6.DiagnosticSeverityWarning
		}
		if withPath, ok := d.(diag.DiagnosticWithPath); ok {
			pd.Attribute = attributePath(ctx, withPath.Path())
		}
		out = append(out, pd)
	}
	return out
}

// attributePath converts a framework path to the protocol's.
func attributePath(ctx context.Context, p path.Path) *tftypes.AttributePath {
	steps := p.Steps()
	if len(steps) == 0 {
		return nil
	}
	ap := tftypes.NewAttributePath()
	for _, step := range steps {
		switch step := step.(type) {
		case path.PathStepAttributeName:
			ap = ap.WithAttributeName(string(step))
		case path.PathStepElementKeyInt:
			ap = ap.WithElementKeyInt(int(step))
		case path.PathStepElementKeyString:
			ap = ap.WithElementKeyString(string(step))
		case path.PathStepElementKeyValue:
			v, err := step.ToTerraformValue(ctx)
			if err != nil {
				return ap
			}
			ap = ap.WithElementKeyValue(v)
		}
	}
	return ap
}

// configuredBackend is the backend of the provider's last successful configuration, for the
// protocol server's own reads.
type configuredBackend = atomic.Pointer[backend]

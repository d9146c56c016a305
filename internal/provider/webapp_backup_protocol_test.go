package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
)

// protocolPair is the provider's protocol server and the framework's server of the same
// provider, configured alike.
type protocolPair struct {
	ours      *backupProtocolServer
	framework tfprotov6.ProviderServer
	typ       tftypes.Object
	identity  tftypes.Type
	version   int64
}

func newProtocolPair(t *testing.T, b *testBackend) *protocolPair {
	t.Helper()
	ours, schemas := configuredServer(t, b, newProtocol6Server("test", noEnv))
	framework, _ := configuredServer(t, b, providerserver.NewProtocol6WithError(newWithEnv("test", noEnv)()))
	ids, err := ours.GetResourceIdentitySchemas(context.Background(), &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatal(err)
	}
	s := schemas.ResourceSchemas[webappBackupTypeName]
	return &protocolPair{
		ours: ours.(*backupProtocolServer), framework: framework, typ: s.ValueType().(tftypes.Object),
		identity: ids.IdentitySchemas[webappBackupTypeName].ValueType(), version: s.Version,
	}
}

// call sends one request to both servers and requires the same answer from each; answered
// tells whether the protocol server must have answered it without the framework.
func (p *protocolPair) call(t *testing.T, answered bool, send func(tfprotov6.ProviderServer) (any, error)) any {
	t.Helper()
	want, err := send(p.framework)
	if err != nil {
		t.Fatalf("framework: %v", err)
	}
	before := p.ours.answered.Load()
	got, err := send(p.ours)
	if err != nil {
		t.Fatalf("protocol server: %v", err)
	}
	if self := p.ours.answered.Load() > before; self != answered {
		t.Errorf("answered without the framework: %v, want %v", self, answered)
	}
	if g, w := p.normal(t, got), p.normal(t, want); g != w {
		t.Errorf("answers differ\nprotocol server: %s\nframework:       %s", g, w)
	}
	return got
}

// normal renders a response with its dynamic values decoded, so that two encodings of one
// value compare equal.
func (p *protocolPair) normal(t *testing.T, resp any) string {
	t.Helper()
	value := func(dv *tfprotov6.DynamicValue, typ tftypes.Type) string {
		if dv == nil {
			return "<none>"
		}
		v, err := dv.Unmarshal(typ)
		if err != nil {
			return "undecodable: " + err.Error()
		}
		return v.String()
	}
	identity := func(d *tfprotov6.ResourceIdentityData) string {
		if d == nil {
			return "<none>"
		}
		return value(d.IdentityData, p.identity)
	}
	diags := func(ds []*tfprotov6.Diagnostic) string {
		var out []string
		for _, d := range ds {
			out = append(out, fmt.Sprintf("%s|%s|%s|%v", d.Severity, d.Summary, d.Detail, d.Attribute))
		}
		return strings.Join(out, "; ")
	}
	switch r := resp.(type) {
	case *tfprotov6.ValidateResourceConfigResponse:
		return "diagnostics: " + diags(r.Diagnostics)
	case *tfprotov6.UpgradeResourceStateResponse:
		return fmt.Sprintf("state: %s diagnostics: %s", value(r.UpgradedState, p.typ), diags(r.Diagnostics))
	case *tfprotov6.ReadResourceResponse:
		return fmt.Sprintf("state: %s identity: %s private: %q deferred: %v diagnostics: %s",
			value(r.NewState, p.typ), identity(r.NewIdentity), r.Private, r.Deferred, diags(r.Diagnostics))
	case *tfprotov6.PlanResourceChangeResponse:
		var replace []string
		for _, a := range r.RequiresReplace {
			replace = append(replace, a.String())
		}
		return fmt.Sprintf("planned: %s identity: %s replace: %v private: %q deferred: %v diagnostics: %s",
			value(r.PlannedState, p.typ), identity(r.PlannedIdentity), replace, r.PlannedPrivate, r.Deferred, diags(r.Diagnostics))
	}
	t.Fatalf("unexpected response %T", resp)
	return ""
}

// with is a copy of object o with some attributes replaced.
func with(o tftypes.Value, values map[string]tftypes.Value) tftypes.Value {
	var shared map[string]tftypes.Value
	if err := o.As(&shared); err != nil {
		panic(err)
	}
	attrs := maps.Clone(shared) // As hands out the value's own map
	for k, v := range values {
		attrs[k] = v
	}
	return tftypes.NewValue(o.Type(), attrs)
}

// stateJSONOf is v as Terraform stores it: JSON, numbers as numbers.
func stateJSONOf(t *testing.T, v tftypes.Value) []byte {
	t.Helper()
	raw, err := json.Marshal(jsonOf(t, v))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestProtocolServerAnswersAsTheFramework sends the calls of a plan of camunda_webapp_backup to
// the provider's protocol server and to the framework's server of the same provider, and
// requires the same answers, in the cases the protocol server answers itself (which it must
// still answer itself, so that a change that hands them back to the framework is seen) and in
// those it hands to the framework.
func TestProtocolServerAnswersAsTheFramework(t *testing.T) {
	parallel(t)
	ctx := context.Background()
	b := newTestBackend(t, backendActuator)
	for _, id := range []backupapi.ID{1, 2} {
		if _, err := b.client.Create(ctx, id); err != nil {
			t.Fatal(err)
		}
		conformance.WaitForState(t, b.client, id, backupapi.StateCompleted)
	}
	p := newProtocolPair(t, b)
	down := newProtocolPair(t, &testBackend{name: backendActuator, url: closedURL(t)})

	// The state of backup 1 as a refresh writes it, and its configuration.
	imported, err := p.ours.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: webappBackupTypeName, ID: "1"})
	if err != nil || hasErrors(imported.Diagnostics) {
		t.Fatalf("import: %v %v", err, diagText(imported.Diagnostics))
	}
	read, err := p.framework.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: webappBackupTypeName, CurrentState: imported.ImportedResources[0].State})
	if err != nil || hasErrors(read.Diagnostics) {
		t.Fatalf("read: %v %v", err, diagText(read.Diagnostics))
	}
	state, err := read.NewState.Unmarshal(p.typ)
	if err != nil {
		t.Fatal(err)
	}
	config := objectOf(p.typ, map[string]tftypes.Value{"backup_id": number(1)})
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	boolean := func(v bool) tftypes.Value { return tftypes.NewValue(tftypes.Bool, v) }
	timeoutsType := p.typ.AttributeTypes["timeouts"]
	identityOf := func(id int64) *tfprotov6.ResourceIdentityData {
		return &tfprotov6.ResourceIdentityData{IdentityData: dynamic(t, p.identity, tftypes.NewValue(p.identity,
			map[string]tftypes.Value{"backup_id": number(id)}))}
	}
	privateState := []byte(`{"provider":"e30="}`) // a provider key, as the framework writes private state

	t.Run("validate", func(t *testing.T) {
		for _, c := range []struct {
			name     string
			config   tftypes.Value
			answered bool
		}{
			{"a backup id", config, true},
			{"id zero", with(config, map[string]tftypes.Value{"backup_id": number(0)}), true},
			{"a fraction", with(config, map[string]tftypes.Value{"backup_id": tftypes.NewValue(tftypes.Number, big.NewFloat(2.5))}), true},
			{"above int64", with(config, map[string]tftypes.Value{"backup_id": tftypes.NewValue(tftypes.Number, new(big.Float).SetFloat64(1e19))}), true},
			{"an unknown id", with(config, map[string]tftypes.Value{"backup_id": tftypes.NewValue(tftypes.Number, tftypes.UnknownValue)}), true},
			{"settings", with(config, map[string]tftypes.Value{"wait_for_completion": boolean(false), "delete_on_destroy": boolean(true)}), true},
			{"timeouts", with(config, map[string]tftypes.Value{"timeouts": objectOf(timeoutsType, map[string]tftypes.Value{"create": str("ten minutes")})}), false},
			{"a computed attribute", with(config, map[string]tftypes.Value{"state": str("COMPLETED")}), false},
		} {
			t.Run(c.name, func(t *testing.T) {
				p.call(t, c.answered, func(s tfprotov6.ProviderServer) (any, error) {
					return s.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: webappBackupTypeName, Config: dynamic(t, p.typ, c.config)})
				})
			})
		}
	})

	t.Run("upgrade", func(t *testing.T) {
		current := stateJSONOf(t, state)
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(current, &fields); err != nil {
			t.Fatal(err)
		}
		edit := func(change func(map[string]json.RawMessage)) []byte {
			m := map[string]json.RawMessage{}
			for k, v := range fields {
				m[k] = v
			}
			change(m)
			raw, _ := json.Marshal(m)
			return raw
		}
		for _, c := range []struct {
			name     string
			version  int64
			raw      []byte
			answered bool
		}{
			{"the current version", p.version, current, true},
			{"with timeouts", p.version, edit(func(m map[string]json.RawMessage) { m["timeouts"] = json.RawMessage(`{"create":"1h","delete":null}`) }), true},
			{"an attribute of no schema", p.version, edit(func(m map[string]json.RawMessage) { m["snapshots"] = json.RawMessage(`[]`) }), false},
			{"an attribute missing", p.version, edit(func(m map[string]json.RawMessage) { delete(m, "repository") }), false},
			{"a number as a string", p.version, edit(func(m map[string]json.RawMessage) { m["backup_id"] = json.RawMessage(`"1"`) }), false},
			{"a string as a number", p.version, edit(func(m map[string]json.RawMessage) { m["state"] = json.RawMessage(`1`) }), false},
			{"a list of numbers", p.version, edit(func(m map[string]json.RawMessage) { m["snapshot_names"] = json.RawMessage(`[1]`) }), false},
			{"a key twice", p.version, append(current[:len(current)-1:len(current)-1], []byte(`,"state":"FAILED"}`)...), false},
			{"trailing data", p.version, append(slices.Clone(current), []byte(` {}`)...), false},
			{"not JSON", p.version, []byte(`{"backup_id":`), false},
			{"version 0", 0, []byte(`{"id":"1","backup_id":1,"wait_for_completion":true,"delete_on_destroy":false,"state":"COMPLETED",` +
				`"failure_reason":null,"repository":null,"start_time":null,"end_time":null,"timeouts":null,` +
				`"snapshots":[{"name":"camunda_webapps_1_8.8.0_part_1_of_1","state":"SUCCESS","start_time":null,"failures":[]}]}`), false},
		} {
			t.Run(c.name, func(t *testing.T) {
				p.call(t, c.answered, func(s tfprotov6.ProviderServer) (any, error) {
					return s.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{
						TypeName: webappBackupTypeName, Version: c.version, RawState: &tfprotov6.RawState{JSON: c.raw},
					})
				})
			})
		}
	})

	t.Run("read", func(t *testing.T) {
		gone := with(state, map[string]tftypes.Value{"id": str("99"), "backup_id": number(99)})
		for _, c := range []struct {
			name     string
			pair     *protocolPair
			state    tftypes.Value
			identity *tfprotov6.ResourceIdentityData
			private  []byte
			answered bool
		}{
			{"a completed backup", p, state, nil, nil, true},
			{"its identity", p, state, identityOf(1), nil, true},
			{"another backup", p, with(state, map[string]tftypes.Value{"id": str("2"), "backup_id": number(2)}), identityOf(2), nil, true},
			{"a backup that is gone", p, gone, identityOf(99), nil, true},
			{"settings kept", p, with(state, map[string]tftypes.Value{"wait_for_completion": boolean(false),
				"timeouts": objectOf(timeoutsType, map[string]tftypes.Value{"create": str("1h")})}), nil, nil, true},
			{"snapshots missing from the state", p, with(state, map[string]tftypes.Value{"state": str("IN_PROGRESS"),
				"snapshot_names": tftypes.NewValue(p.typ.AttributeTypes["snapshot_names"], []tftypes.Value{})}), nil, nil, true},
			{"a backend that is down", down, state, identityOf(1), nil, true},
			{"an identity of another backup", p, state, identityOf(2), nil, false},
			{"private state", p, state, identityOf(1), privateState, false},
			{"an invalid id in the state", p, with(state, map[string]tftypes.Value{"backup_id": number(0)}), nil, nil, false},
		} {
			t.Run(c.name, func(t *testing.T) {
				c.pair.call(t, c.answered, func(s tfprotov6.ProviderServer) (any, error) {
					return s.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
						TypeName: webappBackupTypeName, CurrentState: dynamic(t, p.typ, c.state), CurrentIdentity: c.identity, Private: c.private,
					})
				})
			})
		}
	})

	t.Run("plan", func(t *testing.T) {
		null := tftypes.NewValue(p.typ, nil)
		failed := with(state, map[string]tftypes.Value{"state": str("FAILED"), "failure_reason": str("part 2 failed")})
		noWait := with(state, map[string]tftypes.Value{"wait_for_completion": boolean(false)})
		for _, c := range []struct {
			name                    string
			prior, proposed, config tftypes.Value
			identity                *tfprotov6.ResourceIdentityData
			private                 []byte
			answered                bool
		}{
			{"unchanged", state, state, config, identityOf(1), nil, true},
			{"unchanged, no identity yet", state, state, config, nil, nil, true},
			{"unchanged settings given", noWait, noWait, with(config, map[string]tftypes.Value{"wait_for_completion": boolean(false)}), identityOf(1), nil, true},
			{"a setting back to its default", noWait, noWait, config, identityOf(1), nil, false},
			{"a new backup id", state, with(state, map[string]tftypes.Value{"backup_id": number(3)}),
				with(config, map[string]tftypes.Value{"backup_id": number(3)}), identityOf(1), nil, false},
			{"a setting changed", state, with(state, map[string]tftypes.Value{"delete_on_destroy": boolean(true)}),
				with(config, map[string]tftypes.Value{"delete_on_destroy": boolean(true)}), identityOf(1), nil, false},
			{"a failed backup", failed, failed, config, identityOf(1), nil, false},
			{"a create", null, objectOf(p.typ, map[string]tftypes.Value{"backup_id": number(5)}),
				with(config, map[string]tftypes.Value{"backup_id": number(5)}), nil, nil, false},
			{"a destroy", state, null, null, identityOf(1), nil, false},
			{"private state", state, state, config, identityOf(1), privateState, false},
		} {
			t.Run(c.name, func(t *testing.T) {
				p.call(t, c.answered, func(s tfprotov6.ProviderServer) (any, error) {
					return s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
						TypeName: webappBackupTypeName, PriorState: dynamic(t, p.typ, c.prior), ProposedNewState: dynamic(t, p.typ, c.proposed),
						Config: dynamic(t, p.typ, c.config), PriorIdentity: c.identity, PriorPrivate: c.private,
					})
				})
			})
		}
	})
}

// FuzzStateHandedBackAsItIs: a state that the protocol server hands back to Terraform as it is
// must be one the framework reads, without ignoring any attribute, and one Terraform reads.
func FuzzStateHandedBackAsItIs(f *testing.F) {
	shape, err := shapeOfWebappBackup(context.Background())
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		`{"id":"1","backup_id":1,"wait_for_completion":true,"delete_on_destroy":false,"state":"COMPLETED","failure_reason":null,` +
			`"snapshot_names":["a","b"],"repository":null,"start_time":"2026-01-02T03:04:05Z","end_time":null,"timeouts":{"create":"1h","delete":null}}`,
		`{"id":null,"backup_id":9223372036854775807,"wait_for_completion":null,"delete_on_destroy":null,"state":null,"failure_reason":null,` +
			`"snapshot_names":null,"repository":null,"start_time":null,"end_time":null,"timeouts":null}`,
		`{"backup_id":1}`, `null`, `[]`, `{"id":1}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !jsonOfType(raw, shape.state) {
			return
		}
		strict := tfprotov6.UnmarshalOpts{ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: false}}
		v, err := (&tfprotov6.RawState{JSON: raw}).UnmarshalWithOpts(shape.state, strict)
		if err != nil {
			t.Fatalf("handed back %q, which the framework cannot read: %v", raw, err)
		}
		if _, err := tfprotov6.NewDynamicValue(shape.state, v); err != nil {
			t.Fatalf("handed back %q, which the framework cannot encode: %v", raw, err)
		}
		if _, err := ctyjson.Unmarshal(raw, ctyTypeOf(shape.state)); err != nil {
			t.Fatalf("handed back %q, which Terraform cannot read: %v", raw, err)
		}
	})
}

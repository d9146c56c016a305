package provider

import (
	"context"
	"fmt"
	"math/big"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
	ctymsgpack "github.com/zclconf/go-cty/cty/msgpack"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
)

// The cases below look for requests on which the provider's protocol server answers otherwise
// than the framework's server of the same provider. Each case only requires the same answer
// (whoever gives it); the message says whether the protocol server answered it itself.

// sameAnswer sends one request to both servers and requires the same answer; a panic of either
// server is an answer too.
func (p *protocolPair) sameAnswer(t *testing.T, send func(tfprotov6.ProviderServer) (any, error)) {
	t.Helper()
	answer := func(s tfprotov6.ProviderServer) (out string) {
		defer func() {
			if r := recover(); r != nil {
				out = fmt.Sprintf("panic: %v", r)
			}
		}()
		resp, err := send(s)
		if err != nil {
			return "error: " + err.Error()
		}
		return p.normal(t, resp)
	}
	want := answer(p.framework)
	before := p.ours.answered.Load()
	got := answer(p.ours)
	self := p.ours.answered.Load() > before
	if got != want {
		t.Errorf("answers differ (protocol server answered itself: %v)\nprotocol server: %s\nframework:       %s", self, got, want)
	}
}

// adversarialFixture is a pair of servers over a backend with completed backups 1 and 2, and
// the state of backup 1 as a refresh writes it.
type adversarialFixture struct {
	p     *protocolPair
	b     *testBackend
	state tftypes.Value
}

func newAdversarialFixture(t *testing.T) *adversarialFixture {
	t.Helper()
	ctx := context.Background()
	b := newTestBackend(t, backendActuator)
	for _, id := range []backupapi.ID{1, 2} {
		if _, err := b.client.Create(ctx, id); err != nil {
			t.Fatal(err)
		}
		conformance.WaitForState(t, b.client, id, backupapi.StateCompleted)
	}
	p := newProtocolPair(t, b)
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
	return &adversarialFixture{p: p, b: b, state: state}
}

// TestProtocolServerAdversarialValidate: configurations Terraform can send to
// ValidateResourceConfig, among them `backup_id = null` (or a variable that is null), which
// Terraform's own decoding lets through to the provider.
func TestProtocolServerAdversarialValidate(t *testing.T) {
	parallel(t)
	ctx := context.Background()
	f := newAdversarialFixture(t)
	p := f.p
	config := objectOf(p.typ, map[string]tftypes.Value{"backup_id": number(1)})
	for _, c := range []struct {
		name   string
		config tftypes.Value
	}{
		{"a null backup id", with(config, map[string]tftypes.Value{"backup_id": tftypes.NewValue(tftypes.Number, nil)})},
		{"a null backup id, settings given", with(config, map[string]tftypes.Value{
			"backup_id": tftypes.NewValue(tftypes.Number, nil), "delete_on_destroy": tftypes.NewValue(tftypes.Bool, true)})},
		{"settings explicitly null", with(config, map[string]tftypes.Value{
			"wait_for_completion": tftypes.NewValue(tftypes.Bool, nil), "id": tftypes.NewValue(tftypes.String, nil)})},
		{"an unknown setting", with(config, map[string]tftypes.Value{"wait_for_completion": tftypes.NewValue(tftypes.Bool, tftypes.UnknownValue)})},
		{"a negative id", with(config, map[string]tftypes.Value{"backup_id": number(-1)})},
		{"the largest id", with(config, map[string]tftypes.Value{"backup_id": tftypes.NewValue(tftypes.Number, new(big.Float).SetInt64(1<<62).SetPrec(512))})},
		{"an unknown config", tftypes.NewValue(p.typ, tftypes.UnknownValue)},
	} {
		t.Run(c.name, func(t *testing.T) {
			p.sameAnswer(t, func(s tfprotov6.ProviderServer) (any, error) {
				return s.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: webappBackupTypeName, Config: dynamic(t, p.typ, c.config)})
			})
		})
	}

	// What a plan of an existing backup makes of `backup_id = null` once validation lets it
	// through: Terraform stops a plan only on the validation's errors, then plans what the
	// provider plans.
	t.Run("a null backup id, then the plan of backup 1", func(t *testing.T) {
		nullID := with(config, map[string]tftypes.Value{"backup_id": tftypes.NewValue(tftypes.Number, nil)})
		v, err := p.ours.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: webappBackupTypeName, Config: dynamic(t, p.typ, nullID)})
		if err != nil {
			t.Fatal(err)
		}
		if hasErrors(v.Diagnostics) {
			return // Terraform stops here, as with the framework
		}
		proposed := with(f.state, map[string]tftypes.Value{"backup_id": tftypes.NewValue(tftypes.Number, nil)})
		plan, err := p.ours.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
			TypeName: webappBackupTypeName, PriorState: dynamic(t, p.typ, f.state), ProposedNewState: dynamic(t, p.typ, proposed), Config: dynamic(t, p.typ, nullID),
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Errorf("validation passed a null backup_id; the plan then replaces backup 1 (requires replace: %v, errors: %q), "+
			"and the apply destroys it before its create fails", plan.RequiresReplace, diagText(plan.Diagnostics))
	})
}

// TestProtocolServerAdversarialPlan: plan requests with identities and configurations at the
// edges.
func TestProtocolServerAdversarialPlan(t *testing.T) {
	parallel(t)
	ctx := context.Background()
	f := newAdversarialFixture(t)
	p, state := f.p, f.state
	config := objectOf(p.typ, map[string]tftypes.Value{"backup_id": number(1)})
	identityOf := func(v tftypes.Value) *tfprotov6.ResourceIdentityData {
		return &tfprotov6.ResourceIdentityData{IdentityData: dynamic(t, p.identity, tftypes.NewValue(p.identity, map[string]tftypes.Value{"backup_id": v}))}
	}
	timeouts := objectOf(p.typ.AttributeTypes["timeouts"], map[string]tftypes.Value{"create": tftypes.NewValue(tftypes.String, "1h")})
	emptyTimeouts := objectOf(p.typ.AttributeTypes["timeouts"], nil)
	timed := with(state, map[string]tftypes.Value{"timeouts": timeouts})
	emptyTimed := with(state, map[string]tftypes.Value{"timeouts": emptyTimeouts})
	legacy := with(state, map[string]tftypes.Value{"wait_for_completion": tftypes.NewValue(tftypes.Bool, nil), "delete_on_destroy": tftypes.NewValue(tftypes.Bool, nil)})
	for _, c := range []struct {
		name                    string
		prior, proposed, config tftypes.Value
		identity                *tfprotov6.ResourceIdentityData
	}{
		// Terraform sends no identity rather than one without data; the framework reads both as none.
		{"an identity without data", state, state, config, &tfprotov6.ResourceIdentityData{}},
		// Terraform never sends this; the framework reports it, the protocol server hands it back.
		{"an undecodable identity", state, state, config, &tfprotov6.ResourceIdentityData{IdentityData: &tfprotov6.DynamicValue{MsgPack: []byte{0xc1}}}},
		{"an identity of another backup", state, state, config, identityOf(number(2))},
		{"a null identity attribute", state, state, config, identityOf(tftypes.NewValue(tftypes.Number, nil))},
		{"an unknown setting in the config", state, state,
			with(config, map[string]tftypes.Value{"wait_for_completion": tftypes.NewValue(tftypes.Bool, tftypes.UnknownValue)}), nil},
		{"timeouts kept", timed, timed, with(config, map[string]tftypes.Value{"timeouts": timeouts}), identityOf(number(1))},
		{"an empty timeouts block", emptyTimed, emptyTimed, with(config, map[string]tftypes.Value{"timeouts": emptyTimeouts}), identityOf(number(1))},
		// ignore_changes = all: Terraform hands the prior values, computed ones too, as the config.
		{"ignore_changes = all", state, state, state, identityOf(number(1))},
		// A state written before the settings had defaults: the defaults change the plan.
		{"settings null in the state", legacy, legacy, config, identityOf(number(1))},
		{"a config that disagrees with the proposal", state, state,
			with(config, map[string]tftypes.Value{"backup_id": number(7), "timeouts": objectOf(p.typ.AttributeTypes["timeouts"], nil)}), nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			p.sameAnswer(t, func(s tfprotov6.ProviderServer) (any, error) {
				return s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
					TypeName: webappBackupTypeName, PriorState: dynamic(t, p.typ, c.prior), ProposedNewState: dynamic(t, p.typ, c.proposed),
					Config: dynamic(t, p.typ, c.config), PriorIdentity: c.identity,
				})
			})
		})
	}
}

// TestProtocolServerAdversarialRead: reads with identities at the edges, and after the
// provider was configured a second time and that configuration failed.
func TestProtocolServerAdversarialRead(t *testing.T) {
	parallel(t)
	ctx := context.Background()
	f := newAdversarialFixture(t)
	p, state := f.p, f.state
	identity := func(v tftypes.Value) *tfprotov6.ResourceIdentityData {
		return &tfprotov6.ResourceIdentityData{IdentityData: dynamic(t, p.identity, tftypes.NewValue(p.identity, map[string]tftypes.Value{"backup_id": v}))}
	}
	for _, c := range []struct {
		name     string
		identity *tfprotov6.ResourceIdentityData
		private  []byte
	}{
		{"an identity without data", &tfprotov6.ResourceIdentityData{}, nil},
		{"a null identity attribute", identity(tftypes.NewValue(tftypes.Number, nil)), nil},
		{"an undecodable identity", &tfprotov6.ResourceIdentityData{IdentityData: &tfprotov6.DynamicValue{MsgPack: []byte{0xc1}}}, nil},
		{"empty private state", nil, []byte{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p.sameAnswer(t, func(s tfprotov6.ProviderServer) (any, error) {
				return s.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
					TypeName: webappBackupTypeName, CurrentState: dynamic(t, p.typ, state), CurrentIdentity: c.identity, Private: c.private,
				})
			})
		})
	}

	t.Run("configured again with another backend", func(t *testing.T) {
		q := newProtocolPair(t, f.b)
		down := &testBackend{name: backendActuator, url: closedURL(t)}
		for _, s := range []tfprotov6.ProviderServer{q.framework, q.ours} {
			// configuredServer configures a fresh server; here the same server is configured again.
			schemas, err := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
			if err != nil {
				t.Fatal(err)
			}
			typ := schemas.Provider.ValueType().(tftypes.Object)
			block := objectOf(typ.AttributeTypes[backendActuator], map[string]tftypes.Value{
				"repository": tftypes.NewValue(tftypes.String, testRepository), "url": tftypes.NewValue(tftypes.String, down.url)})
			resp, err := s.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: dynamic(t, typ, objectOf(typ, map[string]tftypes.Value{backendActuator: block}))})
			if err != nil || hasErrors(resp.Diagnostics) {
				t.Fatalf("the second ConfigureProvider: %v %v", err, diagText(resp.Diagnostics))
			}
		}
		q.sameAnswer(t, func(s tfprotov6.ProviderServer) (any, error) {
			return s.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: webappBackupTypeName, CurrentState: dynamic(t, q.typ, state)})
		})
	})

	t.Run("configured again, and that failed", func(t *testing.T) {
		q := newProtocolPair(t, f.b)
		for _, s := range []tfprotov6.ProviderServer{q.framework, q.ours} {
			schemas, err := s.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
			if err != nil {
				t.Fatal(err)
			}
			typ := schemas.Provider.ValueType()
			// No backend block, and none in the environment: Configure fails.
			resp, err := s.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: dynamic(t, typ, objectOf(typ, nil))})
			if err != nil || !hasErrors(resp.Diagnostics) {
				t.Fatalf("the second ConfigureProvider should fail: %v %v", err, diagText(resp.Diagnostics))
			}
		}
		q.sameAnswer(t, func(s tfprotov6.ProviderServer) (any, error) {
			return s.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: webappBackupTypeName, CurrentState: dynamic(t, q.typ, state)})
		})
	})
}

// ctyTypeOf is the cty type of a terraform type of this schema (strings, numbers, bools, lists,
// objects).
func ctyTypeOf(t tftypes.Type) cty.Type {
	switch {
	case t.Is(tftypes.String):
		return cty.String
	case t.Is(tftypes.Number):
		return cty.Number
	case t.Is(tftypes.Bool):
		return cty.Bool
	}
	switch t := t.(type) {
	case tftypes.List:
		return cty.List(ctyTypeOf(t.ElementType))
	case tftypes.Object:
		attrs := map[string]cty.Type{}
		for name, at := range t.AttributeTypes {
			attrs[name] = ctyTypeOf(at)
		}
		return cty.Object(attrs)
	}
	panic(fmt.Sprintf("no cty type for %s", t))
}

// terraformRead is an upgrade answer as Terraform decodes it (plugin6 decodeDynamicValue):
// MessagePack or JSON into a cty value, and the diagnostics' severities and summaries.
type terraformRead struct {
	value     cty.Value
	decodeErr error
	diags     string
}

func asTerraformReads(ty cty.Type, resp *tfprotov6.UpgradeResourceStateResponse) terraformRead {
	var diags []string
	for _, d := range resp.Diagnostics {
		diags = append(diags, fmt.Sprintf("%s|%s", d.Severity, d.Summary))
	}
	out := terraformRead{value: cty.NullVal(ty), diags: fmt.Sprint(diags)}
	if dv := resp.UpgradedState; dv != nil {
		switch {
		case len(dv.MsgPack) > 0:
			out.value, out.decodeErr = ctymsgpack.Unmarshal(dv.MsgPack, ty)
		case len(dv.JSON) > 0:
			out.value, out.decodeErr = ctyjson.Unmarshal(dv.JSON, ty)
		}
	}
	return out
}

// sameForTerraform tells whether Terraform makes the same of two answers: both undecodable, or
// values equal as Terraform compares them (RawEquals), with the same diagnostics.
func (r terraformRead) sameForTerraform(o terraformRead) bool {
	if (r.decodeErr != nil) != (o.decodeErr != nil) || r.diags != o.diags {
		return false
	}
	return r.decodeErr != nil || r.value.RawEquals(o.value)
}

func (r terraformRead) String() string {
	if r.decodeErr != nil {
		return fmt.Sprintf("decode error (%v) diagnostics %s", r.decodeErr, r.diags)
	}
	return fmt.Sprintf("%#v diagnostics %s", r.value, r.diags)
}

// TestProtocolServerAdversarialUpgradeJSON: states of the current version whose JSON is at the
// edges of what the protocol server hands back as it is, compared as Terraform reads each answer.
func TestProtocolServerAdversarialUpgradeJSON(t *testing.T) {
	parallel(t)
	ctx := context.Background()
	f := newAdversarialFixture(t)
	p := f.p
	ty := ctyTypeOf(p.typ)
	state := func(backupID, id string) []byte {
		return []byte(`{"id":` + id + `,"backup_id":` + backupID + `,"wait_for_completion":true,"delete_on_destroy":false,"state":"COMPLETED",` +
			`"failure_reason":null,"snapshot_names":["a"],"repository":null,"start_time":null,"end_time":null,"timeouts":null}`)
	}
	for _, c := range []struct {
		name string
		raw  []byte
	}{
		{"null", []byte(`null`)},
		{"null with whitespace", []byte(" \n\tnull\r\n")},
		{"an exponent", state(`1e0`, `"1"`)},
		// -0 stays -0 in the JSON handed back (0 through the framework): equal for Terraform.
		{"negative zero", state(`-0`, `"1"`)},
		{"a huge exponent", state(`1e400`, `"1"`)},
		// The framework reports the state it cannot read; the JSON handed back fails in
		// Terraform's own decoding, with a bare "a number is required".
		{"beyond big.Float", state(`1e9999999999`, `"1"`)},
		{"many digits", state(`123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890`, `"1"`)},
		{"a tiny fraction", state(`1e-400`, `"1"`)},
		{"escapes", state(`1`, `"\u0031\u00e9\ud83d\ude00\u0000"`)},
		{"a lone surrogate", state(`1`, `"\ud800"`)},
		{"a decomposed accent", state(`1`, `"e\u0301"`)},
		{"a raw decomposed accent", state(`1`, "\"e\u0301\"")},
		{"an escaped key", []byte(`{"i\u0064":"1","backup_id":1,"wait_for_completion":true,"delete_on_destroy":false,"state":"COMPLETED",` +
			`"failure_reason":null,"snapshot_names":[null,"a"],"repository":null,"start_time":null,"end_time":null,"timeouts":{"create":null,"delete":"1m"}}`)},
		{"a key twice, once escaped", append(state(`1`, `"1"`)[:len(state(`1`, `"1"`))-1], []byte(`,"backup\u005fid":2}`)...)},
		{"an escaped slash", state(`1`, `"a\/b"`)},
		{"a byte order mark", append([]byte("\ufeff"), state(`1`, `"1"`)...)},
		{"invalid UTF-8", state(`1`, "\"\xff\"")},
	} {
		t.Run(c.name, func(t *testing.T) {
			answer := func(s tfprotov6.ProviderServer) terraformRead {
				resp, err := s.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{
					TypeName: webappBackupTypeName, Version: p.version, RawState: &tfprotov6.RawState{JSON: c.raw},
				})
				if err != nil {
					t.Fatal(err)
				}
				return asTerraformReads(ty, resp)
			}
			want := answer(p.framework)
			before := p.ours.answered.Load()
			got := answer(p.ours)
			if !got.sameForTerraform(want) {
				t.Errorf("Terraform reads the answers differently (protocol server answered itself: %v)\nprotocol server: %s\nframework:       %s",
					p.ours.answered.Load() > before, got, want)
			}
		})
	}
}

// TestProtocolServerAdversarialConcurrency: Terraform sends the calls of many backups at once
// (-parallelism); the answers must not depend on it (run with -race).
func TestProtocolServerAdversarialConcurrency(t *testing.T) {
	parallel(t)
	ctx := context.Background()
	f := newAdversarialFixture(t)
	p, state := f.p, f.state
	config := objectOf(p.typ, map[string]tftypes.Value{"backup_id": number(1)})
	identity := &tfprotov6.ResourceIdentityData{IdentityData: dynamic(t, p.identity, tftypes.NewValue(p.identity, map[string]tftypes.Value{"backup_id": number(1)}))}
	calls := []func(tfprotov6.ProviderServer) (any, error){
		func(s tfprotov6.ProviderServer) (any, error) {
			return s.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: webappBackupTypeName, Config: dynamic(t, p.typ, config)})
		},
		func(s tfprotov6.ProviderServer) (any, error) {
			return s.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{TypeName: webappBackupTypeName, Version: p.version,
				RawState: &tfprotov6.RawState{JSON: stateJSONOf(t, state)}})
		},
		func(s tfprotov6.ProviderServer) (any, error) {
			return s.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: webappBackupTypeName, CurrentState: dynamic(t, p.typ, state), CurrentIdentity: identity})
		},
		func(s tfprotov6.ProviderServer) (any, error) {
			return s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: webappBackupTypeName, PriorState: dynamic(t, p.typ, state),
				ProposedNewState: dynamic(t, p.typ, state), Config: dynamic(t, p.typ, config), PriorIdentity: identity})
		},
	}
	want := make([]string, len(calls))
	for i, call := range calls {
		resp, err := call(p.framework)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = p.normal(t, resp)
	}
	before := p.ours.answered.Load()
	const workers, rounds = 8, 10
	var wg sync.WaitGroup
	errs := make(chan string, workers*rounds*len(calls))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				for i, call := range calls {
					resp, err := call(p.ours)
					if err != nil {
						errs <- err.Error()
						continue
					}
					if got := p.normal(t, resp); got != want[i] {
						errs <- fmt.Sprintf("call %d: %s, want %s", i, got, want[i])
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := p.ours.answered.Load() - before; n != workers*rounds*int64(len(calls)) {
		t.Errorf("%d calls answered without the framework, want %d", n, workers*rounds*len(calls))
	}
}

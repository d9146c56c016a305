package provider

import (
	"context"
	"math/big"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// These tests speak terraform's plugin protocol to the provider server directly: they need no
// terraform binary, so the action and the list resource are tested on every machine, also where
// terraform is older than 1.14.

// protocolServer is the provider server configured for backend b.
func protocolServer(t *testing.T, b *testBackend) (tfprotov6.ProviderServer, *tfprotov6.GetProviderSchemaResponse) {
	t.Helper()
	return configuredServer(t, b, newProtocol6Server("test", noEnv))
}

// configuredServer is the server that newServer makes, configured for backend b.
func configuredServer(t *testing.T, b *testBackend, newServer func() (tfprotov6.ProviderServer, error)) (tfprotov6.ProviderServer, *tfprotov6.GetProviderSchemaResponse) {
	t.Helper()
	ctx := context.Background()
	server, err := newServer()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || hasErrors(schemas.Diagnostics) {
		t.Fatalf("GetProviderSchema: %v %v", err, diagText(schemas.Diagnostics))
	}
	providerType := schemas.Provider.ValueType()
	block := map[string]tftypes.Value{"repository": tftypes.NewValue(tftypes.String, testRepository)}
	name := backendActuator
	if b.name == backendActuator {
		block["url"] = tftypes.NewValue(tftypes.String, b.url)
	} else {
		name = backendElasticsearch
		block["urls"] = tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, []tftypes.Value{tftypes.NewValue(tftypes.String, b.url)})
	}
	blockType := providerType.(tftypes.Object).AttributeTypes[name]
	config := objectOf(providerType, map[string]tftypes.Value{name: objectOf(blockType, block)})
	resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: dynamic(t, providerType, config)})
	if err != nil || hasErrors(resp.Diagnostics) {
		t.Fatalf("ConfigureProvider: %v %v", err, diagText(resp.Diagnostics))
	}
	return server, schemas
}

// actionServer and listServer are the parts of the provider server that serve actions and list
// resources (terraform-plugin-go declares them apart from ProviderServer for now).
type (
	actionServer interface {
		InvokeAction(context.Context, *tfprotov6.InvokeActionRequest) (*tfprotov6.InvokeActionServerStream, error)
	}
	listServer interface {
		ListResource(context.Context, *tfprotov6.ListResourceRequest) (*tfprotov6.ListResourceServerStream, error)
	}
)

// providerserverFor is the provider's protocol server with an environment.
func providerserverFor(env getenv) (tfprotov6.ProviderServer, error) {
	return newProtocol6Server("test", env)()
}

// objectOf is an object of type typ with the given attributes, the others null.
func objectOf(typ tftypes.Type, values map[string]tftypes.Value) tftypes.Value {
	attrs := map[string]tftypes.Value{}
	for name, at := range typ.(tftypes.Object).AttributeTypes {
		if v, ok := values[name]; ok {
			attrs[name] = v
		} else {
			attrs[name] = tftypes.NewValue(at, nil)
		}
	}
	return tftypes.NewValue(typ, attrs)
}

func dynamic(t *testing.T, typ tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

func hasErrors(diags []*tfprotov6.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

func diagText(diags []*tfprotov6.Diagnostic) string {
	var s []string
	for _, d := range diags {
		s = append(s, d.Summary+": "+d.Detail)
	}
	return strings.Join(s, "\n")
}

// invoke runs action camunda_webapp_backup with the given attributes and returns its progress
// messages and final diagnostics.
func invoke(t *testing.T, server tfprotov6.ProviderServer, schemas *tfprotov6.GetProviderSchemaResponse, attrs map[string]tftypes.Value) ([]string, []*tfprotov6.Diagnostic) {
	t.Helper()
	return invokeAction(t, server, schemas, "camunda_webapp_backup", attrs)
}

// invokeAction runs an action with the given attributes and returns its progress messages
// and final diagnostics.
func invokeAction(t *testing.T, server tfprotov6.ProviderServer, schemas *tfprotov6.GetProviderSchemaResponse, name string, attrs map[string]tftypes.Value) ([]string, []*tfprotov6.Diagnostic) {
	t.Helper()
	typ := schemas.ActionSchemas[name].Schema.ValueType()
	resp, err := server.(actionServer).InvokeAction(context.Background(), &tfprotov6.InvokeActionRequest{
		ActionType: name, Config: dynamic(t, typ, objectOf(typ, attrs)),
	})
	if err != nil {
		t.Fatalf("InvokeAction: %v", err)
	}
	var progress []string
	var final []*tfprotov6.Diagnostic
	completed := 0
	for e := range resp.Events {
		switch ev := e.Type.(type) {
		case tfprotov6.ProgressInvokeActionEventType:
			progress = append(progress, ev.Message)
		case tfprotov6.CompletedInvokeActionEventType:
			final = ev.Diagnostics
			completed++
		}
	}
	if completed != 1 {
		t.Fatalf("%d completion events, want 1", completed)
	}
	return progress, final
}

func number(n int64) tftypes.Value {
	return tftypes.NewValue(tftypes.Number, new(big.Float).SetInt64(n))
}

// TestProtocolActionTakesABackup invokes the action as terraform does: it reports each part as
// it finishes, the backup completes under the given id, and retention deletes what the policy
// does not keep.
func TestProtocolActionTakesABackup(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *testBackend) {
		server, schemas := protocolServer(t, b)
		for _, id := range []backupapi.ID{101, 102} {
			createBackup(t, b, id, backupapi.StateCompleted)
		}
		progress, diags := invoke(t, server, schemas, map[string]tftypes.Value{
			"backup_id": number(103), "keep_last": number(2),
		})
		if hasErrors(diags) {
			t.Fatalf("InvokeAction: %s", diagText(diags))
		}
		all := strings.Join(progress, "\n")
		for _, want := range []string{"backup 103 started", "backup 103: part 1 of", "finished: SUCCESS", "backup 103 completed",
			"retention: deleted backup 101", "retention: 1 backups deleted (101)"} {
			if !strings.Contains(all, want) {
				t.Errorf("progress lacks %q:\n%s", want, all)
			}
		}
		if err := expectBackup(b, 103, true); err != nil {
			t.Error(err)
		}
		if err := expectBackup(b, 101, false); err != nil {
			t.Error(err)
		}
		if err := expectBackup(b, 102, true); err != nil {
			t.Error(err)
		}
	})
}

// TestProtocolActionChoosesANewID leaves backup_id out: the id is greater than every existing
// one and is reported.
func TestProtocolActionChoosesANewID(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *testBackend) {
		server, schemas := protocolServer(t, b)
		const large = 9_000_000_000
		createBackup(t, b, large, backupapi.StateCompleted)
		progress, diags := invoke(t, server, schemas, nil)
		if hasErrors(diags) {
			t.Fatalf("InvokeAction: %s", diagText(diags))
		}
		if all := strings.Join(progress, "\n"); !strings.Contains(all, "backup 9000000001 completed") {
			t.Errorf("progress does not report backup 9000000001 completed:\n%s", all)
		}
	})
}

// completedLine is the progress line of a completed backup.
var completedLine = regexp.MustCompile(`^backup (\d+) completed in `)

// TestProtocolActionTwoAtOnce invokes the action twice at the same time without an id, as two
// action_triggers of one apply would: both backups complete, under different ids.
func TestProtocolActionTwoAtOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *testBackend) {
		server, schemas := protocolServer(t, b)
		var wg sync.WaitGroup
		results := make([][]string, 2)
		failures := make([]string, 2)
		for i := range results {
			wg.Go(func() {
				progress, diags := invoke(t, server, schemas, nil)
				results[i] = progress
				if hasErrors(diags) {
					failures[i] = diagText(diags)
				}
			})
		}
		wg.Wait()
		ids := map[string]bool{}
		for i, progress := range results {
			if failures[i] != "" {
				t.Fatalf("invocation %d failed: %s", i, failures[i])
			}
			for _, line := range progress {
				if m := completedLine.FindStringSubmatch(line); m != nil {
					ids[m[1]] = true
				}
			}
		}
		if len(ids) != 2 {
			t.Errorf("completed backups %v, want two different ids", ids)
		}
	})
}

// TestProtocolActionFails fails a part: the action ends with an error naming the part and its
// failure.
func TestProtocolActionFails(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *testBackend) {
		b.requireEmulator(t).Faults().FailSnapshots("camunda_webapps_111_*_part_2_*", "FAILED", "disk full")
		server, schemas := protocolServer(t, b)
		_, diags := invoke(t, server, schemas, map[string]tftypes.Value{"backup_id": number(111)})
		text := diagText(diags)
		if !hasErrors(diags) || !strings.Contains(text, "Backup FAILED") || !strings.Contains(text, "part_2_of_") || !strings.Contains(text, "disk full") {
			t.Errorf("diagnostics %q, want Backup FAILED naming part 2 and its failure", text)
		}
	})
}

// TestProtocolListResource lists backups as terraform query does: identities, display names,
// the resource when asked, and the state filter.
func TestProtocolListResource(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *testBackend) {
		server, schemas := protocolServer(t, b)
		createBackup(t, b, 121, backupapi.StateCompleted)
		createBackup(t, b, 122, backupapi.StateCompleted)
		typ := schemas.ListResourceSchemas["camunda_webapp_backup"].ValueType()
		list := func(attrs map[string]tftypes.Value, include bool) []tfprotov6.ListResourceResult {
			resp, err := server.(listServer).ListResource(context.Background(), &tfprotov6.ListResourceRequest{
				TypeName: "camunda_webapp_backup", Config: dynamic(t, typ, objectOf(typ, attrs)), IncludeResource: include, Limit: 100,
			})
			if err != nil {
				t.Fatalf("ListResource: %v", err)
			}
			var out []tfprotov6.ListResourceResult
			for r := range resp.Results {
				if hasErrors(r.Diagnostics) {
					t.Fatalf("ListResource: %s", diagText(r.Diagnostics))
				}
				out = append(out, r)
			}
			return out
		}
		results := list(nil, true)
		if len(results) != 2 || results[0].DisplayName != "backup 122 (COMPLETED)" || results[1].DisplayName != "backup 121 (COMPLETED)" {
			t.Fatalf("results %v, want backups 122 and 121, newest first", displayNames(results))
		}
		id, err := results[0].Identity.IdentityData.Unmarshal(tftypes.Object{AttributeTypes: map[string]tftypes.Type{"backup_id": tftypes.Number}})
		if err != nil {
			t.Fatal(err)
		}
		var attrs map[string]tftypes.Value
		var backupID *big.Float
		if err := id.As(&attrs); err != nil || attrs["backup_id"].As(&backupID) != nil || backupID.String() != "122" {
			t.Errorf("identity %v, want backup_id 122", id)
		}
		res, err := results[0].Resource.Unmarshal(schemas.ResourceSchemas["camunda_webapp_backup"].ValueType())
		if err != nil {
			t.Fatal(err)
		}
		var state map[string]tftypes.Value
		var s string
		if err := res.As(&state); err != nil || state["state"].As(&s) != nil || s != "COMPLETED" {
			t.Errorf("resource %v, want state COMPLETED", res)
		}
		if got := list(map[string]tftypes.Value{"state": tftypes.NewValue(tftypes.String, "FAILED")}, false); len(got) != 0 {
			t.Errorf("state = FAILED listed %v, want none", displayNames(got))
		}
		if got := list(map[string]tftypes.Value{"pattern": tftypes.NewValue(tftypes.String, "121")}, false); len(got) != 1 || got[0].Resource != nil {
			t.Errorf("pattern 121 listed %v, want backup 121 alone, without its resource", displayNames(got))
		}
	})
}

func displayNames(results []tfprotov6.ListResourceResult) []string {
	names := make([]string, len(results))
	for i, r := range results {
		names[i] = r.DisplayName
	}
	return names
}

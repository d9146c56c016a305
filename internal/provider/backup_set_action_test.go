package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// setActionConfig is a "release" whose creation and every update run the camunda_backup
// action first, as an operator guards a Camunda upgrade with a whole backup.
func setActionConfig(b *setBackend, release string, id int64, extra string) string {
	return b.provider + fmt.Sprintf(`
action "camunda_backup" "before_upgrade" {
  config {
    backup_id     = %d
    zeebe_records = true
%s  }
}

resource "terraform_data" "camunda_release" {
  input = %q

  lifecycle {
    action_trigger {
      events  = [before_create, before_update]
      actions = [action.camunda_backup.before_upgrade]
    }
  }
}
`, id, extra, release)
}

// zeebeBackup reports whether Zeebe holds backup id COMPLETED (exists) or not at all.
func (b *setBackend) zeebeBackup(id backupapi.ID, exists bool) error {
	got, err := b.zeebe.Get(context.Background(), id)
	switch {
	case exists && (err != nil || got.State != backupapi.StateCompleted):
		return fmt.Errorf("Zeebe backup %s = %v, %v; want COMPLETED", id, got.State, err)
	case !exists && !errors.Is(err, backupapi.ErrNotFound):
		return fmt.Errorf("Zeebe backup %s = %v, %v; want none", id, got.State, err)
	}
	return nil
}

// TestAccCamundaBackupAction guards a release with the action: each change is preceded by a
// whole backup, retention deletes older sets whole, and a failing component stops the
// change with exporting resumed.
func TestAccCamundaBackupAction(t *testing.T) {
	t.Parallel()
	b := newSetBackend(t)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   skipBelow114,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: setActionConfig(b, "8.8.0", 700, ""),
				Check: func(*terraform.State) error {
					return errors.Join(b.zeebeBackup(700, true), b.exportingResumed())
				},
			},
			{
				Config: setActionConfig(b, "8.8.1", 701, "    keep_last     = 1\n"),
				Check: func(*terraform.State) error {
					_, optErr := b.optimize.Get(context.Background(), 700)
					if !errors.Is(optErr, backupapi.ErrNotFound) {
						optErr = fmt.Errorf("Optimize backup 700 after retention: %v, want none", optErr)
					} else {
						optErr = nil
					}
					return errors.Join(b.zeebeBackup(701, true), b.zeebeBackup(700, false), optErr, b.exportingResumed())
				},
			},
			{
				PreConfig:   func() { b.srv.Emulator().Faults().FailSnapshots("camunda_optimize_702_*", "FAILED", "disk full") },
				Config:      setActionConfig(b, "8.8.2", 702, ""),
				ExpectError: regexp.MustCompile(`(?s)Backup Set Failed at optimize.*exporting\s+was\s+resumed`),
				Check:       func(*terraform.State) error { return b.exportingResumed() },
			},
		},
		CheckDestroy: func(*terraform.State) error { return b.exportingResumed() },
	})
}

// protocolSetServer is the provider server configured for every component of b.
func protocolSetServer(t *testing.T, b *setBackend) (tfprotov6.ProviderServer, *tfprotov6.GetProviderSchemaResponse) {
	t.Helper()
	ctx := context.Background()
	srv, err := providerserverFor(noEnv)
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || hasErrors(schemas.Diagnostics) {
		t.Fatalf("GetProviderSchema: %v %v", err, diagText(schemas.Diagnostics))
	}
	typ := schemas.Provider.ValueType().(tftypes.Object)
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	act := objectOf(typ.AttributeTypes[backendActuator], map[string]tftypes.Value{
		"url": str(b.srv.URL()), "optimize_url": str(b.srv.OptimizeURL()), "repository": str(testRepository),
	})
	es := objectOf(typ.AttributeTypes[backendElasticsearch], map[string]tftypes.Value{
		"urls":       tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, []tftypes.Value{str(b.srv.ElasticsearchURL())}),
		"repository": str(testRepository),
	})
	config := objectOf(typ, map[string]tftypes.Value{backendActuator: act, backendElasticsearch: es})
	resp, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: dynamic(t, typ, config)})
	if err != nil || hasErrors(resp.Diagnostics) {
		t.Fatalf("ConfigureProvider: %v %v", err, diagText(resp.Diagnostics))
	}
	return srv, schemas
}

// invokeSet runs action camunda_backup and returns its progress and final diagnostics.
func invokeSet(t *testing.T, srv tfprotov6.ProviderServer, schemas *tfprotov6.GetProviderSchemaResponse, attrs map[string]tftypes.Value) ([]string, []*tfprotov6.Diagnostic) {
	t.Helper()
	typ := schemas.ActionSchemas["camunda_backup"].Schema.ValueType()
	// The action methods are not part of ProviderServer yet.
	resp, err := srv.(tfprotov6.ProviderServerWithActions).InvokeAction(context.Background(), &tfprotov6.InvokeActionRequest{ //nolint:staticcheck // see above
		ActionType: "camunda_backup", Config: dynamic(t, typ, objectOf(typ, attrs)),
	})
	if err != nil {
		t.Fatalf("InvokeAction: %v", err)
	}
	var progress []string
	var final []*tfprotov6.Diagnostic
	for e := range resp.Events {
		switch ev := e.Type.(type) {
		case tfprotov6.ProgressInvokeActionEventType:
			progress = append(progress, ev.Message)
		case tfprotov6.CompletedInvokeActionEventType:
			final = ev.Diagnostics
		}
	}
	return progress, final
}

// TestProtocolCamundaBackupProgress invokes the action as terraform does: every step is
// reported as it finishes, in Camunda's order, and retention removes older sets.
func TestProtocolCamundaBackupProgress(t *testing.T) {
	t.Parallel()
	b := newSetBackend(t)
	srv, schemas := protocolSetServer(t, b)
	yes := tftypes.NewValue(tftypes.Bool, true)
	if _, diags := invokeSet(t, srv, schemas, map[string]tftypes.Value{"backup_id": number(800), "zeebe_records": yes}); hasErrors(diags) {
		t.Fatalf("first set: %s", diagText(diags))
	}
	progress, diags := invokeSet(t, srv, schemas, map[string]tftypes.Value{"zeebe_records": yes, "keep_last": number(1)})
	if hasErrors(diags) {
		t.Fatalf("InvokeAction: %s", diagText(diags))
	}
	all := strings.Join(progress, "\n")
	// The web applications and Optimize run side by side, between the pause and the
	// zeebe-record snapshot.
	paused, records := strings.Index(all, "exporting soft-paused"), strings.Index(all, "zeebe-record snapshot finished")
	for _, side := range []string{"part 1 of", "Optimize snapshot finished: SUCCESS", "Optimize's backup completed"} {
		if i := strings.Index(all, side); i < paused || i > records {
			t.Errorf("%q is not reported between the pause and the zeebe-record snapshot:\n%s", side, all)
		}
	}
	order := []string{"a new id, greater than", "exporting soft-paused", "zeebe-record snapshot finished: SUCCESS", "Zeebe took the checkpoint", "Zeebe partition", "every component completed",
		"exporting resumed after", "retention: deleted set 800", "retention: 1 sets deleted (800)"}
	rest := all
	for _, want := range order {
		i := strings.Index(rest, want)
		if i < 0 {
			t.Fatalf("progress lacks %q after the steps before it:\n%s", want, all)
		}
		rest = rest[i+len(want):]
	}
	for p := 1; p <= 3; p++ {
		if !strings.Contains(all, fmt.Sprintf("Zeebe partition %d finished: COMPLETED", p)) {
			t.Errorf("partition %d not reported:\n%s", p, all)
		}
	}
	if err := errors.Join(b.zeebeBackup(800, false), b.exportingResumed()); err != nil {
		t.Error(err)
	}
}

// TestProtocolCamundaBackupList lists sets as terraform query does: identities, display
// names telling restorable sets from partial ones, the resource when asked, and the filter.
func TestProtocolCamundaBackupList(t *testing.T) {
	t.Parallel()
	b := newSetBackend(t)
	srv, schemas := protocolSetServer(t, b)
	if _, diags := invokeSet(t, srv, schemas, map[string]tftypes.Value{"backup_id": number(810)}); hasErrors(diags) {
		t.Fatalf("set 810: %s", diagText(diags))
	}
	b.srv.Emulator().Faults().FailSnapshots("camunda_optimize_811_*", "FAILED", "disk full")
	if _, diags := invokeSet(t, srv, schemas, map[string]tftypes.Value{"backup_id": number(811)}); !hasErrors(diags) {
		t.Fatal("set 811 should fail at Optimize")
	}
	typ := schemas.ListResourceSchemas["camunda_backup"].ValueType()
	list := func(attrs map[string]tftypes.Value, include bool) []tfprotov6.ListResourceResult {
		// The list methods are not part of ProviderServer yet.
		resp, err := srv.(tfprotov6.ProviderServerWithListResource).ListResource(context.Background(), &tfprotov6.ListResourceRequest{ //nolint:staticcheck // see above
			TypeName: "camunda_backup", Config: dynamic(t, typ, objectOf(typ, attrs)), IncludeResource: include, Limit: 100,
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
	if names := displayNames(results); len(names) != 2 || names[0] != "backup set 811 (FAILED, not restorable)" || names[1] != "backup set 810 (COMPLETED, restorable)" {
		t.Fatalf("results %q", names)
	}
	res, err := results[1].Resource.Unmarshal(schemas.ResourceSchemas["camunda_backup"].ValueType())
	if err != nil {
		t.Fatal(err)
	}
	var state map[string]tftypes.Value
	var restorable bool
	if err := res.As(&state); err != nil || state["restorable"].As(&restorable) != nil || !restorable {
		t.Errorf("resource %v, want restorable", res)
	}
	if got := list(map[string]tftypes.Value{"restorable": tftypes.NewValue(tftypes.Bool, true)}, false); len(got) != 1 || got[0].Resource != nil {
		t.Errorf("restorable = true listed %q, want set 810 alone, without its resource", displayNames(got))
	}
}

// TestAccCamundaBackupQuery lists sets with terraform query.
func TestAccCamundaBackupQuery(t *testing.T) {
	t.Parallel()
	b := newSetBackend(t)
	srv, schemas := protocolSetServer(t, b)
	for _, id := range []int64{820, 821} {
		if _, diags := invokeSet(t, srv, schemas, map[string]tftypes.Value{"backup_id": number(id)}); hasErrors(diags) {
			t.Fatalf("set %d: %s", id, diagText(diags))
		}
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   skipBelow114,
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Query: true,
			Config: b.provider + `
list "camunda_backup" "restorable" {
  provider = camunda
  config {
    restorable = true
  }
}
`,
			QueryResultChecks: []querycheck.QueryResultCheck{
				querycheck.ExpectLength("camunda_backup.restorable", 2),
				querycheck.ExpectIdentity("camunda_backup.restorable", map[string]knownvalue.Check{"backup_id": knownvalue.Int64Exact(821)}),
			},
		}},
	})
}

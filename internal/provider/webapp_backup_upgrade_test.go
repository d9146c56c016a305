package provider

import (
	"context"
	"math/big"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// v0State is camunda_webapp_backup's state as the release with schema version 0 wrote it in
// terraform.tfstate: every attribute present, null where unset, backup_id a JSON number, the
// snapshots with their details.
const v0State = `{
  "backup_id": 41,
  "delete_on_destroy": %DELETE%,
  "failure_reason": null,
  "id": "41",
  "repository": "camunda-backup",
  "scheduled_snapshots": [
    "camunda_webapps_41_8.8.0_part_1_of_3",
    "camunda_webapps_41_8.8.0_part_2_of_3",
    "camunda_webapps_41_8.8.0_part_3_of_3"
  ],
  "snapshots": %SNAPSHOTS%,
  "state": "%STATE%",
  "timeouts": %TIMEOUTS%,
  "wait_for_completion": false
}`

const v0Snapshots = `[
    {"failures": [], "name": "camunda_webapps_41_8.8.0_part_1_of_3", "start_time": "2026-11-30T02:00:01.5Z", "state": "SUCCESS"},
    {"failures": [], "name": "camunda_webapps_41_8.8.0_part_2_of_3", "start_time": "2026-11-30T02:00:00.25Z", "state": "SUCCESS"},
    {"failures": ["shard 0: disk full"], "name": "camunda_webapps_41_8.8.0_part_3_of_3", "start_time": "2026-11-30T02:00:03Z", "state": "FAILED"}
  ]`

// upgradeV0 sends a version-0 state through UpgradeResourceState as terraform does and
// returns the upgraded state's attributes.
func upgradeV0(t *testing.T, raw string) map[string]tftypes.Value {
	t.Helper()
	server, err := providerserverFor(noEnv)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || hasErrors(schemas.Diagnostics) {
		t.Fatalf("GetProviderSchema: %v %v", err, diagText(schemas.Diagnostics))
	}
	s := schemas.ResourceSchemas["camunda_webapp_backup"]
	if s.Version != 1 {
		t.Fatalf("schema version %d, want 1", s.Version)
	}
	resp, err := server.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{
		TypeName: "camunda_webapp_backup", Version: 0, RawState: &tfprotov6.RawState{JSON: []byte(raw)},
	})
	if err != nil || hasErrors(resp.Diagnostics) {
		t.Fatalf("UpgradeResourceState: %v %v", err, diagText(resp.Diagnostics))
	}
	v, err := resp.UpgradedState.Unmarshal(s.ValueType())
	if err != nil {
		t.Fatalf("the upgraded state does not fit the schema: %v", err)
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		t.Fatal(err)
	}
	return attrs
}

// TestUpgradeWebappBackupStateV0 upgrades states written by the release with schema version 0:
// the snapshot names stay in part order (the snapshots found, or the ones scheduled when fewer
// were found), the start time is the earliest snapshot's, delete_on_destroy and the timeouts
// keep what they were, and the per-snapshot details leave the state.
func TestUpgradeWebappBackupStateV0(t *testing.T) {
	scheduled := []string{"camunda_webapps_41_8.8.0_part_1_of_3", "camunda_webapps_41_8.8.0_part_2_of_3", "camunda_webapps_41_8.8.0_part_3_of_3"}
	tests := []struct {
		name                               string
		state, snapshots, timeouts, delete string
		wantNames                          []string
		wantStart                          string // "" for null
		wantDelete                         bool
		wantTimeouts                       map[string]string // nil for a null block
	}{
		{
			name: "failed backup, delete_on_destroy true, timeouts set", state: "FAILED", snapshots: v0Snapshots,
			timeouts: `{"create": "45m", "delete": null}`, delete: "true",
			wantNames: scheduled, wantStart: "2026-11-30T02:00:00.25Z", wantDelete: true,
			wantTimeouts: map[string]string{"create": "45m"},
		},
		{
			name: "running backup with one part found, delete_on_destroy false", state: "IN_PROGRESS",
			snapshots: `[{"failures": [], "name": "camunda_webapps_41_8.8.0_part_1_of_3", "start_time": "2026-11-30T02:00:01.5Z", "state": "IN_PROGRESS"}]`,
			timeouts:  "null", delete: "false",
			wantNames: scheduled, wantStart: "2026-11-30T02:00:01.5Z", wantDelete: false,
		},
		{
			name: "no snapshot found yet, delete_on_destroy null (the version-0 default, true)", state: "IN_PROGRESS",
			snapshots: "[]", timeouts: "null", delete: "null",
			wantNames: scheduled, wantDelete: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := strings.NewReplacer("%STATE%", tt.state, "%SNAPSHOTS%", tt.snapshots, "%TIMEOUTS%", tt.timeouts,
				"%DELETE%", tt.delete).Replace(v0State)
			got := upgradeV0(t, raw)
			for _, gone := range []string{"snapshots", "scheduled_snapshots"} {
				if _, ok := got[gone]; ok {
					t.Errorf("the upgraded state still has %s", gone)
				}
			}
			wantStrings := map[string]string{"id": "41", "state": tt.state, "repository": "camunda-backup", "start_time": tt.wantStart}
			for name, want := range wantStrings {
				var s *string
				if err := got[name].As(&s); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				switch {
				case want == "" && s != nil:
					t.Errorf("%s = %q, want null", name, *s)
				case want != "" && (s == nil || *s != want):
					t.Errorf("%s = %v, want %q", name, got[name], want)
				}
			}
			for _, name := range []string{"failure_reason", "end_time"} {
				if !got[name].IsNull() {
					t.Errorf("%s = %v, want null", name, got[name])
				}
			}
			var id big.Float
			if err := got["backup_id"].As(&id); err != nil || id.String() != "41" {
				t.Errorf("backup_id = %v, want 41", got["backup_id"])
			}
			var wait, del bool
			if err := got["wait_for_completion"].As(&wait); err != nil || wait {
				t.Errorf("wait_for_completion = %v, want false as it was", got["wait_for_completion"])
			}
			if err := got["delete_on_destroy"].As(&del); err != nil || del != tt.wantDelete {
				t.Errorf("delete_on_destroy = %v, want %v", got["delete_on_destroy"], tt.wantDelete)
			}
			var elems []tftypes.Value
			if err := got["snapshot_names"].As(&elems); err != nil {
				t.Fatal(err)
			}
			names := make([]string, len(elems))
			for i, e := range elems {
				if err := e.As(&names[i]); err != nil {
					t.Fatal(err)
				}
			}
			if strings.Join(names, ",") != strings.Join(tt.wantNames, ",") {
				t.Errorf("snapshot_names = %v, want %v", names, tt.wantNames)
			}
			checkTimeouts(t, got["timeouts"], tt.wantTimeouts)
		})
	}
}

// checkTimeouts compares the timeouts block with want (nil: a null block; a missing key: null).
func checkTimeouts(t *testing.T, v tftypes.Value, want map[string]string) {
	t.Helper()
	if want == nil {
		if !v.IsNull() {
			t.Errorf("timeouts = %v, want null", v)
		}
		return
	}
	var block map[string]tftypes.Value
	if err := v.As(&block); err != nil {
		t.Fatalf("timeouts: %v", err)
	}
	for _, key := range []string{"create", "delete"} {
		var s *string
		if err := block[key].As(&s); err != nil {
			t.Fatalf("timeouts.%s: %v", key, err)
		}
		w, set := want[key]
		if (s != nil) != set || (s != nil && *s != w) {
			t.Errorf("timeouts.%s = %v, want %q (set: %v)", key, block[key], w, set)
		}
	}
}

// TestUpgradeWebappBackupStateV0Refuses refuses a stored state that cannot be read, naming why.
func TestUpgradeWebappBackupStateV0Refuses(t *testing.T) {
	server, err := providerserverFor(noEnv)
	if err != nil {
		t.Fatal(err)
	}
	for name, raw := range map[string]string{
		"not JSON":        `{"backup_id": `,
		"id not a number": `{"backup_id": "forty", "id": "40"}`,
		"id zero":         `{"backup_id": 0, "id": "0"}`,
	} {
		t.Run(name, func(t *testing.T) {
			resp, err := server.UpgradeResourceState(context.Background(), &tfprotov6.UpgradeResourceStateRequest{
				TypeName: "camunda_webapp_backup", Version: 0, RawState: &tfprotov6.RawState{JSON: []byte(raw)},
			})
			if err != nil {
				t.Fatal(err)
			}
			if !hasErrors(resp.Diagnostics) || !strings.Contains(diagText(resp.Diagnostics), "Cannot Upgrade the State") {
				t.Errorf("diagnostics %q, want Cannot Upgrade the State", diagText(resp.Diagnostics))
			}
		})
	}
}

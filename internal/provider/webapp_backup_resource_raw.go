package provider

import (
	"context"
	"fmt"
	"math/big"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// A plan refreshes every camunda_webapp_backup of a configuration and plans each one: Read and
// ModifyPlan run for every resource of every plan. They work on the state's terraform values
// directly rather than through the framework's struct reflection and attribute paths, which
// cost many times the work of the resource itself (see BenchmarkPlan100).

// rawAttributes are the attributes of an object value; nil for a null or unknown object.
func rawAttributes(v tftypes.Value) (map[string]tftypes.Value, error) {
	if v.IsNull() || !v.IsKnown() {
		return nil, nil
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		return nil, fmt.Errorf("reading the state: %w", err)
	}
	return attrs, nil
}

// rawString is a string attribute's value, "" when null or unknown.
func rawString(v tftypes.Value) string {
	var s string
	if v.IsKnown() && !v.IsNull() && v.As(&s) == nil {
		return s
	}
	return ""
}

// rawNumber is a number attribute's value, nil when null or unknown.
func rawNumber(v tftypes.Value) *big.Float {
	var f *big.Float
	if v.IsKnown() && !v.IsNull() && v.As(&f) == nil {
		return f
	}
	return nil
}

// rawStrings is a list of strings' values.
func rawStrings(v tftypes.Value) []string {
	var elems []tftypes.Value
	if !v.IsKnown() || v.IsNull() || v.As(&elems) != nil {
		return nil
	}
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		out = append(out, rawString(e))
	}
	return out
}

// computedRaw are the terraform values of the attributes a refresh sets: everything but the
// arguments (wait_for_completion, delete_on_destroy, timeouts).
func (m *webappBackupModel) computedRaw(ctx context.Context) (map[string]tftypes.Value, error) {
	out := make(map[string]tftypes.Value, 8)
	for name, v := range map[string]interface {
		ToTerraformValue(context.Context) (tftypes.Value, error)
	}{
		"id": m.ID, "backup_id": m.BackupID, "state": m.State, "failure_reason": m.FailureReason,
		"snapshot_names": m.SnapshotNames, "repository": m.Repository, "start_time": m.StartTime, "end_time": m.EndTime,
	} {
		tv, err := v.ToTerraformValue(ctx)
		if err != nil {
			return nil, fmt.Errorf("writing %s: %w", name, err)
		}
		out[name] = tv
	}
	return out, nil
}

// identityRaw is the identity of backup id as a terraform value of type typ.
func identityRaw(typ tftypes.Type, id int64) tftypes.Value {
	return tftypes.NewValue(typ, map[string]tftypes.Value{
		"backup_id": tftypes.NewValue(tftypes.Number, new(big.Float).SetInt64(id)),
	})
}

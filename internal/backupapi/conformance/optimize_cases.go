package conformance

import (
	"errors"
	"slices"
	"testing"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// waitOptimize polls an Optimize backup until it is COMPLETED (404 right after the take is
// tolerated: the snapshots are created asynchronously).
func waitOptimize(t *testing.T, o backupapi.OptimizeBackups, id backupapi.ID) backupapi.OptimizeBackup {
	t.Helper()
	var b backupapi.OptimizeBackup
	pollUntil(t, "Optimize backup "+id.String(), pollTimeout, func() (bool, string) {
		var err error
		b, err = o.Get(ctx(t), id)
		switch {
		case errors.Is(err, backupapi.ErrNotFound):
			return false, "not found"
		case err != nil:
			t.Fatalf("get: %v", err)
		case b.State == backupapi.StateFailed:
			t.Fatalf("backup %d failed: %s", id, b.FailureReason)
		}
		return b.State == backupapi.StateCompleted, string(b.State)
	})
	return b
}

func optimizeOf(t *testing.T, c ComponentsTarget) backupapi.OptimizeBackups {
	t.Helper()
	if c.Optimize == nil {
		t.Skip("no Optimize in this target")
	}
	return c.Optimize(nil)
}

// optimizeCases are the behaviours of backupapi.OptimizeBackups.
var optimizeCases = []componentCase{
	{"optimize/take, list, delete", func(t *testing.T, c ComponentsTarget) {
		o := optimizeOf(t, c)
		id := NextID()
		if err := o.Take(ctx(t), id); err != nil {
			t.Fatalf("take: %v", err)
		}
		b := waitOptimize(t, o, id)
		if len(b.Details) != backupapi.OptimizeParts {
			t.Fatalf("details %+v", b.Details)
		}
		for _, d := range b.Details {
			if got, ok := backupapi.ParseOptimizeSnapshotID(d.Name); !ok || got != id || d.State != backupapi.SnapshotSuccess {
				t.Fatalf("snapshot %+v", d)
			}
		}
		if err := o.Take(ctx(t), id); !errors.Is(err, backupapi.ErrConflict) {
			t.Fatalf("duplicate take: %v", err)
		}
		list, err := o.List(ctx(t))
		if err != nil || !slices.ContainsFunc(list, func(b backupapi.OptimizeBackup) bool { return b.ID == id }) {
			t.Fatalf("list: %v %+v", err, list)
		}
		if err := o.Delete(ctx(t), id); err != nil {
			t.Fatalf("delete: %v", err)
		}
		pollUntil(t, "delete of Optimize backup "+id.String(), pollTimeout, func() (bool, string) {
			_, err := o.Get(ctx(t), id)
			return errors.Is(err, backupapi.ErrNotFound), "present"
		})
		if err := o.Delete(ctx(t), NextID()); err != nil {
			t.Fatalf("delete of an unknown id: %v", err)
		}
	}},
	{"optimize/unknown and invalid ids", func(t *testing.T, c ComponentsTarget) {
		o := optimizeOf(t, c)
		if _, err := o.Get(ctx(t), NextID()); !errors.Is(err, backupapi.ErrNotFound) {
			t.Fatalf("get of an unknown id: %v", err)
		}
		if err := o.Take(ctx(t), -1); !errors.Is(err, backupapi.ErrInvalid) {
			t.Fatalf("take -1: %v", err)
		}
	}},
	{"optimize/a lost answer is settled", func(t *testing.T, c ComponentsTarget) {
		if c.Optimize == nil {
			t.Skip("no Optimize in this target")
		}
		lossy := &loseFirstPost{}
		id := NextID()
		if err := c.Optimize(lossy).Take(ctx(t), id); err != nil {
			t.Fatalf("take with its answer lost: %v", err)
		}
		waitOptimize(t, c.Optimize(nil), id)
	}},
	{"optimize/Elasticsearch unreachable", func(t *testing.T, c ComponentsTarget) {
		o := optimizeOf(t, c)
		if c.Inject == nil {
			t.Skip("the target cannot inject faults")
		}
		c.Inject(t, FaultOptimizeUnreachable)
		if err := o.Take(ctx(t), NextID()); !errors.Is(err, backupapi.ErrUnavailable) {
			t.Fatalf("take: %v", err)
		}
	}},
}

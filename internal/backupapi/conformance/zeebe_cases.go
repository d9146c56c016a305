package conformance

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// waitRuntime polls a runtime backup until it is COMPLETED (404 and INCOMPLETE right after
// the take are tolerated, as Zeebe's own pollers must).
func waitRuntime(t *testing.T, z backupapi.ZeebeBackups, id backupapi.ID) backupapi.RuntimeBackup {
	t.Helper()
	var b backupapi.RuntimeBackup
	pollUntil(t, "Zeebe backup "+id.String(), pollTimeout, func() (bool, string) {
		var err error
		b, err = z.Get(ctx(t), id)
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

// zeebeCases are the behaviours of backupapi.ZeebeBackups.
var zeebeCases = []componentCase{
	{"zeebe/take and complete", func(t *testing.T, c ComponentsTarget) {
		z := c.Zeebe(nil)
		id := NextID()
		if err := z.Take(ctx(t), id); err != nil {
			t.Fatalf("take: %v", err)
		}
		b := waitRuntime(t, z, id)
		if b.ID != id || len(b.Details) == 0 {
			t.Fatalf("backup %+v", b)
		}
		for _, d := range b.Details {
			if d.State != backupapi.StateCompleted || d.PartitionID <= 0 || d.CreatedAt.IsZero() || d.BrokerVersion == "" {
				t.Fatalf("partition %+v", d)
			}
		}
	}},
	{"zeebe/ids only grow", func(t *testing.T, c ComponentsTarget) {
		z := c.Zeebe(nil)
		low, id := NextID(), NextID()
		if err := z.Take(ctx(t), id); err != nil {
			t.Fatalf("take: %v", err)
		}
		for _, again := range []backupapi.ID{id, low} {
			err := z.Take(ctx(t), again)
			if !errors.Is(err, backupapi.ErrConflict) || !strings.Contains(err.Error(), id.String()) {
				t.Fatalf("take %d after %d: %v, want a conflict naming %d", again, id, err, id)
			}
		}
		waitRuntime(t, z, id)
	}},
	{"zeebe/unknown id", func(t *testing.T, c ComponentsTarget) {
		if _, err := c.Zeebe(nil).Get(ctx(t), NextID()); !errors.Is(err, backupapi.ErrNotFound) {
			t.Fatalf("get of an unknown id: %v", err)
		}
	}},
	{"zeebe/invalid id", func(t *testing.T, c ComponentsTarget) {
		if err := c.Zeebe(nil).Take(ctx(t), 0); !errors.Is(err, backupapi.ErrInvalid) {
			t.Fatalf("take 0: %v", err)
		}
	}},
	{"zeebe/list and prefix", func(t *testing.T, c ComponentsTarget) {
		z := c.Zeebe(nil)
		id := NextID()
		if err := z.Take(ctx(t), id); err != nil {
			t.Fatal(err)
		}
		waitRuntime(t, z, id)
		for _, prefix := range []string{"", id.String()[:len(id.String())-2], id.String()} {
			list, err := z.List(ctx(t), prefix)
			if err != nil {
				t.Fatalf("list %q: %v", prefix, err)
			}
			if !slices.ContainsFunc(list, func(b backupapi.RuntimeBackup) bool { return b.ID == id }) {
				t.Fatalf("list %q lacks %d", prefix, id)
			}
			if !slices.IsSortedFunc(list, func(a, b backupapi.RuntimeBackup) int { return int(b.ID - a.ID) }) {
				t.Fatalf("list %q is not newest first", prefix)
			}
			for _, b := range list {
				if !strings.HasPrefix(b.ID.String(), prefix) {
					t.Fatalf("list %q has %d", prefix, b.ID)
				}
			}
		}
	}},
	{"zeebe/delete keeps the id used", func(t *testing.T, c ComponentsTarget) {
		z := c.Zeebe(nil)
		id := NextID()
		if err := z.Take(ctx(t), id); err != nil {
			t.Fatal(err)
		}
		waitRuntime(t, z, id)
		if err := z.Delete(ctx(t), id); err != nil {
			t.Fatalf("delete: %v", err)
		}
		if _, err := z.Get(ctx(t), id); !errors.Is(err, backupapi.ErrNotFound) {
			t.Fatalf("get after delete: %v", err)
		}
		if err := z.Take(ctx(t), id); !errors.Is(err, backupapi.ErrConflict) {
			t.Fatalf("take of a deleted id: %v", err)
		}
		if err := z.Delete(ctx(t), NextID()); err != nil {
			t.Fatalf("delete of an unknown id: %v", err)
		}
	}},
	{"zeebe/a lost answer is settled", func(t *testing.T, c ComponentsTarget) {
		lossy := &loseFirstPost{}
		z := c.Zeebe(lossy)
		id := NextID()
		if err := z.Take(ctx(t), id); err != nil {
			t.Fatalf("take with its answer lost: %v", err)
		}
		if !lossy.lost.Load() {
			t.Fatal("the answer was not lost")
		}
		waitRuntime(t, c.Zeebe(nil), id)
	}},
	{"zeebe/unreachable", func(t *testing.T, c ComponentsTarget) {
		if c.Inject == nil {
			t.Skip("the target cannot inject faults")
		}
		c.Inject(t, FaultZeebeUnreachable)
		z := c.Zeebe(nil)
		if err := z.Take(ctx(t), NextID()); !errors.Is(err, backupapi.ErrUnavailable) {
			t.Fatalf("take: %v", err)
		}
		if _, err := z.List(ctx(t), ""); !errors.Is(err, backupapi.ErrUnavailable) {
			t.Fatalf("list: %v", err)
		}
	}},
}

package conformance

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// wantPhase checks that every partition is in phase.
func wantPhase(t *testing.T, e backupapi.Exporting, phase backupapi.ExporterPhase) {
	t.Helper()
	got, err := e.Status(ctx(t))
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	if len(got) == 0 {
		t.Fatal("no partition")
	}
	for p, ph := range got {
		if ph != phase {
			t.Fatalf("partition %d is %s, want %s", p, ph, phase)
		}
	}
}

// resumeAtEnd resumes exporting when the test ends, whatever happened.
func resumeAtEnd(t *testing.T, e backupapi.Exporting) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := e.Resume(ctx); err != nil {
			t.Errorf("resume at the end: %v", err)
		}
	})
}

// exportingCases are the behaviours of backupapi.Exporting.
var exportingCases = []componentCase{
	{"exporting/soft pause and resume", func(t *testing.T, c ComponentsTarget) {
		e := c.Exporting(nil)
		resumeAtEnd(t, e)
		for range 2 { // idempotent
			if err := e.Pause(ctx(t), true); err != nil {
				t.Fatalf("soft pause: %v", err)
			}
			wantPhase(t, e, backupapi.PhaseSoftPaused)
		}
		if err := e.Resume(ctx(t)); err != nil {
			t.Fatalf("resume: %v", err)
		}
		wantPhase(t, e, backupapi.PhaseExporting)
	}},
	{"exporting/hard pause overrides soft", func(t *testing.T, c ComponentsTarget) {
		e := c.Exporting(nil)
		resumeAtEnd(t, e)
		if err := e.Pause(ctx(t), true); err != nil {
			t.Fatal(err)
		}
		if err := e.Pause(ctx(t), false); err != nil {
			t.Fatal(err)
		}
		wantPhase(t, e, backupapi.PhasePaused)
	}},
	{"exporting/a failure is reported and changes nothing", func(t *testing.T, c ComponentsTarget) {
		if c.Inject == nil {
			t.Skip("the target cannot inject faults")
		}
		e := c.Exporting(nil)
		c.Inject(t, FaultExportingFails)
		if err := e.Pause(ctx(t), true); !errors.Is(err, backupapi.ErrUnavailable) {
			t.Fatalf("pause: %v", err)
		}
		wantPhase(t, e, backupapi.PhaseExporting)
	}},
}

package server_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// phases reads every partition's exporterPhase from /actuator/partitions.
func phases(t *testing.T, base string) map[string]backupapi.ExporterPhase {
	t.Helper()
	a := do(t, http.MethodGet, base+"/actuator/partitions", "")
	var parts map[string]backupapi.PartitionStatus
	if a.status != 200 || json.Unmarshal(a.body, &parts) != nil {
		t.Fatalf("partitions: %d %s", a.status, a.body)
	}
	out := map[string]backupapi.ExporterPhase{}
	for id, p := range parts {
		out[id] = p.ExporterPhase
	}
	return out
}

func allIn(t *testing.T, got map[string]backupapi.ExporterPhase, want backupapi.ExporterPhase, n int) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("%d partitions, want %d: %v", len(got), n, got)
	}
	for id, p := range got {
		if p != want {
			t.Fatalf("partition %s is %s, want %s", id, p, want)
		}
	}
}

// TestExporting covers the exporting rows: always HTTP 200 with the inner status, soft and
// hard pause, resume, the phase per partition and its file, and the failures.
func TestExporting(t *testing.T) {
	f := newZeebe(t, nil)
	done := `{"body":null,"status":204,"contentType":null}`
	allIn(t, phases(t, f.url), backupapi.PhaseExporting, 3)
	for _, tc := range []struct {
		name, path string
		status     int
		body       string
		phase      backupapi.ExporterPhase
		file       string // content of .exporterPaused; "-" absent
	}{
		{"soft pause", "/actuator/exporting/pause?soft=true", 200, done, backupapi.PhaseSoftPaused, "SOFT_PAUSED"},
		{"soft pause again (idempotent)", "/actuator/exporting/pause?soft=true", 200, done, backupapi.PhaseSoftPaused, "SOFT_PAUSED"},
		{"hard pause overrides soft", "/actuator/exporting/pause", 200, done, backupapi.PhasePaused, "PAUSED"},
		{"soft overrides hard", "/actuator/exporting/pause?soft=TRUE", 200, done, backupapi.PhaseSoftPaused, "SOFT_PAUSED"},
		{"resume ignores soft", "/actuator/exporting/resume?soft=true", 200, done, backupapi.PhaseExporting, "-"},
		{"resume again", "/actuator/exporting/resume", 200, done, backupapi.PhaseExporting, "-"},
		{"unknown operation", "/actuator/exporting/foo", 200, `{"body":{"message":null},"status":500,"contentType":null}`, backupapi.PhaseExporting, "-"},
		{"soft is not a boolean", "/actuator/exporting/pause?soft=maybe", 400, "", backupapi.PhaseExporting, "-"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := do(t, http.MethodPost, f.url+tc.path, "")
			if a.status != tc.status || (tc.body != "" && strings.TrimSpace(string(a.body)) != tc.body) {
				t.Fatalf("%d %s, want %d %s", a.status, a.body, tc.status, tc.body)
			}
			allIn(t, phases(t, f.url), tc.phase, 3)
			for p := 1; p <= 3; p++ {
				content, err := os.ReadFile(filepath.Join(f.state, "partitions", string(rune('0'+p)), ".exporterPaused"))
				if tc.file == "-" {
					if !os.IsNotExist(err) {
						t.Fatalf("partition %d: .exporterPaused exists (%q, %v)", p, content, err)
					}
				} else if err != nil || string(content) != tc.file {
					t.Fatalf("partition %d: .exporterPaused %q %v, want %q", p, content, err, tc.file)
				}
			}
		})
	}
	if a := do(t, http.MethodGet, f.url+"/actuator/exporting/pause", ""); a.status != 405 {
		t.Fatalf("GET exporting: %d", a.status)
	}
}

// TestExportingFailures: a topology problem fails the whole call with nothing changed,
// still HTTP 200, the inner status 500 with the message.
func TestExportingFailures(t *testing.T) {
	for _, tc := range []struct {
		name    string
		faults  server.FaultSettings
		message string
	}{
		{"a partition missing", server.FaultSettings{ZeebeMissingPartitions: 1}, "Found 2 partitions but expected 3, current topology: "},
		{"an unknown leader", server.FaultSettings{ZeebeUnreachable: true}, "Leader 0 of partition 1 is not known, current topology: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newZeebe(t, nil)
			f.z.Faults().Set(tc.faults)
			a := do(t, http.MethodPost, f.url+"/actuator/exporting/pause?soft=true", "")
			var r backupapi.ExportingResponse
			if a.status != 200 || json.Unmarshal(a.body, &r) != nil || r.Status != 500 {
				t.Fatalf("%d %s", a.status, a.body)
			}
			if err := r.Err("pause"); err == nil || !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("error %v, want %q", err, tc.message)
			}
			allIn(t, phases(t, f.url), backupapi.PhaseExporting, 3)
		})
	}
}

// TestExportingSurvivesRestart: a pause is kept across a restart, as Zeebe keeps it.
func TestExportingSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	cfg := server.ZeebeConfig{Partitions: 2, StateDir: dir, StorePath: filepath.Join(dir, "store")}
	z, err := server.NewZeebe(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := z.Pause(t.Context(), true); err != nil {
		t.Fatal(err)
	}
	_ = z.Close()
	z, err = server.NewZeebe(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	got, _ := z.Status(t.Context())
	if len(got) != 2 || got[1] != backupapi.PhaseSoftPaused || got[2] != backupapi.PhaseSoftPaused {
		t.Fatalf("after a restart: %v", got)
	}
	if err := os.WriteFile(filepath.Join(dir, "partitions", "1", ".exporterPaused"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	z2, err := server.NewZeebe(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer z2.Close()
	if got, _ := z2.Status(t.Context()); got[1] != backupapi.PhasePaused {
		t.Fatalf("an empty .exporterPaused file: %v, want PAUSED", got)
	}
}

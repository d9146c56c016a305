package conformance

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
)

// cases is the table of behaviour every Client must show.
var cases = []testCase{
	{"create then get completed", createCompleted},
	{"archived indices add their parts", createWithArchives},
	{"invalid ids", invalidIDs},
	{"no repository configured", notConfigured},
	{"repository missing", repositoryMissing},
	{"duplicate id", duplicateID},
	{"missing required indices", missingIndices},
	{"optional indices absent skip their part", optionalAbsent},
	{"backup not found", notFound},
	{"incomplete after the timeout", incomplete},
	{"list newest first with patterns", listPatterns},
	{"list without verbose", listNotVerbose},
	{"list of an empty repository", listEmpty},
	{"delete every part", deleteBackup},
	{"foreign snapshots untouched", foreignSnapshots},
	{"another backup running", anotherRunning},
	{"failed part stops the backup", failedPart},
	{"partial part fails the backup", partialPart},
	{"delete aborts a running backup", deleteRunning},
	{"elasticsearch down", elasticsearchDown},
	{"elasticsearch answers 503", elasticsearch503},
}

func createCompleted(t *testing.T, e *Env) {
	c := e.Ready(false)
	names := mustCreate(t, e, c, 7)
	if want := partNames(7, 5); !slices.Equal(names, want) {
		t.Fatalf("scheduled %v, want %v", names, want)
	}
	b := WaitForState(t, c, 7, backupapi.StateCompleted)
	if b.ID != 7 || b.FailureReason != "" || !slices.Equal(b.SnapshotNames(), names) {
		t.Fatalf("backup %+v, want 7 COMPLETED with parts %v", b, names)
	}
	for _, s := range b.Snapshots {
		if s.State != backupapi.SnapshotSuccess || s.StartTime.IsZero() || len(s.Failures) != 0 {
			t.Errorf("part %s: state %q, start %v, failures %v; want SUCCESS with a start time and no failures", s.Name, s.State, s.StartTime, s.Failures)
		}
	}
}

func createWithArchives(t *testing.T, e *Env) {
	c := e.Ready(true)
	names := mustCreate(t, e, c, 3)
	if want := partNames(3, 7); !slices.Equal(names, want) {
		t.Fatalf("scheduled %v, want %v", names, want)
	}
	WaitForState(t, c, 3, backupapi.StateCompleted)
}

func invalidIDs(t *testing.T, e *Env) {
	c := e.Client()
	for _, id := range []backupapi.ID{0, -5} {
		want := "backupId must be a positive integer, got: " + id.String()
		_, err := c.Create(e.Ctx, id)
		wantErr(t, "create", err, backupapi.ErrInvalid, want)
		_, err = c.Get(e.Ctx, id)
		wantErr(t, "get", err, backupapi.ErrInvalid, want)
		wantErr(t, "delete", c.Delete(e.Ctx, id), backupapi.ErrInvalid, want)
	}
	_, err := c.List(e.Ctx, backupapi.ListOptions{Pattern: "1a"})
	wantErr(t, "list", err, backupapi.ErrInvalid, "Invalid pattern: 1a")
}

func notConfigured(t *testing.T, e *Env) {
	c := e.Client(func(cfg *elastic.Config) { cfg.Repository = "" })
	const msg = "No backup repository configured."
	_, err := c.Create(e.Ctx, 1)
	wantErr(t, "create", err, backupapi.ErrNotConfigured, msg)
	_, err = c.Get(e.Ctx, 1)
	wantErr(t, "get", err, backupapi.ErrNotConfigured, msg)
	_, err = c.List(e.Ctx, backupapi.ListOptions{Verbose: true})
	wantErr(t, "list", err, backupapi.ErrNotConfigured, msg)
	wantErr(t, "delete", c.Delete(e.Ctx, 1), backupapi.ErrNotConfigured, msg)
}

func repositoryMissing(t *testing.T, e *Env) {
	e.Backend.SeedCamunda(t, backupapi.Camunda88, e.Prefix, 1, false)
	c := e.Client()
	msg := "No repository with name [" + e.Repository + "] could be found."
	_, err := c.Create(e.Ctx, 1)
	wantErr(t, "create", err, backupapi.ErrRepositoryMissing, msg)
	_, err = c.Get(e.Ctx, 1)
	wantErr(t, "get", err, backupapi.ErrRepositoryMissing, msg)
	_, err = c.List(e.Ctx, backupapi.ListOptions{Verbose: true})
	wantErr(t, "list", err, backupapi.ErrRepositoryMissing, msg)
	_, err = c.List(e.Ctx, backupapi.ListOptions{})
	wantErr(t, "list not verbose", err, backupapi.ErrRepositoryMissing, msg)
	wantErr(t, "delete", c.Delete(e.Ctx, 1), backupapi.ErrRepositoryMissing, msg)
}

func duplicateID(t *testing.T, e *Env) {
	c := e.Ready(false)
	names := mustCreate(t, e, c, 4)
	WaitForState(t, c, 4, backupapi.StateCompleted)
	_, err := c.Create(e.Ctx, 4)
	wantErr(t, "second create", err, backupapi.ErrAlreadyExists, "")
	for _, n := range names {
		if !strings.Contains(err.Error(), n) {
			t.Errorf("message %q does not name %s", err, n)
		}
	}
	if !strings.HasPrefix(err.Error(), "A backup with ID [4] already exists. Found snapshots: [") {
		t.Errorf("message %q", err)
	}
}

func missingIndices(t *testing.T, e *Env) {
	c := e.Ready(false)
	first, last := backupapi.Camunda88.Groups[0][0].FullName(e.Prefix), backupapi.Camunda88.Groups[4][2].FullName(e.Prefix)
	e.Backend.DeleteIndices(t, first, last)
	_, err := c.Create(e.Ctx, 1)
	wantErr(t, "create", err, backupapi.ErrMissingIndices, "Missing indices: ["+first+", "+last+"]")
	if _, err := c.Get(e.Ctx, 1); !errors.Is(err, backupapi.ErrNotFound) {
		t.Fatalf("get after a refused create: %v, want not found (no snapshot taken)", err)
	}
}

func optionalAbsent(t *testing.T, e *Env) {
	layout := backupapi.Layout{
		Version: "8.8.0",
		Groups: [][]backupapi.Index{
			{{Component: "operate", Name: "import-position", Version: "8.3.0"}},
			{{Component: "operate", Name: "extra", Version: "1.0.0", Optional: true}},
			{{Component: "tasklist", Name: "form", Version: "8.4.0"}, {Component: "tasklist", Name: "more", Version: "1.0.0", Optional: true}},
		},
		Order: []backupapi.PartSpec{{Group: 0}, {Group: 1}, {Group: 2}},
	}
	e.Backend.CreateRepository(t, e.Repository)
	e.Backend.CreateIndices(t, layout.Groups[0][0].FullName(e.Prefix), layout.Groups[2][0].FullName(e.Prefix))
	c := e.Client(func(cfg *elastic.Config) { cfg.Layout = &layout })
	names := mustCreate(t, e, c, 1)
	if want := partNames(1, 2); !slices.Equal(names, want) {
		t.Fatalf("scheduled %v, want %v (the optional-only part skipped)", names, want)
	}
	WaitForState(t, c, 1, backupapi.StateCompleted)
	e.Backend.CreateIndices(t, layout.Groups[1][0].FullName(e.Prefix))
	names = mustCreate(t, e, c, 2)
	if want := partNames(2, 3); !slices.Equal(names, want) {
		t.Fatalf("scheduled %v, want %v once the optional index exists", names, want)
	}
	WaitForState(t, c, 2, backupapi.StateCompleted)
}

func notFound(t *testing.T, e *Env) {
	c := e.Ready(false)
	_, err := c.Get(e.Ctx, 99)
	wantErr(t, "get", err, backupapi.ErrNotFound, "No backup with id [99] found.")
	wantErr(t, "delete", c.Delete(e.Ctx, 99), backupapi.ErrNotFound, "No backup with id [99] found.")
}

func incomplete(t *testing.T, e *Env) {
	c := e.Ready(false)
	names := mustCreate(t, e, c, 5)
	WaitForState(t, c, 5, backupapi.StateCompleted)
	e.Backend.DeleteSnapshots(t, e.Repository, names[len(names)-1])
	b, err := c.Get(e.Ctx, 5)
	if err != nil || b.State != backupapi.StateInProgress || len(b.Snapshots) != 4 {
		t.Fatalf("4 of 5 parts, the last ended just now: %v %+v, want IN_PROGRESS", err, b)
	}
	e.Clock.Advance(backupapi.DefaultIncompleteAfter + time.Minute)
	b, err = c.Get(e.Ctx, 5)
	if err != nil || b.State != backupapi.StateIncomplete || b.FailureReason != "" {
		t.Fatalf("4 of 5 parts, the last ended over 5 minutes ago: %v %+v, want INCOMPLETE", err, b)
	}
}

func listPatterns(t *testing.T, e *Env) {
	c := e.Ready(false)
	for _, id := range []backupapi.ID{1, 12, 2} {
		mustCreate(t, e, c, id)
		WaitForState(t, c, id, backupapi.StateCompleted)
	}
	for _, tc := range []struct {
		pattern string
		want    []backupapi.ID
	}{
		{"", []backupapi.ID{2, 12, 1}},
		{"*", []backupapi.ID{2, 12, 1}},
		{"1", []backupapi.ID{1}},
		{"1*", []backupapi.ID{12, 1}},
		{"12", []backupapi.ID{12}},
		{"3", nil},
	} {
		got, err := c.List(e.Ctx, backupapi.ListOptions{Pattern: tc.pattern, Verbose: true})
		if err != nil {
			t.Fatalf("list %q: %v", tc.pattern, err)
		}
		if ids := backupIDs(got); !slices.Equal(ids, tc.want) {
			t.Errorf("list %q: %v, want %v (newest first)", tc.pattern, ids, tc.want)
		}
		for _, b := range got {
			if b.State != backupapi.StateCompleted || len(b.Snapshots) != 5 || b.Snapshots[0].StartTime.IsZero() {
				t.Errorf("list %q: backup %d is %s with %d parts, want COMPLETED with 5 timed parts", tc.pattern, b.ID, b.State, len(b.Snapshots))
			}
		}
	}
}

func listNotVerbose(t *testing.T, e *Env) {
	c := e.Ready(false)
	for _, id := range []backupapi.ID{3, 1, 2} {
		mustCreate(t, e, c, id)
		WaitForState(t, c, id, backupapi.StateCompleted)
	}
	got, err := c.List(e.Ctx, backupapi.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ids := backupIDs(got); !slices.Equal(ids, []backupapi.ID{3, 2, 1}) {
		t.Fatalf("list without verbose: %v, want by id descending", ids)
	}
	for _, b := range got {
		if b.State != backupapi.StateCompleted || !b.LatestStart().IsZero() {
			t.Errorf("backup %d: %s, start %v; want COMPLETED without start times", b.ID, b.State, b.LatestStart())
		}
	}
}

func listEmpty(t *testing.T, e *Env) {
	c := e.Ready(false)
	got, err := c.List(e.Ctx, backupapi.ListOptions{Verbose: true})
	if err != nil || len(got) != 0 {
		t.Fatalf("list: %v %v, want none", got, err)
	}
}

func deleteBackup(t *testing.T, e *Env) {
	c := e.Ready(false)
	mustCreate(t, e, c, 8)
	WaitForState(t, c, 8, backupapi.StateCompleted)
	mustCreate(t, e, c, 9)
	if err := c.Delete(e.Ctx, 8); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err := c.Get(e.Ctx, 8)
	wantErr(t, "get after delete", err, backupapi.ErrNotFound, "No backup with id [8] found.")
	WaitForState(t, c, 9, backupapi.StateCompleted)
	if got := e.Backend.SnapshotNames(t, e.Repository); !slices.Equal(got, partNames(9, 5)) {
		t.Fatalf("snapshots left %v, want only backup 9's", got)
	}
}

func foreignSnapshots(t *testing.T, e *Env) {
	c := e.Ready(false)
	foreign := []string{"camunda_optimize_1_8.8.0_part_1_of_2", "camunda_webapps_1_notapart", "nightly"}
	for _, name := range foreign {
		e.Backend.Snapshot(t, e.Repository, name, backupapi.Camunda88.Groups[0][0].FullName(e.Prefix))
	}
	mustCreate(t, e, c, 1)
	WaitForState(t, c, 1, backupapi.StateCompleted)
	got, err := c.List(e.Ctx, backupapi.ListOptions{Verbose: true})
	if err != nil || !slices.Equal(backupIDs(got), []backupapi.ID{1}) || len(got[0].Snapshots) != 5 {
		t.Fatalf("list: %v %+v, want backup 1 with its 5 parts only", err, got)
	}
	if err := c.Delete(e.Ctx, 1); err != nil {
		t.Fatal(err)
	}
	left := e.Backend.SnapshotNames(t, e.Repository)
	if want := slices.Sorted(slices.Values(foreign)); !slices.Equal(left, want) {
		t.Fatalf("after delete: %v, want the foreign snapshots %v untouched", left, want)
	}
}

func backupIDs(bs []backupapi.Backup) []backupapi.ID {
	var ids []backupapi.ID
	for _, b := range bs {
		ids = append(ids, b.ID)
	}
	return ids
}

package elastic_test

import (
	"errors"
	"net/url"
	"sync"
	"testing"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
)

// TestRoundTrips counts the requests of each operation: create = 3 + one per part, get = 1,
// list = 1, delete = 2.
func TestRoundTrips(t *testing.T) {
	b := conformance.NewBackend(t)
	srv := b.RequireEmulator(t)
	b.CreateRepository(t, "repo")
	b.SeedCamunda(t, backupapi.Camunda88, "", 1, true)
	c := newClient(t, b.Config("repo", ""))

	srv.ResetRequests()
	names, err := c.Create(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	conformance.WaitForState(t, c, 1, backupapi.StateCompleted) // polls with Get
	var create, gets int
	for _, r := range srv.Requests() {
		if r.Path == "/_bulk" {
			continue // the seeding's, logged once its answer is written
		}
		if r.Method == "PUT" || r.Path != "/_snapshot/repo/camunda_webapps_1_*" || !isGetPoll(r.RawQuery) {
			create++
		} else {
			gets++
		}
	}
	if want := 3 + len(names); create != want {
		t.Errorf("create of %d parts made %d requests, want %d: %v", len(names), create, want, srv.Requests())
	}

	for _, op := range []struct {
		name string
		want int
		run  func() error
	}{
		{"get", 1, func() error { _, err := c.Get(t.Context(), 1); return err }},
		{"list", 1, func() error { _, err := c.List(t.Context(), backupapi.ListOptions{Verbose: true}); return err }},
		{"list not verbose", 1, func() error { _, err := c.List(t.Context(), backupapi.ListOptions{}); return err }},
		{"delete", 2, func() error { return c.Delete(t.Context(), 1) }},
	} {
		srv.ResetRequests()
		if err := op.run(); err != nil {
			t.Fatalf("%s: %v", op.name, err)
		}
		if got := srv.Requests(); len(got) != op.want {
			t.Errorf("%s made %d requests, want %d: %v", op.name, len(got), op.want, got)
		}
	}
}

// isGetPoll reports the query of the driver's Get: verbose, filtered to the fields it reads.
func isGetPoll(rawQuery string) bool {
	q, err := url.ParseQuery(rawQuery)
	return err == nil && q.Get("verbose") == "true" && q.Get("filter_path") != ""
}

// TestConcurrentCreatesOfOneID: of 50 concurrent creates of one id exactly one succeeds.
func TestConcurrentCreatesOfOneID(t *testing.T) {
	b := conformance.NewBackend(t)
	b.CreateRepository(t, "repo")
	b.SeedCamunda(t, backupapi.Camunda88, "", 1, false)
	c := newClient(t, b.Config("repo", ""))
	const n = 50
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = c.Create(t.Context(), 42) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, backupapi.ErrAlreadyExists):
			t.Errorf("create: %v, want success or already exists", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of %d concurrent creates of one id succeeded, want exactly 1", ok, n)
	}
	conformance.WaitForState(t, c, 42, backupapi.StateCompleted)
}

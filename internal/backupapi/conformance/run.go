package conformance

import (
	"context"
	"errors"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
)

// Factory builds the Client under test for one case from the Elasticsearch driver
// configuration of that case.
type Factory func(t *testing.T, cfg elastic.Config) backupapi.Client

// testCase is one behaviour of backupapi.Client.
type testCase struct {
	Name string
	Run  func(t *testing.T, e *Env)
}

// Run runs every case against the clients of factory, each case in parallel with its own
// backend, repository and index prefix.
func Run(t *testing.T, factory Factory) {
	if os.Getenv(EnvURL) == "" {
		t.Log("running on the Elasticsearch emulator; " + RealHowTo)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			c.Run(t, newEnv(t, factory, c.Name))
		})
	}
}

// Env is what a case works with: the backend, the case's repository and index prefix, a
// clock it can move, and a way to build clients on them.
type Env struct {
	Backend    *Backend
	Repository string
	Prefix     string
	Clock      *Clock
	Ctx        context.Context

	t       *testing.T
	factory Factory
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9]+`)

func newEnv(t *testing.T, factory Factory, name string) *Env {
	id := strings.Trim(unsafeChars.ReplaceAllString(strings.ToLower(name), "-"), "-")
	return &Env{
		Backend:    NewBackend(t),
		Repository: "repo-" + id,
		Prefix:     "t-" + id,
		Clock:      &Clock{},
		Ctx:        t.Context(),
		t:          t,
		factory:    factory,
	}
}

// Config is the driver configuration of the case: backend, repository, prefix and clock.
func (e *Env) Config() elastic.Config {
	cfg := e.Backend.Config(e.Repository, e.Prefix)
	cfg.Now = e.Clock.Now
	return cfg
}

// Client builds a client from the case's configuration, changed by the edits.
func (e *Env) Client(edits ...func(*elastic.Config)) backupapi.Client {
	cfg := e.Config()
	for _, edit := range edits {
		edit(&cfg)
	}
	return e.factory(e.t, cfg)
}

// Ready creates the case's repository and the Camunda index set (archived indices too when
// archived is set) and returns a client on them.
func (e *Env) Ready(archived bool) backupapi.Client {
	e.Backend.CreateRepository(e.t, e.Repository)
	e.Backend.SeedCamunda(e.t, backupapi.Camunda88, e.Prefix, 2, archived)
	return e.Client()
}

// Clock is a clock that runs with real time, shifted by an offset the case moves.
type Clock struct{ offset atomic.Int64 }

// Now returns the current time plus the offset.
func (c *Clock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

// wantErr fails the test unless err is of the kind and, when message is not empty, has
// exactly that message.
func wantErr(t *testing.T, what string, err, kind error, message string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("%s: error %v (%T), want kind %q", what, err, err, kind)
	}
	if message != "" && err.Error() != message {
		t.Fatalf("%s: message %q, want %q", what, err.Error(), message)
	}
}

// mustCreate creates backup id and returns the scheduled names.
func mustCreate(t *testing.T, e *Env, c backupapi.Client, id backupapi.ID) []string {
	t.Helper()
	names, err := c.Create(e.Ctx, id)
	if err != nil {
		t.Fatalf("create %d: %v", id, err)
	}
	return names
}

// partNames are the names of backup id's parts of count parts, in order.
func partNames(id backupapi.ID, count int) []string {
	names := make([]string, count)
	for i := range names {
		names[i] = backupapi.Metadata{BackupID: id, Version: backupapi.Camunda88.Version, PartNo: i + 1, PartCount: count}.SnapshotName()
	}
	return names
}

// poll waits until cond holds, failing the test after a deadline.
func poll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for wait := time.Millisecond; !cond(); wait = min(2*wait, 50*time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: condition not reached in 30s", what)
		}
		time.Sleep(wait) // polling interval, not synchronisation
	}
}

// containsAny reports whether s contains one of the substrings.
func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if sub != "" && strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

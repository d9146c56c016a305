package conformance

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// Environment of a run of the component tables against a real Camunda 8.8.
const (
	// EnvCamundaManagementURL is the management address of a real Camunda orchestration
	// cluster (e.g. http://localhost:9600); unset, only the reference server is tested.
	EnvCamundaManagementURL = "CAMUNDA_MANAGEMENT_URL"
	// EnvOptimizeManagementURL is the management address of a real Optimize (e.g.
	// http://localhost:8092); unset, the Optimize table runs only on the reference server.
	EnvOptimizeManagementURL = "CAMUNDA_OPTIMIZE_MANAGEMENT_URL"
)

// CamundaHowTo says how to run the component tables against a real Camunda.
const CamundaHowTo = "set " + EnvCamundaManagementURL + " (e.g. http://localhost:9600, a Camunda 8.8 with a backup store) and " +
	EnvOptimizeManagementURL + " (e.g. http://localhost:8092) to run them against a real Camunda; " +
	"this takes Zeebe and Optimize backups with ids from the clock and pauses and resumes exporting"

// The faults a component target can inject (the reference server can; a real Camunda cannot).
const (
	FaultZeebeUnreachable    = "zeebe-unreachable"
	FaultExportingFails      = "exporting-fails"
	FaultOptimizeUnreachable = "optimize-unreachable"
)

// ComponentsTarget is what the component tables run against: the clients of one Camunda (the
// reference server, or a real one), built with a given HTTP transport.
type ComponentsTarget struct {
	// Zeebe, Exporting and Optimize build the clients over the transport (nil: the default);
	// Optimize is nil when no Optimize is deployed.
	Zeebe     func(rt http.RoundTripper) backupapi.ZeebeBackups
	Exporting func(rt http.RoundTripper) backupapi.Exporting
	Optimize  func(rt http.RoundTripper) backupapi.OptimizeBackups
	// Inject injects a fault until the end of the test; nil when the target cannot.
	Inject func(t *testing.T, fault string)
}

// ComponentsFactory builds the target of one case.
type ComponentsFactory func(t *testing.T) ComponentsTarget

// componentCase is one behaviour of the component APIs.
type componentCase struct {
	Name string
	Run  func(t *testing.T, c ComponentsTarget)
}

// nextID hands out growing backup ids from the clock, so that a real Zeebe (whose ids must
// exceed every earlier one) accepts them run after run.
var lastID atomic.Int64

// NextID returns a backup id greater than every earlier one of this process, and than any
// id taken from the clock in earlier runs.
func NextID() backupapi.ID {
	for {
		last := lastID.Load()
		next := max(last+1, time.Now().UnixMilli())
		if lastID.CompareAndSwap(last, next) {
			return backupapi.ID(next)
		}
	}
}

// RunComponents runs the Zeebe, exporting and Optimize tables against the targets of
// factory, one case after another (exporting is the cluster's global state).
func RunComponents(t *testing.T, name string, factory ComponentsFactory) {
	t.Logf("component tables on %s; %s", name, CamundaHowTo)
	for _, group := range [][]componentCase{zeebeCases, exportingCases, optimizeCases} {
		for _, c := range group {
			t.Run(c.Name, func(t *testing.T) { c.Run(t, factory(t)) })
		}
	}
}

// poll calls get until done says so or the deadline passes.
func pollUntil(t *testing.T, what string, timeout time.Duration, get func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 500*time.Millisecond) {
		ok, state := get()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still %s after %v", what, state, timeout)
		}
		time.Sleep(wait) // polling interval, not synchronisation
	}
}

// pollTimeout bounds waiting for a backup to finish: long enough for a real cluster.
const pollTimeout = 5 * time.Minute

// loseFirstPost is a transport that sends the first POST and then reports the connection as
// lost, so that the client must settle the outcome.
type loseFirstPost struct {
	lost atomic.Bool
}

func (l *loseFirstPost) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(r)
	if err == nil && r.Method == http.MethodPost && l.lost.CompareAndSwap(false, true) {
		_ = res.Body.Close()
		return nil, errLost
	}
	return res, err
}

type lostError struct{}

func (lostError) Error() string { return "connection reset by peer (injected)" }

var errLost error = lostError{}

func ctx(t *testing.T) context.Context { return t.Context() }

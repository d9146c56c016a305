package actuator_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/actuator"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  actuator.Config
		want string
	}{
		{"no URL", actuator.Config{}, "URL is required"},
		{"not a URL", actuator.Config{URL: "http://[::1"}, "not a valid URL"},
		{"scheme", actuator.Config{URL: "ftp://host"}, `scheme must be http or https, got "ftp"`},
		{"relative", actuator.Config{URL: "localhost:9600"}, "scheme must be http or https"},
		{"no host", actuator.Config{URL: "http://"}, "no host"},
		{"credentials in URL", actuator.Config{URL: "http://u:secret@host"}, "must not carry credentials"},
		{"query", actuator.Config{URL: "http://host?x=1"}, "query or fragment"},
		{"endpoint", actuator.Config{URL: "http://host", Endpoint: "backup"}, `endpoint must be "backupHistory" or "backups", got "backup"`},
		{"token and basic", actuator.Config{URL: "http://host", Token: "t", Username: "u"}, "either a token or a username"},
		{"password alone", actuator.Config{URL: "http://host", Password: "secret"}, "password needs a username"},
		{"negative retries", actuator.Config{URL: "http://host", Retries: -1}, "must not be negative"},
		{"waits", actuator.Config{URL: "http://host", RetryWait: time.Second, RetryMaxWait: time.Millisecond}, "maximum retry wait"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := actuator.New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Fatalf("error %q reveals a credential", err)
			}
		})
	}
}

// front serves the reference handler over the Elasticsearch driver on the emulator, with a
// hook in front of it that can interfere with requests.
type front struct {
	backend *conformance.Backend
	url     string
	hook    atomic.Pointer[func(w http.ResponseWriter, r *http.Request, next http.Handler)]
	counts  map[string]*atomic.Int64
}

func newFront(t *testing.T, opts server.Options) *front {
	t.Helper()
	f := &front{backend: conformance.NewBackend(t), counts: map[string]*atomic.Int64{}}
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
		f.counts[m] = &atomic.Int64{}
	}
	f.backend.CreateRepository(t, "repo")
	f.backend.SeedCamunda(t, backupapi.Camunda88, "", 1, false)
	driver, err := elastic.New(f.backend.Config("repo", ""))
	if err != nil {
		t.Fatal(err)
	}
	opts.Backups = driver
	h := server.NewHandler(opts)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, ok := f.counts[r.Method]; ok {
			c.Add(1)
		}
		if hook := f.hook.Load(); hook != nil {
			(*hook)(w, r, h)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		hs.Close()
		_ = driver.Close()
	})
	f.url = hs.URL
	return f
}

// interfere applies fn to the next n requests of method.
func (f *front) interfere(method string, n int64, fn func(w http.ResponseWriter, r *http.Request, next http.Handler)) {
	var left atomic.Int64
	left.Store(n)
	hook := func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.Method == method && left.Add(-1) >= 0 {
			fn(w, r, next)
			return
		}
		next.ServeHTTP(w, r)
	}
	f.hook.Store(&hook)
}

// dropConnection closes the connection without an answer.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

func newClient(t *testing.T, cfg actuator.Config) *actuator.Client {
	t.Helper()
	if cfg.RetryWait == 0 {
		cfg.RetryWait, cfg.RetryMaxWait = time.Millisecond, 4*time.Millisecond
	}
	c, err := actuator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRetriesReadsAndDeletes(t *testing.T) {
	f := newFront(t, server.Options{})
	c := newClient(t, actuator.Config{URL: f.url, Retries: 3})
	unavailable := func(status int) func(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
		return func(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"message":"proxy says no"}`))
		}
	}
	drop := func(w http.ResponseWriter, _ *http.Request, _ http.Handler) { dropConnection(w) }
	tests := []struct {
		name string
		fail func(w http.ResponseWriter, r *http.Request, next http.Handler)
	}{
		{"502", unavailable(http.StatusBadGateway)},
		{"503", unavailable(http.StatusServiceUnavailable)},
		{"504", unavailable(http.StatusGatewayTimeout)},
		{"connection dropped", drop},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := f.counts[http.MethodGet].Load()
			f.interfere(http.MethodGet, 2, tc.fail)
			if _, err := c.List(t.Context(), backupapi.ListOptions{Verbose: true}); err != nil {
				t.Fatalf("list after two failures: %v", err)
			}
			if n := f.counts[http.MethodGet].Load() - before; n != 3 {
				t.Fatalf("%d GET requests, want 3", n)
			}
			f.interfere(http.MethodDelete, 2, tc.fail)
			before = f.counts[http.MethodDelete].Load()
			if err := c.Delete(t.Context(), 77); err != nil {
				t.Fatalf("delete after two failures: %v, want success: the retry finds no backup 77", err)
			}
			if n := f.counts[http.MethodDelete].Load() - before; n != 3 {
				t.Fatalf("%d DELETE requests, want 3", n)
			}
		})
	}
	t.Run("gives up", func(t *testing.T) {
		f.interfere(http.MethodGet, 100, unavailable(http.StatusServiceUnavailable))
		before := f.counts[http.MethodGet].Load()
		_, err := c.Get(t.Context(), 1)
		if !errors.Is(err, backupapi.ErrUnavailable) || err.Error() != "proxy says no" {
			t.Fatalf("error %v, want ErrUnavailable with the server's message", err)
		}
		if n := f.counts[http.MethodGet].Load() - before; n != 4 {
			t.Fatalf("%d GET requests, want 1 + 3 retries", n)
		}
	})
	t.Run("POST is not retried", func(t *testing.T) {
		f.interfere(http.MethodPost, 100, unavailable(http.StatusBadGateway))
		before := f.counts[http.MethodPost].Load()
		_, err := c.Create(t.Context(), 5)
		if !errors.Is(err, backupapi.ErrUnavailable) {
			t.Fatalf("error %v, want ErrUnavailable", err)
		}
		if n := f.counts[http.MethodPost].Load() - before; n != 1 {
			t.Fatalf("%d POST requests, want 1", n)
		}
	})
}

func TestCreateWithLostAnswerIsResolvedByGet(t *testing.T) {
	f := newFront(t, server.Options{})
	c := newClient(t, actuator.Config{URL: f.url, Retries: 5})
	var scheduled []string
	f.interfere(http.MethodPost, 1, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r) // the server does the work ...
		scheduled = strings.Split(rec.Body.String(), `"`)
		dropConnection(w) // ... and the answer is lost
	})
	names, err := c.Create(t.Context(), 9)
	if err != nil {
		t.Fatalf("create with a lost answer: %v", err)
	}
	if len(names) != 5 || names[4] != "camunda_webapps_9_8.8.0_part_5_of_5" || !strings.Contains(strings.Join(scheduled, ""), names[4]) {
		t.Fatalf("names %v, want the 5 scheduled parts", names)
	}
	conformance.WaitForState(t, c, 9, backupapi.StateCompleted)

	// A POST lost before it reached the server: the backup does not exist, the error stands.
	f.interfere(http.MethodPost, 1, func(w http.ResponseWriter, _ *http.Request, _ http.Handler) { dropConnection(w) })
	_, err = c.Create(t.Context(), 10)
	if !errors.Is(err, backupapi.ErrUnavailable) || !strings.Contains(err.Error(), "create backup 10") {
		t.Fatalf("error %v, want ErrUnavailable naming the call", err)
	}
}

// TestLostAnswersOfDeleteAndCreate: a DELETE whose answer is lost is retried and its "backup
// not found" means done (a missing repository does not); a POST answered 504 by a proxy that
// gave up is decided by a GET.
func TestLostAnswersOfDeleteAndCreate(t *testing.T) {
	f := newFront(t, server.Options{})
	c := newClient(t, actuator.Config{URL: f.url, Retries: 5})
	gatewayTimeout := func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		next.ServeHTTP(httptest.NewRecorder(), r) // the server does the work ...
		w.WriteHeader(http.StatusGatewayTimeout)  // ... and the proxy stopped waiting
	}
	f.interfere(http.MethodPost, 1, gatewayTimeout)
	names, err := c.Create(t.Context(), 3)
	if err != nil || len(names) != 5 {
		t.Fatalf("create answered 504 after the server started it: %v, %v; want the 5 scheduled parts", names, err)
	}
	conformance.WaitForState(t, c, 3, backupapi.StateCompleted)

	f.interfere(http.MethodDelete, 1, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		next.ServeHTTP(httptest.NewRecorder(), r)
		dropConnection(w)
	})
	if err := c.Delete(t.Context(), 3); err != nil {
		t.Fatalf("delete whose answer was lost: %v, want success", err)
	}
	if _, err := c.Get(t.Context(), 3); !errors.Is(err, backupapi.ErrNotFound) {
		t.Fatalf("after the delete: %v, want not found", err)
	}
	if err := c.Delete(t.Context(), 3); !errors.Is(err, backupapi.ErrNotFound) {
		t.Fatalf("delete of a backup that is gone, answered at once: %v, want not found", err)
	}

	// A retry answered 404 because the repository is gone is no success: the backup may
	// still be there.
	var attempt atomic.Int64
	f.interfere(http.MethodDelete, 2, func(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
		if attempt.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"message":"No repository with name [backups] could be found."}`)
	})
	if err := c.Delete(t.Context(), 3); !errors.Is(err, backupapi.ErrRepositoryMissing) {
		t.Fatalf("retried delete answered repository missing: %v, want the repository error", err)
	}

	// 504 for a POST that never reached the server: the GET finds nothing, the 504 stands.
	f.interfere(http.MethodPost, 1, func(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
		w.WriteHeader(http.StatusGatewayTimeout)
	})
	if _, err := c.Create(t.Context(), 4); !errors.Is(err, backupapi.ErrUnavailable) {
		t.Fatalf("create answered 504 before reaching the server: %v, want unavailable", err)
	}
}

// TestRequestTimeout: a server that does not answer within the request timeout gives a
// clear unavailable error, after the retries.
func TestRequestTimeout(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int64
	hs := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		calls.Add(1)
		<-release
	}))
	t.Cleanup(func() { close(release); hs.Close() })
	c := newClient(t, actuator.Config{URL: hs.URL, Timeout: 50 * time.Millisecond, Retries: 1})
	_, err := c.Get(t.Context(), 1)
	if !errors.Is(err, backupapi.ErrUnavailable) || !strings.Contains(err.Error(), "get backup 1: no answer from the backup API") {
		t.Fatalf("error %v, want ErrUnavailable saying there was no answer", err)
	}
	if calls.Load() != 2 {
		t.Errorf("%d requests, want 1 + 1 retry", calls.Load())
	}
}

func TestAuthAndEndpoint(t *testing.T) {
	f := newFront(t, server.Options{BearerToken: "tok", Standalone: true})
	for _, endpoint := range []string{"", actuator.EndpointHistory, actuator.EndpointStandalone} {
		c := newClient(t, actuator.Config{URL: f.url + "/", Endpoint: endpoint, Token: "tok"})
		if _, err := c.List(t.Context(), backupapi.ListOptions{}); err != nil {
			t.Fatalf("list on %q with the token: %v", endpoint, err)
		}
	}
	c := newClient(t, actuator.Config{URL: f.url, Token: "wrong"})
	_, err := c.List(t.Context(), backupapi.ListOptions{})
	if !errors.Is(err, backupapi.ErrInvalid) || err.Error() != "Authentication required." {
		t.Fatalf("wrong token: %v", err)
	}
	basic := newFront(t, server.Options{Username: "u", Password: "p"})
	c = newClient(t, actuator.Config{URL: basic.url, Username: "u", Password: "p"})
	if _, err := c.List(t.Context(), backupapi.ListOptions{}); err != nil {
		t.Fatalf("basic auth: %v", err)
	}
}

func TestUnreachableServer(t *testing.T) {
	hs := httptest.NewServer(http.NotFoundHandler())
	url := hs.URL
	hs.Close()
	c := newClient(t, actuator.Config{URL: url, Retries: 2})
	_, err := c.Get(t.Context(), 1)
	if !errors.Is(err, backupapi.ErrUnavailable) || !strings.Contains(err.Error(), "get backup 1: cannot reach the backup API at "+url) {
		t.Fatalf("error %v, want ErrUnavailable naming the call and the API", err)
	}
	if _, err := c.Create(t.Context(), 0); !errors.Is(err, backupapi.ErrInvalid) {
		t.Fatalf("create 0: %v, want ErrInvalid before any request", err)
	}
}

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
		{"path ends with /actuator", actuator.Config{URL: "http://host:9600/actuator"}, `without "/actuator"`},
		{"path ends with /actuator/", actuator.Config{URL: "http://host:9600/actuator/"}, `without "/actuator"`},
		{"path ends with the endpoint", actuator.Config{URL: "http://host:9600/actuator/backupHistory"}, `without "/actuator/backupHistory"`},
		{"path ends with the standalone endpoint", actuator.Config{URL: "https://host/mgmt/actuator/backups", Username: "u", Password: "secret"}, `without "/mgmt/actuator/backups"`},
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
			if tc.cfg.URL != "" && tc.cfg.Endpoint == "" && tc.cfg.Token == "" && tc.cfg.Password == "" && tc.cfg.Retries == 0 && tc.cfg.RetryWait == 0 {
				// A problem of the URL alone: CheckURL reports it the same way.
				if uerr := actuator.CheckURL(tc.cfg.URL); uerr == nil || uerr.Error() != err.Error() {
					t.Fatalf("CheckURL(%q) = %v, want %v", tc.cfg.URL, uerr, err)
				}
			}
		})
	}
	for _, ok := range []string{"http://host:9600", "https://host/camunda/", "http://host/actuator-gateway", "http://host/mgmt"} {
		if err := actuator.CheckURL(ok); err != nil {
			t.Errorf("CheckURL(%q) = %v, want nil", ok, err)
		}
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
	basic := newFront(t, server.Options{Username: "u", Password: "p"})
	c := newClient(t, actuator.Config{URL: basic.url, Username: "u", Password: "p"})
	if _, err := c.List(t.Context(), backupapi.ListOptions{}); err != nil {
		t.Fatalf("basic auth: %v", err)
	}
}

// TestAuthenticationFailures: 401 and 403 say that authentication failed, where, and which
// settings to check, without revealing the credentials sent.
func TestAuthenticationFailures(t *testing.T) {
	token := newFront(t, server.Options{BearerToken: "tok"})
	basic := newFront(t, server.Options{Username: "u", Password: "p"})
	forbidden := newFront(t, server.Options{})
	forbidden.interfere(http.MethodGet, 1000, func(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, "<html><body>Forbidden</body></html>")
	})
	tests := []struct {
		name   string
		cfg    actuator.Config
		status string
		advice string
	}{
		{"wrong token", actuator.Config{URL: token.url, Token: "wrong-secret"}, "401 Unauthorized (\"Authentication required.\")", "check the bearer token"},
		{"no credentials", actuator.Config{URL: token.url}, "401 Unauthorized", "requires credentials: set a token, or a username and password"},
		{"wrong password", actuator.Config{URL: basic.url, Username: "u", Password: "wrong-secret"}, "401 Unauthorized", "check the username and password"},
		{"403 from a proxy", actuator.Config{URL: forbidden.url, Token: "a-secret"}, "403 Forbidden with a body of type text/html", "check the bearer token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, tt.cfg)
			_, err := c.Get(t.Context(), 1)
			if !errors.Is(err, backupapi.ErrUnauthorized) || errors.Is(err, backupapi.ErrInvalid) {
				t.Fatalf("error %v, want ErrUnauthorized only", err)
			}
			msg := err.Error()
			for _, want := range []string{"authentication failed: GET " + tt.cfg.URL + "/actuator/backupHistory/1 answered " + tt.status, tt.advice} {
				if !strings.Contains(msg, want) {
					t.Fatalf("message %q, want it to contain %q", msg, want)
				}
			}
			if strings.Contains(msg, "secret") {
				t.Fatalf("message %q reveals a credential", msg)
			}
		})
	}
}

// TestNotFoundOnlyWhenTheAPISaysSo: a 404 is "backup not found" only with the contract's
// answer; any other 404 is an error naming the URL that answered, and a delete never takes
// it for success, also on a retry.
func TestNotFoundOnlyWhenTheAPISaysSo(t *testing.T) {
	f := newFront(t, server.Options{})
	answer := func(contentType, body string) func(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
		return func(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, body)
		}
	}
	tests := []struct {
		name    string
		answer  func(w http.ResponseWriter, r *http.Request, next http.Handler)
		kind    error
		message string
	}{
		{"a proxy's HTML page", answer("text/html", "<html><head><title>404 Not Found</title></head><body><center>nginx</center></body></html>"),
			backupapi.ErrEndpointNotFound, "404 Not Found with a body of type text/html"},
		{"Spring Boot's default 404", answer("application/json",
			`{"timestamp":"2026-01-01T10:00:00.000+00:00","status":404,"error":"Not Found","path":"/actuator/backupHistory/5"}`),
			backupapi.ErrEndpointNotFound, "404 Not Found with a body of type application/json"},
		{"Spring Boot's 404 with a message", answer("application/json",
			`{"timestamp":"2026-01-01T10:00:00.000+00:00","status":404,"error":"Not Found","message":"No static resource actuator/backupHistory/5.","path":"/actuator/backupHistory/5"}`),
			backupapi.ErrEndpointNotFound, `404 Not Found ("No static resource actuator/backupHistory/5.")`},
		{"an empty 404", answer("text/plain", ""), backupapi.ErrEndpointNotFound, "404 Not Found with no body"},
		{"the contract's 404", answer("application/json", `{"message":"No backup with id [5] found."}`),
			backupapi.ErrNotFound, "No backup with id [5] found."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t, actuator.Config{URL: f.url, Username: "u", Password: "secret", Retries: 2})
			wantURL := f.url + "/actuator/backupHistory/5"
			check := func(call string, err error) {
				t.Helper()
				if !errors.Is(err, tt.kind) {
					t.Fatalf("%s: %v, want kind %v", call, err, tt.kind)
				}
				if !strings.Contains(err.Error(), tt.message) {
					t.Fatalf("%s: message %q, want it to contain %q", call, err, tt.message)
				}
				if tt.kind == backupapi.ErrEndpointNotFound {
					if errors.Is(err, backupapi.ErrNotFound) || !strings.Contains(err.Error(), wantURL) {
						t.Fatalf("%s: %q, want an endpoint error naming %s", call, err, wantURL)
					}
				}
				if strings.Contains(err.Error(), "secret") {
					t.Fatalf("%s: message %q reveals a credential", call, err)
				}
			}
			f.interfere(http.MethodGet, 1, tt.answer)
			_, err := c.Get(t.Context(), 5)
			check("get", err)

			f.interfere(http.MethodDelete, 1, tt.answer)
			check("delete", c.Delete(t.Context(), 5))

			// The first answer of a delete is lost; the retry's 404 counts as done only
			// when it is the contract's.
			var attempt atomic.Int64
			f.interfere(http.MethodDelete, 2, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				if attempt.Add(1) == 1 {
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				tt.answer(w, r, next)
			})
			err = c.Delete(t.Context(), 5)
			if tt.kind == backupapi.ErrNotFound {
				if err != nil {
					t.Fatalf("retried delete answered the contract's 404: %v, want success", err)
				}
			} else {
				check("retried delete", err)
			}
		})
	}
	t.Run("wrong base path", func(t *testing.T) {
		c := newClient(t, actuator.Config{URL: f.url + "/camunda"})
		_, err := c.List(t.Context(), backupapi.ListOptions{})
		want := "GET " + f.url + "/camunda/actuator/backupHistory answered 404 Not Found (\"No endpoint GET /camunda/actuator/backupHistory.\")"
		if !errors.Is(err, backupapi.ErrEndpointNotFound) || !strings.Contains(err.Error(), want) {
			t.Fatalf("list under a wrong path: %v, want an endpoint error containing %q", err, want)
		}
	})
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

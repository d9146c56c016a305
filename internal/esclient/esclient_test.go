package esclient

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestNewRejectsBadAddresses(t *testing.T) {
	for _, tc := range []struct {
		name      string
		addresses []string
		want      string
	}{
		{"none", nil, "no elasticsearch address"},
		{"no scheme", []string{"localhost:9200"}, "address 1 is not an http or https URL"},
		{"other scheme", []string{"http://ok:9200", "ftp://es:21"}, "address 2 is not an http or https URL"},
		{"no host", []string{"http://"}, "address 1 is not an http or https URL"},
		{"unparsable, with a secret", []string{"http://user:s3cret@%zz"}, "address 1 is not an http or https URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(Config{Addresses: tc.addresses})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New(%q) = %v, want an error containing %q", tc.addresses, err, tc.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("the error shows the address's secret: %v", err)
			}
		})
	}
}

// TestProductCheck: successful answers without Elasticsearch's product header are refused;
// errors pass, as they may come from a proxy in front of Elasticsearch.
func TestProductCheck(t *testing.T) {
	for _, tc := range []struct {
		name    string
		header  string
		status  int
		wantErr error
	}{
		{"Elasticsearch", "Elasticsearch", http.StatusOK, nil},
		{"another server", "", http.StatusOK, ErrNotElasticsearch},
		{"another product", "Kibana", http.StatusOK, ErrNotElasticsearch},
		{"an error without the header", "", http.StatusNotFound, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if tc.header != "" {
					w.Header().Set("X-Elastic-Product", tc.header)
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(`{}`))
			}))
			defer srv.Close()
			es, err := New(Config{Addresses: []string{srv.URL}})
			if err != nil {
				t.Fatal(err)
			}
			res, err := es.Info()
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Info() error = %v, want %v", err, tc.wantErr)
			}
			if err == nil {
				defer res.Body.Close()
				if res.StatusCode != tc.status {
					t.Errorf("status %d, want %d", res.StatusCode, tc.status)
				}
			}
		})
	}
}

func TestCredentialsAndRetries(t *testing.T) {
	for _, tc := range []struct {
		name         string
		cfg          Config
		wantAuth     string
		wantRequests int32
	}{
		{"basic", Config{Username: "elastic", Password: "pw"}, "Basic ZWxhc3RpYzpwdw==", 1},
		{"API key wins over basic", Config{Username: "elastic", Password: "pw", APIKey: "a2V5"}, "APIKey a2V5", 1},
		{"none, two retries", Config{MaxRetries: 2}, "", 3},
		// A negative retry count means no retries, not no request.
		{"negative retries", Config{MaxRetries: -1}, "", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				if got := r.Header.Get("Authorization"); got != tc.wantAuth {
					t.Errorf("Authorization %q, want %q", got, tc.wantAuth)
				}
				w.Header().Set("X-Elastic-Product", "Elasticsearch")
				w.WriteHeader(http.StatusServiceUnavailable)
			}))
			defer srv.Close()
			cfg := tc.cfg
			cfg.Addresses = []string{srv.URL}
			es, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			res, err := es.Info()
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if got, want := calls.Load(), tc.wantRequests; got != want {
				t.Errorf("%d requests for a 503, want %d", got, want)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	b := Backoff(100*time.Millisecond, time.Second)
	for _, tc := range []struct {
		retry   int
		ceiling time.Duration
	}{{1, 100 * time.Millisecond}, {2, 200 * time.Millisecond}, {4, 800 * time.Millisecond}, {5, time.Second}, {70, time.Second}} {
		seen := map[time.Duration]bool{}
		for range 200 {
			d := b(tc.retry)
			if d < 0 || d > tc.ceiling {
				t.Fatalf("retry %d waits %v, want 0 to %v", tc.retry, d, tc.ceiling)
			}
			seen[d] = true
		}
		if len(seen) < 100 {
			t.Errorf("retry %d: only %d different waits in 200: no jitter", tc.retry, len(seen))
		}
	}
}

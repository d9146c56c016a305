package elastic_test

import (
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/esemu"
)

func TestNewRejectsBadConfiguration(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  elastic.Config
		want string
	}{
		{"address not a URL", elastic.Config{Addresses: []string{"http://user:secret@[::1"}}, "not a valid URL"},
		{"address without scheme", elastic.Config{Addresses: []string{"localhost:9200"}}, "scheme must be http or https"},
		{"address without host", elastic.Config{Addresses: []string{"http://"}}, "has no host"},
		{"unreadable CA", elastic.Config{CACert: []byte("not a certificate")}, "no PEM certificate"},
		{"version with underscore", elastic.Config{Version: "8_8"}, "must not contain '_'"},
		{"CA with a custom transport", elastic.Config{Insecure: true, Transport: http.DefaultTransport}, "custom transport"},
		{"negative snapshot timeout", elastic.Config{SnapshotTimeout: -1}, "must not be negative"},
		{"negative retry wait", elastic.Config{RetryWait: -time.Second}, "retry waits must not be negative"},
		{"longest retry wait shorter than the first", elastic.Config{RetryWait: time.Second, RetryMaxWait: time.Millisecond}, "shorter than the first"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := elastic.New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v, want an error containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Fatalf("error %q reveals a credential", err)
			}
		})
	}
}

func TestVersionIsLowerCasedIntoNames(t *testing.T) {
	b := conformance.NewBackend(t)
	b.CreateRepository(t, "repo")
	b.SeedCamunda(t, backupapi.Camunda88, "", 1, false)
	cfg := b.Config("repo", "")
	cfg.Version = "8.9.0-ALPHA1"
	c := newClient(t, cfg)
	if c.(*elastic.Client).Repository() != "repo" {
		t.Fatalf("Repository() = %q", c.(*elastic.Client).Repository())
	}
	names, err := c.Create(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"camunda_webapps_1_8.9.0-alpha1_part_1_of_5", "camunda_webapps_1_8.9.0-alpha1_part_5_of_5"}
	if len(names) != 5 || names[0] != want[0] || names[4] != want[1] {
		t.Fatalf("names %v, want %v ... %v", names, want[0], want[1])
	}
	got := conformance.WaitForState(t, c, 1, backupapi.StateCompleted)
	if !slices.Equal(got.SnapshotNames(), names) || got.Snapshots[0].Metadata.Version != "8.9.0-alpha1" {
		t.Fatalf("backup %+v", got)
	}
}

// TestAddressOfAnotherServer: an address that answers, but not as Elasticsearch (a web
// application's port, say), is reported as such and its answer never read as snapshots.
func TestAddressOfAnotherServer(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"snapshots":[{"snapshot":"camunda_webapps_1_8.8.0_part_1_of_1","state":"SUCCESS"}]}`))
	}))
	defer other.Close()
	c, err := elastic.New(elastic.Config{Addresses: []string{other.URL}, Repository: "camunda", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Get(t.Context(), 1)
	if !errors.Is(err, backupapi.ErrUnavailable) || !strings.Contains(err.Error(), "is not Elasticsearch") {
		t.Fatalf("Get from a server that is not Elasticsearch: %v, want unavailable, saying it is not Elasticsearch", err)
	}
}

// TestTLS serves Elasticsearch over https with a certificate of its own: the driver trusts it
// with the CA certificate configured, or with insecure, and refuses it otherwise.
func TestTLS(t *testing.T) {
	emu, err := esemu.New(esemu.Config{DataDir: t.TempDir(), PathRepo: []string{t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewTLSServer(emu.Handler())
	t.Cleanup(func() {
		hs.Close()
		_ = emu.Close()
	})
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: hs.Certificate().Raw})
	for _, tc := range []struct {
		name string
		cfg  elastic.Config
		ok   bool
	}{
		{"CA certificate", elastic.Config{CACert: ca}, true},
		{"insecure", elastic.Config{Insecure: true}, true},
		{"neither", elastic.Config{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Addresses, tc.cfg.MaxRetries = []string{hs.URL}, -1
			c, err := elastic.New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			err = c.Ping(t.Context())
			if tc.ok && err != nil {
				t.Fatalf("Ping over https: %v", err)
			}
			if !tc.ok && !errors.Is(err, backupapi.ErrUnavailable) {
				t.Fatalf("Ping of an untrusted certificate: %v, want unavailable", err)
			}
		})
	}
}

// TestUnavailableStatuses: 502, 503 and 504 from Elasticsearch (or a proxy in front of it) mean
// it cannot answer now; any other error status is an error of the call.
func TestUnavailableStatuses(t *testing.T) {
	b := conformance.NewBackend(t)
	faults := b.RequireEmulator(t).Faults()
	b.CreateRepository(t, "repo")
	cfg := b.Config("repo", "")
	cfg.MaxRetries = -1
	c := newClient(t, cfg)
	for status, kind := range map[int]error{
		http.StatusBadGateway:          backupapi.ErrUnavailable,
		http.StatusServiceUnavailable:  backupapi.ErrUnavailable,
		http.StatusGatewayTimeout:      backupapi.ErrUnavailable,
		http.StatusInternalServerError: backupapi.ErrInternal,
	} {
		faults.FailNextRequests(1, status)
		if _, err := c.List(t.Context(), backupapi.ListOptions{}); !errors.Is(err, kind) {
			t.Errorf("list answered %d: %v, want %v", status, err, kind)
		}
	}
}

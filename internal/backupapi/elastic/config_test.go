package elastic_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
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

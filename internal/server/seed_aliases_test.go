package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// TestSeedCarriesAliasesAndMappings: every index the embedded Elasticsearch is seeded with
// has the alias Camunda 8.8 reads it through and the mappings of its sample documents, and
// the alias counts the index's documents.
func TestSeedCarriesAliasesAndMappings(t *testing.T) {
	srv, err := server.Start(context.Background(), server.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), SeedDocuments: 66, SnapshotDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	es := srv.ElasticsearchURL()
	getJSON := func(path string) map[string]any {
		t.Helper()
		res, err := http.Get(es + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		data, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, res.StatusCode, data)
		}
		var v map[string]any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return v
	}
	aliases := getJSON("/_alias")
	mappings := getJSON("/_mapping")
	names := backupapi.Camunda88.Indices("")
	for _, name := range names {
		entry, _ := aliases[name].(map[string]any)
		if a, _ := entry["aliases"].(map[string]any); a[name+"alias"] == nil {
			t.Errorf("%s: no alias %salias: %v", name, name, entry)
		}
		m, _ := mappings[name].(map[string]any)
		props, _ := m["mappings"].(map[string]any)["properties"].(map[string]any)
		if key, _ := props["key"].(map[string]any); key["type"] != "long" {
			t.Errorf("%s: mappings %v", name, m)
		}
	}
	count := getJSON("/" + names[0] + "alias/_count")
	if count["count"] != float64(2) {
		t.Errorf("count through %salias: %v, want 2", names[0], count)
	}
}

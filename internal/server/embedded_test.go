package server_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/actuator"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/esclient"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// TestEmbeddedWithoutSeed: with NoSeed (--no-seed) the embedded Elasticsearch has the
// snapshot repository but none of Camunda's indices, so a backup is refused with the
// contract's "Missing indices" until the web applications have created them.
func TestEmbeddedWithoutSeed(t *testing.T) {
	srv, err := server.Start(context.Background(), server.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), NoSeed: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	es, err := esclient.New(esclient.Config{Addresses: []string{srv.ElasticsearchURL()}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := es.Cat.Indices(es.Cat.Indices.WithFormat("json"))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if body := res.String(); res.StatusCode != 200 || !strings.HasSuffix(strings.TrimSpace(body), "[]") {
		t.Errorf("indices of an unseeded server: %s, want none", body)
	}
	api, err := actuator.New(actuator.Config{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	if list, err := api.List(t.Context(), backupapi.ListOptions{}); err != nil || len(list) != 0 {
		t.Errorf("list: %v, %v; want the repository, empty", list, err)
	}
	_, err = api.Create(t.Context(), 1)
	if !errors.Is(err, backupapi.ErrMissingIndices) || !strings.HasPrefix(err.Error(), "Missing indices: [operate-import-position-8.3.0_, ") {
		t.Errorf("create without the index set: %v, want Missing indices", err)
	}
}

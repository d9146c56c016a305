package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
)

// restoreFixture is an Elasticsearch backend seeded with Camunda's indices and a foreign
// index, and a completed backup of them.
type restoreFixture struct {
	es      *conformance.Backend
	backend *testBackend
	indices []string
}

const (
	restoreDocs  = 3
	foreignIndex = "billing-records"
	restoreID    = 201
)

func newRestoreFixture(t *testing.T) restoreFixture {
	t.Helper()
	es := conformance.NewBackend(t)
	es.CreateRepository(t, testRepository)
	indices := es.SeedCamunda(t, backupapi.Camunda88, "", restoreDocs, false)
	es.CreateIndices(t, foreignIndex)
	client, err := elastic.New(es.Config(testRepository, ""))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	b := &testBackend{name: backendElasticsearch, url: es.URL, client: client, emulator: es.Emulator}
	createBackup(t, b, restoreID, backupapi.StateCompleted)
	return restoreFixture{es: es, backend: b, indices: indices}
}

// count is the number of documents of index, -1 when it does not exist.
func (f restoreFixture) count(t *testing.T, index string) int {
	t.Helper()
	res, err := f.es.ES.Count(f.es.ES.Count.WithIndex(index))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		return -1
	}
	var n struct{ Count int }
	if err := json.NewDecoder(res.Body).Decode(&n); err != nil || res.IsError() {
		t.Fatalf("count %s: %v %s", index, err, res.Status())
	}
	return n.Count
}

// write adds a document to index, as the web applications would after the backup.
func (f restoreFixture) write(t *testing.T, index, id string) {
	t.Helper()
	res, err := f.es.ES.Index(index, strings.NewReader(`{"written":"after the backup"}`), f.es.ES.Index.WithDocumentID(id), f.es.ES.Index.WithRefresh("true"))
	if err != nil || res.IsError() {
		t.Fatalf("write to %s: %v %v", index, err, res)
	}
	res.Body.Close()
}

func restoreConfig(id, confirm int64) map[string]tftypes.Value {
	return map[string]tftypes.Value{"backup_id": number(id), "confirm_backup_id": number(confirm)}
}

// TestProtocolRestoreAction changes and deletes data after a backup, restores it with the
// action, and finds every document of the backup back, nothing written after it, the aliases
// resolving, and the foreign index untouched.
func TestProtocolRestoreAction(t *testing.T) {
	parallel(t)
	f := newRestoreFixture(t)
	f.write(t, f.indices[0], "late")
	f.write(t, foreignIndex, "late")
	f.es.DeleteIndices(t, f.indices[1])

	server, schemas := protocolServer(t, f.backend)
	progress, diags := invokeAction(t, server, schemas, "camunda_webapp_restore", restoreConfig(restoreID, restoreID))
	if hasErrors(diags) {
		t.Fatalf("restore: %s", diagText(diags))
	}
	if all := strings.Join(progress, "\n"); !regexp.MustCompile(`part 1 of \d+ restored`).MatchString(all) || !strings.Contains(all, "--backupId=201") {
		t.Errorf("progress does not report the parts and the Zeebe step:\n%s", all)
	}
	for _, index := range f.indices {
		if n := f.count(t, index); n != restoreDocs {
			t.Errorf("index %s has %d documents after the restore, want the backup's %d", index, n, restoreDocs)
		}
	}
	// The deleted index came back with its alias: Camunda reads it through the alias.
	if n := f.count(t, f.indices[1]+"alias"); n != restoreDocs {
		t.Errorf("alias %salias resolves to %d documents after the restore, want %d", f.indices[1], n, restoreDocs)
	}
	if n := f.count(t, foreignIndex); n != 2 {
		t.Errorf("the foreign index has %d documents, want its 2 untouched", n)
	}
}

// TestProtocolRestoreStopsAtAFailedPart fails the restore of part 3: the action stops there
// and says which parts were restored and which were not.
func TestProtocolRestoreStopsAtAFailedPart(t *testing.T) {
	parallel(t)
	f := newRestoreFixture(t)
	target, _ := url.Parse(f.es.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.Contains(r.URL.Path, "_part_3_of_") && strings.HasSuffix(r.URL.Path, "/_restore") {
			w.Header().Set("X-Elastic-Product", "Elasticsearch")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"error":{"root_cause":[],"type":"snapshot_restore_exception","reason":"injected"},"status":500}`)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(failing.Close)
	b := *f.backend
	b.url = failing.URL
	server, schemas := protocolServer(t, &b)
	_, diags := invokeAction(t, server, schemas, "camunda_webapp_restore", restoreConfig(restoreID, restoreID))
	text := diagText(diags)
	for _, want := range []string{"Restore Stopped", "part_3_of_", "restored: camunda_webapps_201_8.8.0_part_1_of_", "not restored: camunda_webapps_201_8.8.0_part_3_of_"} {
		if !strings.Contains(text, want) {
			t.Errorf("diagnostics lack %q:\n%s", want, text)
		}
	}
}

// TestProtocolRestoreRefusals: no restore without the confirmation, nor on the actuator
// backend.
func TestProtocolRestoreRefusals(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *testBackend) {
		server, schemas := protocolServer(t, b)
		want := "confirm_backup_id must equal backup_id"
		config := restoreConfig(5, 6)
		if b.name == backendActuator {
			want, config = "needs the provider's elasticsearch block", restoreConfig(5, 5)
		}
		_, diags := invokeAction(t, server, schemas, "camunda_webapp_restore", config)
		if text := diagText(diags); !hasErrors(diags) || !strings.Contains(text, want) {
			t.Errorf("diagnostics %q, want an error saying %q", text, want)
		}
	})
}

// TestProtocolRestoreWholeSet restores the other snapshots of a whole backup too: Optimize's
// parts and the zeebe-record snapshot, each index back as it was in its snapshot.
func TestProtocolRestoreWholeSet(t *testing.T) {
	parallel(t)
	f := newRestoreFixture(t)
	const optimizeIndex, recordsIndex = "optimize-process-instance", "zeebe-record-job"
	f.es.CreateIndices(t, optimizeIndex, recordsIndex)
	f.es.Snapshot(t, testRepository, backupapi.OptimizeSnapshotName(restoreID, "8.8.0", 1), optimizeIndex)
	f.es.Snapshot(t, testRepository, backupapi.OptimizeSnapshotName(restoreID, "8.8.0", 2), optimizeIndex)
	f.es.Snapshot(t, testRepository, backupapi.ZeebeRecordsSnapshotName(restoreID), recordsIndex)
	f.write(t, optimizeIndex, "late")
	f.es.DeleteIndices(t, recordsIndex)

	server, schemas := protocolServer(t, f.backend)
	config := restoreConfig(restoreID, restoreID)
	config["whole_set"] = tftypes.NewValue(tftypes.Bool, true)
	progress, diags := invokeAction(t, server, schemas, "camunda_webapp_restore", config)
	if hasErrors(diags) {
		t.Fatalf("restore: %s", diagText(diags))
	}
	all := strings.Join(progress, "\n")
	for _, want := range []string{"camunda_optimize_201_8.8.0_part_2_of_2", "camunda_zeebe_records_backup_201"} {
		if !strings.Contains(all, want) {
			t.Errorf("progress does not name %s:\n%s", want, all)
		}
	}
	for _, index := range []string{optimizeIndex, recordsIndex} {
		if n := f.count(t, index); n != 1 {
			t.Errorf("index %s has %d documents after the restore, want its snapshot's 1", index, n)
		}
	}
}

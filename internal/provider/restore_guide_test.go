package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/actuator"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// TestRestoreGuideScript runs the restore guide's script as written against the reference
// server's embedded Elasticsearch, protected as it is when the backup API is: it restores a
// backup whose indices were changed and deleted since, and, when a part fails, it stops there
// with a non-zero exit.
func TestRestoreGuideScript(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the guide's script needs %s, which is not on PATH", tool)
		}
	}
	parallel(t)
	script, err := filepath.Abs(filepath.Join("..", "..", "examples", "guides", "restore", "restore.sh"))
	if err != nil {
		t.Fatal(err)
	}
	const password = "guide-password"
	srv, err := server.Start(context.Background(), server.Config{
		Listen: "127.0.0.1:0", DataDir: t.TempDir(), Repository: testRepository, SeedDocuments: 4,
		SnapshotDelay: time.Millisecond, APIToken: "guide-token", ElasticPassword: password,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	client, err := actuator.New(actuator.Config{URL: srv.URL(), Token: "guide-token"})
	if err != nil {
		t.Fatal(err)
	}
	b := &testBackend{name: backendActuator, client: client}
	createBackup(t, b, 301, backupapi.StateCompleted)
	backup, err := client.Get(context.Background(), 301)
	if err != nil {
		t.Fatal(err)
	}

	es := esOf(t, srv.ElasticsearchURL(), "elastic", password)
	indices := conformance.CamundaIndices(backupapi.Camunda88, "", false)
	before := es.count(t, indices[0])
	es.do(t, http.MethodPut, "/"+indices[0]+"/_doc/written-after-the-backup?refresh=true", `{"late":true}`)
	es.do(t, http.MethodDelete, "/"+indices[1], "")

	run := func(esURL string) (string, error) {
		cmd := exec.Command("bash", script)
		cmd.Env = append(os.Environ(), "ES="+esURL, "REPOSITORY="+testRepository, "BACKUP_ID=301", "ES_AUTH=elastic:"+password)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	t.Run("a part fails", func(t *testing.T) {
		target, _ := url.Parse(srv.ElasticsearchURL())
		proxy := httputil.NewSingleHostReverseProxy(target)
		failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, "_part_2_of_") && strings.HasSuffix(r.URL.Path, "/_restore") {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusInternalServerError)
				fmt.Fprint(w, `{"error":{"type":"snapshot_restore_exception","reason":"injected"},"status":500}`)
				return
			}
			proxy.ServeHTTP(w, r)
		}))
		defer failing.Close()
		out, err := run(failing.URL)
		if err == nil || !strings.Contains(out, "part_1_of_") || strings.Contains(out, "part_3_of_") {
			t.Errorf("the script did not stop at part 2 (err %v):\n%s", err, out)
		}
	})

	t.Run("every part", func(t *testing.T) {
		out, err := run(srv.ElasticsearchURL())
		if err != nil {
			t.Fatalf("the script failed: %v\n%s", err, out)
		}
		if !strings.Contains(out, "backup 301 restored") || strings.Count(out, "restored and checked") != len(backup.Snapshots) {
			t.Errorf("the script did not restore each of the %d parts:\n%s", len(backup.Snapshots), out)
		}
		for _, index := range indices {
			if got := es.count(t, index); index == indices[0] && got != before {
				t.Errorf("index %s has %d documents after the restore, want the backup's %d", index, got, before)
			} else if got < 0 {
				t.Errorf("index %s is missing after the restore", index)
			}
		}
	})
}

// esHTTP calls an Elasticsearch with basic authentication, for checks outside the code under
// test.
type esHTTP struct {
	url, user, password string
}

func esOf(_ *testing.T, url, user, password string) esHTTP { return esHTTP{url, user, password} }

// do sends a request and fails the test unless it succeeds; it returns the body.
func (e esHTTP) do(t *testing.T, method, path, body string) string {
	t.Helper()
	status, out := e.send(t, method, path, body)
	if status >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, status, out)
	}
	return out
}

func (e esHTTP) send(t *testing.T, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(e.user, e.password)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}

// count is the number of documents of index, -1 when it does not exist.
func (e esHTTP) count(t *testing.T, index string) int {
	t.Helper()
	status, out := e.send(t, http.MethodGet, "/"+index+"/_count", "")
	if status == http.StatusNotFound {
		return -1
	}
	var n struct{ Count int }
	if err := json.Unmarshal([]byte(out), &n); err != nil || status != http.StatusOK {
		t.Fatalf("count %s: %d %s", index, status, out)
	}
	return n.Count
}

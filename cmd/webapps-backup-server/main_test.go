package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
)

// binary is the command built once for the tests that run it as a user would.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "webapps-backup-server-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "webapps-backup-server")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		panic("build: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// process is a running server binary.
type process struct {
	cmd    *exec.Cmd
	lines  chan string // stdout, line by line
	stderr *syncBuffer
	url    string // the backup API's base URL
	esURL  string // the embedded Elasticsearch's URL, if printed
	optURL string // the emulated Optimize's base URL, if printed
}

// syncBuffer is a buffer the command's output goroutine writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs the binary with args and waits for its "listening on" line.
func start(t *testing.T, args ...string) *process {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "XDG_DATA_HOME=", "WEBAPPS_BACKUP_OPTIMIZE_LISTEN=127.0.0.1:0")
	p := &process{cmd: cmd, lines: make(chan string, 100), stderr: &syncBuffer{}}
	cmd.Stderr = p.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	deadline := time.After(60 * time.Second)
	for p.url == "" {
		select {
		case line, ok := <-p.lines:
			if !ok {
				_ = cmd.Wait()
				t.Fatalf("the server exited before listening; stderr:\n%s", p.stderr)
			}
			if v, ok := strings.CutPrefix(line, "embedded Elasticsearch: "); ok {
				p.esURL = v
			}
			if v, ok := strings.CutPrefix(line, "Optimize backup API: "); ok {
				p.optURL = strings.TrimSuffix(v, "/actuator/backups")
			}
			if v, ok := strings.CutPrefix(line, "listening on "); ok {
				p.url = v
			}
		case <-deadline:
			t.Fatal("the server printed no address in 60s")
		}
	}
	return p
}

// call sends a request as the documented curl commands do, and decodes a JSON answer into out.
func call(t *testing.T, method, url, body string, out any) int {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequestWithContext(t.Context(), method, url, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: body %q: %v", method, url, b, err)
		}
	}
	return res.StatusCode
}

// backupState is the part of the state answer the tests read.
type backupState struct {
	BackupID      int64   `json:"backupId"`
	State         string  `json:"state"`
	FailureReason *string `json:"failureReason"`
	Details       []struct {
		SnapshotName string   `json:"snapshotName"`
		State        string   `json:"state"`
		StartTime    *string  `json:"startTime"`
		Failures     []string `json:"failures"`
	} `json:"details"`
}

// waitState polls GET /actuator/backupHistory/{id} until the backup is in state.
func waitState(t *testing.T, base, id, state string) backupState {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var b backupState
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		b = backupState{}
		if call(t, http.MethodGet, base+"/actuator/backupHistory/"+id, "", &b) == http.StatusOK && b.State == state {
			return b
		}
		if time.Now().After(deadline) {
			t.Fatalf("backup %s is %q after 60s, want %s", id, b.State, state)
		}
		time.Sleep(wait) // polling interval, not synchronisation
	}
}

// TestDocumentedCommands runs the curl commands of Camunda's backup API page against the
// binary with the embedded default, and checks the documented statuses and shapes.
func TestDocumentedCommands(t *testing.T) {
	dataDir := t.TempDir()
	p := start(t, "--listen", "127.0.0.1:0", "--embedded-elasticsearch-listen", "127.0.0.1:0", "--data-dir", dataDir, "--seed-documents", "500")

	// curl --request POST 'http://localhost:9600/actuator/backupHistory' -H 'Content-Type: application/json' -d '{ "backupId": 123 }'
	var created backupapi.CreateResponse
	if status := call(t, http.MethodPost, p.url+"/actuator/backupHistory", `{ "backupId": 123 }`, &created); status != http.StatusOK {
		t.Fatalf("create: %d", status)
	}
	if len(created.ScheduledSnapshots) != 5 || created.ScheduledSnapshots[0] != "camunda_webapps_123_8.8.0_part_1_of_5" {
		t.Fatalf("scheduledSnapshots %v, want the 5 parts of backup 123", created.ScheduledSnapshots)
	}
	// curl 'http://localhost:9600/actuator/backupHistory/123'
	b := waitState(t, p.url, "123", "COMPLETED")
	if b.BackupID != 123 || b.FailureReason != nil || len(b.Details) != 5 {
		t.Fatalf("state %+v, want backup 123 with 5 details and a null failureReason", b)
	}
	for i, d := range b.Details {
		if d.SnapshotName != created.ScheduledSnapshots[i] || d.State != "SUCCESS" || d.StartTime == nil || d.Failures == nil {
			t.Fatalf("detail %d: %+v", i, d)
		}
		if _, err := time.Parse(backupapi.TimeLayout, *d.StartTime); err != nil {
			t.Fatalf("startTime %q: %v", *d.StartTime, err)
		}
	}
	// curl 'http://localhost:9600/actuator/backupHistory'
	var list []backupState
	if status := call(t, http.MethodGet, p.url+"/actuator/backupHistory", "", &list); status != http.StatusOK || len(list) != 1 || list[0].State != "COMPLETED" {
		t.Fatalf("list: %d %+v", status, list)
	}
	// The standalone name serves the same.
	if status := call(t, http.MethodGet, p.url+"/actuator/backups/123", "", nil); status != http.StatusOK {
		t.Fatalf("standalone get: %d", status)
	}
	// The snapshots are ordinary Elasticsearch snapshots, for inspection and restore.
	var snaps struct {
		Snapshots []struct{ Snapshot string } `json:"snapshots"`
	}
	if status := call(t, http.MethodGet, p.esURL+"/_snapshot/"+"camunda-backup"+"/camunda_webapps_123_*", "", &snaps); status != http.StatusOK || len(snaps.Snapshots) != 5 {
		t.Fatalf("snapshots in the embedded Elasticsearch: %d %+v", status, snaps)
	}
	// DELETE actuator/backupHistory/123
	if status := call(t, http.MethodDelete, p.url+"/actuator/backupHistory/123", "", nil); status != http.StatusNoContent {
		t.Fatalf("delete: %d", status)
	}
	var e backupapi.ErrorResponse
	if status := call(t, http.MethodGet, p.url+"/actuator/backupHistory/123", "", &e); status != http.StatusNotFound || e.Message != "No backup with id [123] found." {
		t.Fatalf("get after delete: %d %q", status, e.Message)
	}
	var health struct{ Status string }
	if status := call(t, http.MethodGet, p.url+"/actuator/health", "", &health); status != http.StatusOK || health.Status != "UP" {
		t.Fatalf("health: %d %+v", status, health)
	}

	// SIGTERM: a graceful stop with exit code 0.
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v; stderr:\n%s", err, p.stderr)
	}
	if log := p.stderr.String(); !strings.Contains(log, "backup part finished") || !strings.Contains(log, "msg=request") {
		t.Fatalf("log lacks the per-request and per-part lines:\n%s", log)
	}
	// Second start on the same data: the index set is kept, not seeded again.
	p = start(t, "--listen", "127.0.0.1:0", "--embedded-elasticsearch-listen", "127.0.0.1:0", "--data-dir", dataDir)
	if status := call(t, http.MethodPost, p.url+"/actuator/backupHistory", `{"backupId": 124}`, nil); status != http.StatusOK {
		t.Fatalf("create after restart: %d", status)
	}
	waitState(t, p.url, "124", "COMPLETED")
	if strings.Contains(p.stderr.String(), "created the Camunda 8.8 index set") {
		t.Fatal("the index set was seeded again on the second start")
	}
}

// TestRestartDuringBackup kills the server in the middle of a backup and starts it again on
// the same data directory and Elasticsearch: the running part goes on in Elasticsearch, the
// backup reads IN_PROGRESS, then INCOMPLETE once the incomplete-check timeout has passed
// (the parts after the interrupted one were never started); it can be deleted and a new
// backup taken.
func TestRestartDuringBackup(t *testing.T) {
	es := conformance.NewBackend(t)
	es.CreateRepository(t, "camunda-backup")
	es.SeedCamunda(t, backupapi.Camunda88, "", 5, false)
	faults := es.Emulator.Faults()
	faults.HoldSnapshots("camunda_webapps_5_*_part_3_*")
	dataDir := t.TempDir()
	args := []string{"--listen", "127.0.0.1:0", "--elasticsearch-url", es.URL, "--data-dir", dataDir, "--incomplete-check-timeout", "1s"}

	p := start(t, args...)
	if status := call(t, http.MethodPost, p.url+"/actuator/backupHistory", `{"backupId": 5}`, nil); status != http.StatusOK {
		t.Fatalf("create: %d", status)
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(es.SnapshotNames(t, "camunda-backup")) < 3 {
		if time.Now().After(deadline) {
			t.Fatal("part 3 did not start")
		}
		time.Sleep(5 * time.Millisecond) // polling interval, not synchronisation
	}
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()

	p = start(t, args...)
	if b := waitState(t, p.url, "5", "IN_PROGRESS"); len(b.Details) != 3 || b.Details[2].State != "IN_PROGRESS" {
		t.Fatalf("after the restart: %+v, want parts 1-2 done and part 3 running", b)
	}
	faults.ReleaseSnapshots("camunda_webapps_5_*_part_3_*")
	b := waitState(t, p.url, "5", "INCOMPLETE")
	if len(b.Details) != 3 {
		t.Fatalf("incomplete backup %+v: later parts were started after the restart", b)
	}
	if status := call(t, http.MethodDelete, p.url+"/actuator/backupHistory/5", "", nil); status != http.StatusNoContent {
		t.Fatalf("delete the incomplete backup: %d", status)
	}
	if status := call(t, http.MethodPost, p.url+"/actuator/backupHistory", `{"backupId": 6}`, nil); status != http.StatusOK {
		t.Fatalf("a new backup after the restart: %d", status)
	}
	waitState(t, p.url, "6", "COMPLETED")
}

// TestIdleResidentMemory checks the figure of record: the server with the embedded default,
// seeded with its sample documents, stays under 60 MiB resident when idle.
func TestIdleResidentMemory(t *testing.T) {
	p := start(t, "--listen", "127.0.0.1:0", "--embedded-elasticsearch-listen", "127.0.0.1:0", "--data-dir", t.TempDir())
	if status := call(t, http.MethodGet, p.url+"/actuator/backupHistory", "", nil); status != http.StatusOK {
		t.Fatalf("list: %d", status)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Skipf("no /proc to read the resident memory from: %v", err)
	}
	var kib int
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			_, _ = fmt.Sscan(strings.TrimSpace(v), &kib)
		}
	}
	t.Logf("idle resident memory: %.1f MiB", float64(kib)/1024)
	if kib == 0 || kib > 60*1024 {
		t.Fatalf("idle resident memory %d KiB, want under 60 MiB", kib)
	}
}

package reliability

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
)

// The adversarial suite attacks the server binary as an outsider on the same host would: the
// backup API protected by a bearer token (given in the environment), the emulated Optimize's
// port and the embedded Elasticsearch, which the token's presence protects with the generated
// password of the user elastic. Each test checks afterwards that the process still serves,
// that nothing was read, written or deleted without credentials, and that no answer shows a
// host path or a secret.

const advToken = "adversarial-token-0123456789"

// advServer is one run of the binary under attack.
type advServer struct {
	*serverProcess
	dataDir  string
	es       string // base URL of the embedded Elasticsearch
	optimize string // base URL of the emulated Optimize
	password string // of the embedded Elasticsearch's user elastic
}

// startAdversarial starts the binary on dataDir with the API token in the environment, every
// port on a free loopback port; the process is killed at the end of the test.
func startAdversarial(t *testing.T, bin, dataDir string, extra ...string) *advServer {
	t.Helper()
	s, err := startAdversarialErr(bin, dataDir, filepath.Join(t.TempDir(), "server.log"), extra...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.kill)
	return s
}

func advFlags(dataDir string, extra ...string) []string {
	return append([]string{
		"--listen", "127.0.0.1:0", "--embedded-elasticsearch-listen", "127.0.0.1:0", "--optimize-listen", "127.0.0.1:0",
		"--data-dir", dataDir, "--incomplete-check-timeout", "1s", "--seed-documents", "60", "--log-format", "json",
	}, extra...)
}

func advEnv() []string {
	return append(os.Environ(), "WEBAPPS_BACKUP_API_TOKEN="+advToken)
}

func startAdversarialErr(bin, dataDir, logPath string, extra ...string) (*advServer, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(bin, advFlags(dataDir, extra...)...)
	cmd.Env = advEnv()
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the server: %w", err)
	}
	s := &advServer{serverProcess: &serverProcess{cmd: cmd, done: make(chan struct{})}, dataDir: dataDir}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if u, ok := strings.CutPrefix(line, "embedded Elasticsearch: "); ok {
				s.es = u
			} else if u, ok := strings.CutPrefix(line, "Optimize backup API: "); ok {
				s.optimize = strings.TrimSuffix(u, "/actuator/backups")
			} else if u, ok := strings.CutPrefix(line, "listening on "); ok {
				s.url = u
				close(ready)
			}
		}
		_ = cmd.Wait()
		close(s.done)
	}()
	select {
	case <-ready:
	case <-s.done:
		return nil, fmt.Errorf("the server exited at start: %s; see %s", cmd.ProcessState, logPath)
	case <-time.After(30 * time.Second):
		s.kill()
		return nil, fmt.Errorf("the server did not listen within 30s; see %s", logPath)
	}
	pw, err := os.ReadFile(filepath.Join(dataDir, "elastic-password"))
	if err != nil {
		s.kill()
		return nil, fmt.Errorf("read the generated password of elastic: %w", err)
	}
	s.password = strings.TrimSpace(string(pw))
	if s.es == "" || s.optimize == "" || s.password == "" {
		s.kill()
		return nil, fmt.Errorf("the server did not print its embedded Elasticsearch and Optimize URLs, or no password: %+v", s)
	}
	return s, nil
}

// rawReply is an answer read from a request sent byte for byte.
type rawReply struct {
	status int
	header http.Header
	body   string // at most maxRawBody bytes
}

// maxRawBody bounds how much of an answer is read.
const maxRawBody = 8 << 20

// rawRequest is one request as it goes on the wire: the target is not cleaned or re-escaped.
type rawRequest struct {
	method, target string
	header         map[string]string
	body           []byte
	chunked        bool // send the body chunked, without a Content-Length
}

// sendRaw writes the request on a new connection and reads the answer; the body is written
// while the answer is read, so that a server answering early (401, 413) is not blocked on.
func sendRaw(base string, rq rawRequest) (rawReply, error) {
	addr := strings.TrimPrefix(base, "http://")
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return rawReply{}, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(60 * time.Second))
	var head strings.Builder
	fmt.Fprintf(&head, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", rq.method, rq.target, addr)
	for k, v := range rq.header {
		fmt.Fprintf(&head, "%s: %s\r\n", k, v)
	}
	switch {
	case rq.chunked:
		head.WriteString("Transfer-Encoding: chunked\r\n")
	case rq.body != nil:
		fmt.Fprintf(&head, "Content-Length: %d\r\n", len(rq.body))
	}
	head.WriteString("\r\n")
	if _, err := io.WriteString(conn, head.String()); err != nil {
		return rawReply{}, err
	}
	go func() { // errors are expected when the server answers before reading everything
		w := bufio.NewWriterSize(conn, 64<<10)
		for b := rq.body; len(b) > 0; {
			n := min(len(b), 64<<10)
			if rq.chunked {
				fmt.Fprintf(w, "%x\r\n", n)
			}
			if _, err := w.Write(b[:n]); err != nil {
				return
			}
			if rq.chunked {
				_, _ = w.WriteString("\r\n")
			}
			b = b[n:]
		}
		if rq.chunked {
			_, _ = w.WriteString("0\r\n\r\n")
		}
		_ = w.Flush()
	}()
	res, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: rq.method})
	if err != nil {
		return rawReply{}, fmt.Errorf("%s %.80s: %w", rq.method, rq.target, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, maxRawBody))
	return rawReply{status: res.StatusCode, header: res.Header, body: string(b)}, nil
}

// bearer and basic are the Authorization headers of the API and of the embedded Elasticsearch.
func bearer(token string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + token}
}

func basic(user, password string) map[string]string {
	r, _ := http.NewRequest(http.MethodGet, "http://x", nil)
	r.SetBasicAuth(user, password)
	return map[string]string{"Authorization": r.Header.Get("Authorization")}
}

// mustSend sends a request with JSON content and fails the test when it cannot be sent.
func mustSend(t testing.TB, base, method, target string, header map[string]string, body string) rawReply {
	t.Helper()
	h := map[string]string{"Content-Type": "application/json"}
	for k, v := range header {
		h[k] = v
	}
	var b []byte
	if body != "" {
		b = []byte(body)
	}
	r, err := sendRaw(base, rawRequest{method: method, target: target, header: h, body: b})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// checkNoLeak fails the test when an answer shows the data directory, a temporary path, a
// secret, or a Go stack trace.
func (s *advServer) checkNoLeak(t testing.TB, what string, r rawReply) {
	t.Helper()
	for _, secret := range []string{s.dataDir, os.TempDir() + "/", s.password, advToken, "goroutine ", "panic:"} {
		if secret != "" && strings.Contains(r.body, secret) {
			t.Errorf("%s: the answer shows %q: %.300s", what, secret, r.body)
		}
	}
}

// rssKiB is the resident memory of the process, from /proc.
func (s *advServer) rssKiB(t testing.TB) int {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		t.Skipf("no /proc to read the memory of the server: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				t.Fatalf("read VmRSS %q: %v", line, err)
			}
			return n
		}
	}
	t.Fatal("no VmRSS in /proc status")
	return 0
}

// checkServing fails the test unless every port still answers: health on the API and on
// Optimize, an authenticated list, and the embedded Elasticsearch with its credentials.
func (s *advServer) checkServing(t testing.TB) {
	t.Helper()
	select {
	case <-s.done:
		t.Fatalf("the server exited: %s", s.cmd.ProcessState)
	default:
	}
	for _, c := range []struct {
		base, path string
		header     map[string]string
	}{
		{s.url, "/actuator/health", nil},
		{s.url, "/actuator/backupHistory", bearer(advToken)},
		{s.optimize, "/actuator/backups", bearer(advToken)},
		{s.es, "/_cluster/health", basic("elastic", s.password)},
	} {
		r, err := sendRaw(c.base, rawRequest{method: http.MethodGet, target: c.path, header: c.header})
		if err != nil || r.status != http.StatusOK {
			t.Fatalf("GET %s%s after the attack: %d %.200s %v", c.base, c.path, r.status, r.body, err)
		}
	}
}

// truth reads backups straight from the embedded Elasticsearch, with its credentials.
func (s *advServer) truth(t testing.TB) *elastic.Client {
	t.Helper()
	c, err := elastic.New(elastic.Config{Addresses: []string{s.es}, Username: "elastic", Password: s.password, Repository: repo})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// apiBackup reads one backup through the API; ok is false on 404.
func (s *advServer) apiBackup(t testing.TB, id int) (backupapi.Backup, bool) {
	t.Helper()
	r := mustSend(t, s.url, http.MethodGet, "/actuator/backupHistory/"+strconv.Itoa(id), bearer(advToken), "")
	if r.status == http.StatusNotFound {
		return backupapi.Backup{}, false
	}
	var b backupapi.Backup
	if r.status != http.StatusOK || b.UnmarshalJSON([]byte(r.body)) != nil {
		t.Fatalf("get backup %d: %d %.300s", id, r.status, r.body)
	}
	return b, true
}

// takeBackup creates a backup through the API and waits until it is no longer IN_PROGRESS.
func (s *advServer) takeBackup(t testing.TB, id int) backupapi.Backup {
	t.Helper()
	r := mustSend(t, s.url, http.MethodPost, "/actuator/backupHistory", bearer(advToken), fmt.Sprintf(`{"backupId": %d}`, id))
	if r.status != http.StatusOK {
		t.Fatalf("create backup %d: %d %.300s", id, r.status, r.body)
	}
	var b backupapi.Backup
	waitFor(t, fmt.Sprintf("backup %d to end", id), func() bool {
		var ok bool
		b, ok = s.apiBackup(t, id)
		return ok && b.State != backupapi.StateInProgress
	})
	return b
}

// checkCompletedIsTrue fails the test when the API reports the backup COMPLETED while
// Elasticsearch does not hold every one of its parts in state SUCCESS.
func (s *advServer) checkCompletedIsTrue(t testing.TB, truth *elastic.Client, id int, parts int) {
	t.Helper()
	b, ok := s.apiBackup(t, id)
	if !ok || b.State != backupapi.StateCompleted {
		return
	}
	es, err := truth.Get(context.Background(), backupapi.ID(id))
	if err != nil {
		t.Fatalf("backup %d is COMPLETED through the API, but reading it from Elasticsearch: %v", id, err)
	}
	if len(es.Snapshots) != parts {
		t.Errorf("backup %d is COMPLETED through the API with %d snapshots in Elasticsearch, want %d parts", id, len(es.Snapshots), parts)
	}
	for _, sn := range es.Snapshots {
		if sn.State != backupapi.SnapshotSuccess {
			t.Errorf("backup %d is COMPLETED through the API, but its snapshot %s is %s", id, sn.Name, sn.State)
		}
	}
}

// esCount counts the documents of an index through the embedded Elasticsearch.
func (s *advServer) esCount(t testing.TB, index string) int {
	t.Helper()
	r := mustSend(t, s.es, http.MethodGet, "/"+index+"/_count", basic("elastic", s.password), "")
	var c struct{ Count int }
	if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &c) != nil {
		t.Fatalf("count %s: %d %.300s", index, r.status, r.body)
	}
	return c.Count
}

// snapshotNames lists every snapshot of the repository through the embedded Elasticsearch.
func (s *advServer) snapshotNames(t testing.TB) []string {
	t.Helper()
	r := mustSend(t, s.es, http.MethodGet, "/_snapshot/"+repo+"/_all", basic("elastic", s.password), "")
	var got struct{ Snapshots []struct{ Snapshot string } }
	if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &got) != nil {
		t.Fatalf("list snapshots: %d %.300s", r.status, r.body)
	}
	names := make([]string, 0, len(got.Snapshots))
	for _, sn := range got.Snapshots {
		names = append(names, sn.Snapshot)
	}
	slices.Sort(names)
	return names
}

// advFixture is a server with one completed backup (id 1), shared by the tests of one kind.
type advFixture struct {
	*advServer
	parts     int      // parts of a backup
	snapshots []string // the repository's snapshots before the attack
	indices   string   // _cat/indices before the attack
}

func newAdvFixture(t *testing.T) *advFixture {
	t.Helper()
	bin := buildServer(t)
	s := startAdversarial(t, bin, t.TempDir())
	b := s.takeBackup(t, 1)
	if b.State != backupapi.StateCompleted {
		t.Fatalf("backup 1 is %s, want COMPLETED", b.State)
	}
	return &advFixture{advServer: s, parts: len(b.Snapshots), snapshots: s.snapshotNames(t), indices: s.catIndices(t)}
}

func (s *advServer) catIndices(t testing.TB) string {
	t.Helper()
	r := mustSend(t, s.es, http.MethodGet, "/_cat/indices?h=index,docs.count&s=index", basic("elastic", s.password), "")
	if r.status != http.StatusOK {
		t.Fatalf("_cat/indices: %d %.300s", r.status, r.body)
	}
	return r.body
}

// checkUntouched fails the test when the attack changed the snapshots or the indices.
func (f *advFixture) checkUntouched(t *testing.T) {
	t.Helper()
	f.checkServing(t)
	if got := f.snapshotNames(t); !slices.Equal(got, f.snapshots) {
		t.Errorf("the repository holds %v after the attack, want %v", got, f.snapshots)
	}
	if got := f.catIndices(t); got != f.indices {
		t.Errorf("the indices changed under the attack:\n%s\nwant\n%s", got, f.indices)
	}
	if b, ok := f.apiBackup(t, 1); !ok || b.State != backupapi.StateCompleted {
		t.Errorf("backup 1 after the attack: found %v, %s; want COMPLETED", ok, b.State)
	}
}

// TestAdversarialNoCredentials sends every method to every route of the three ports, with path
// tricks, without credentials and with wrong ones: nothing but health answers 2xx, the
// embedded Elasticsearch answers 401 to everything, and no backup or index changes.
func TestAdversarialNoCredentials(t *testing.T) {
	t.Parallel()
	f := newAdvFixture(t)
	apiPaths := []string{
		"/", "*", "/actuator/backupHistory", "/actuator/backupHistory/1", "/actuator/backups", "/actuator/backups/1",
		"/actuator/backupRuntime", "/actuator/backupRuntime/1", "/actuator/exporting/pause", "/actuator/exporting/resume",
		"/actuator/partitions", "/admin/faults", "//actuator/backupHistory/1", "/actuator//backupHistory/1",
		"/actuator/backupHistory/./1", "/actuator/backupHistory/%2e%2e/backupHistory/1", "/actuator/health/../backupHistory/1",
		"/actuator/health/..%2fbackupHistory%2f1", "/actuator/backupHistory%2f1", "/actuator/backupHistory/1.",
		"/actuator/backupHistory.", "/ACTUATOR/backupHistory", "/actuator/health/", "/actuator/health%00/../backupHistory",
		"http://127.0.0.1/actuator/backupHistory/1", "/actuator/backupHistory/1?backupId=1",
	}
	esPaths := []string{
		"/", "*", "/_all", "/*", "/_snapshot", "/_snapshot/" + repo, "/_snapshot/" + repo + "/_all",
		"/_snapshot/" + repo + "/camunda_webapps_1_*", "/_snapshot/../_all", "/_snapshot/%2e%2e/_all", "//_snapshot/" + repo,
		"/_snapshot//" + repo, "/_snapshot%2f" + repo + "%2f_all", "/_cat/indices", "/_cat/snapshots/" + repo,
		"/_cluster/settings", "/_bulk", "/_emulator/faults", "/_search", "/_all/_search", "/.", "/..", "/%2e%2e",
		"/_snapshot/" + repo + "/x/_restore", "/_snapshot/" + repo + "/x/_clone/y", "/_snapshot/" + repo + "/_cleanup",
		"/_aliases", "/_security/_authenticate", "/operate-list-view-8.3.0_/_doc/1", "/_snapshot/" + repo + "/.",
		"http://127.0.0.1/_snapshot/" + repo + "/_all",
	}
	methods := []string{"GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE", "PATCH", "TRACE", "PROPFIND", "FOO"}
	credentials := []struct {
		name   string
		header map[string]string
	}{
		{"none", nil},
		{"wrong bearer", bearer("not-" + advToken)},
		{"bearer with a suffix", bearer(advToken + "x")},
		{"bearer of a prefix", bearer(advToken[:len(advToken)-1])},
		{"token as a basic password", basic("", advToken)},
		{"elastic with a wrong password", basic("elastic", "changeme")},
		{"the API token as elastic's password", basic("elastic", advToken)},
		{"elastic's password as a bearer token", nil}, // set below, once the password is known
	}
	credentials[len(credentials)-1].header = bearer(f.password)
	type port struct {
		name, base string
		paths      []string
	}
	ports := []port{{"api", f.url, apiPaths}, {"optimize", f.optimize, apiPaths}, {"elasticsearch", f.es, esPaths}}
	const body = `{"backupId": 1, "indices": "*", "type": "fs", "settings": {"location": "/"}}`
	var sent int
	for _, p := range ports {
		for _, cred := range credentials {
			t.Run(p.name+"/"+cred.name, func(t *testing.T) {
				for _, m := range methods {
					for _, path := range p.paths {
						b := []byte(nil)
						if m == "POST" || m == "PUT" || m == "PATCH" {
							b = []byte(body)
						}
						h := map[string]string{"Content-Type": "application/json"}
						for k, v := range cred.header {
							h[k] = v
						}
						r, err := sendRaw(p.base, rawRequest{method: m, target: path, header: h, body: b})
						sent++
						if err != nil {
							t.Errorf("%s %s: %v", m, path, err)
							continue
						}
						what := fmt.Sprintf("%s %s %s", p.name, m, path)
						f.checkNoLeak(t, what, r)
						healthy := path == "/actuator/health" && m == "GET"
						if m == "OPTIONS" && path == "*" && r.status == http.StatusOK && r.body == "" {
							continue // net/http's own empty answer to OPTIONS *, before any handler
						}
						switch {
						case p.name == "elasticsearch" && r.status != http.StatusUnauthorized:
							t.Errorf("%s with credentials %q: %d %.200s, want 401", what, cred.name, r.status, r.body)
						case r.status < 400 && !healthy:
							t.Errorf("%s with credentials %q: %d %.200s, want a refusal", what, cred.name, r.status, r.body)
						case r.status >= 500:
							t.Errorf("%s with credentials %q: %d %.200s", what, cred.name, r.status, r.body)
						}
					}
				}
			})
		}
	}
	t.Logf("%d requests without valid credentials", sent)
	f.checkUntouched(t)
}

// deepBodies are the bodies of the size and nesting attacks; small ones under -short.
func deepBodies(size int) map[string][]byte {
	return map[string][]byte{
		"brackets":          bytes.Repeat([]byte("["), size),
		"objects":           bytes.Repeat([]byte(`{"a":`), size/5),
		"long string":       []byte(`{"backupId": 1, "query": "` + strings.Repeat("x", size) + `"}`),
		"million digits":    []byte(`{"backupId": 1` + strings.Repeat("0", min(size, 1_000_000)) + `}`),
		"long number value": []byte(`{"size": ` + strings.Repeat("9", min(size, 1_000_000)) + `}`),
		"ndjson of brackets": append([]byte(`{"index":{"_index":"adversarial"}}`+"\n"),
			append(bytes.Repeat([]byte("["), size), '\n')...),
		"many keys":    []byte(`{` + strings.Repeat(`"k":1,`, size/6) + `"backupId": 1}`),
		"invalid utf8": append([]byte(`{"backupId": 1, "s": "`), append(bytes.Repeat([]byte{0xff, 0xfe}, size/2), '"', '}')...),
	}
}

// TestAdversarialBodies sends huge and deeply nested bodies, with a length and chunked, to
// each port with and without credentials: each is refused (or, for a document, stored) and
// the process keeps serving without its memory blowing up.
func TestAdversarialBodies(t *testing.T) {
	t.Parallel()
	f := newAdvFixture(t)
	size := 10 << 20
	if testing.Short() || raceEnabled { // the race detector's server is several times slower
		size = 1 << 20
	}
	bodies := deepBodies(size)
	type target struct {
		name, base, method, path string
		header                   map[string]string
		accepts                  bool // a 2xx is legitimate: a document, or a body the route ignores
	}
	es := basic("elastic", f.password)
	targets := []target{
		{"api create without credentials", f.url, "POST", "/actuator/backupHistory", nil, false},
		{"api create", f.url, "POST", "/actuator/backupHistory", bearer(advToken), false},
		{"zeebe create", f.url, "POST", "/actuator/backupRuntime", bearer(advToken), false},
		{"exporting pause", f.url, "POST", "/actuator/exporting/pause", bearer(advToken), true}, // reads no body
		{"optimize create", f.optimize, "POST", "/actuator/backups", bearer(advToken), false},
		{"es without credentials", f.es, "POST", "/_snapshot/" + repo + "/x", nil, false},
		{"es search", f.es, "POST", "/_search", es, false},
		{"es create snapshot", f.es, "PUT", "/_snapshot/" + repo + "/adversarial", es, true}, // deleted below
		{"es cluster settings", f.es, "PUT", "/_cluster/settings", es, false},
		{"es bulk", f.es, "POST", "/_bulk", es, true},
		{"es document", f.es, "PUT", "/adversarial/_doc/1", es, true},
	}
	before := f.rssKiB(t)
	var peak int
	names := slices.Sorted(maps.Keys(bodies))
	for i, tg := range targets {
		for j, name := range names {
			body := bodies[name]
			// Each pair is sent once, with a length or chunked in turn; both for the first target.
			for _, chunked := range []bool{false, true} {
				if i > 0 && chunked != ((i+j)%2 == 1) {
					continue
				}
				t.Run(fmt.Sprintf("%s/%s/chunked=%v", tg.name, name, chunked), func(t *testing.T) {
					start := time.Now()
					h := map[string]string{"Content-Type": "application/json"}
					for k, v := range tg.header {
						h[k] = v
					}
					r, err := sendRaw(tg.base, rawRequest{method: tg.method, target: tg.path, header: h, body: body, chunked: chunked})
					if err != nil {
						// A server may close the connection once it refused the body.
						t.Logf("%v", err)
					} else {
						f.checkNoLeak(t, tg.name, r)
						if r.status >= 500 || (r.status < 400 && !tg.accepts) {
							t.Errorf("%d %.300s, want a 4xx", r.status, r.body)
						}
					}
					if d := time.Since(start); d > 20*time.Second {
						t.Errorf("the answer took %s", d)
					}
					f.checkServing(t)
					peak = max(peak, f.rssKiB(t))
				})
			}
		}
	}
	after := f.rssKiB(t)
	t.Logf("resident memory: %d MiB before, %d MiB at most during, %d MiB after", before>>10, peak>>10, after>>10)
	if r := mustSend(t, f.es, http.MethodDelete, "/_snapshot/"+repo+"/adversarial", es, ""); r.status != http.StatusOK && r.status != http.StatusNotFound {
		t.Errorf("delete the snapshot the attack took: %d %.300s", r.status, r.body)
	}
	waitFor(t, "the snapshot the attack took to be deleted", func() bool {
		return !slices.Contains(f.snapshotNames(t), "adversarial")
	})
	if peak > 1<<20 { // 1 GiB
		t.Errorf("the server's resident memory reached %d MiB under the bodies of %d MiB", peak>>10, size>>20)
	}
	if got := f.snapshotNames(t); !slices.Equal(got, f.snapshots) {
		t.Errorf("the repository holds %v after the attack, want %v", got, f.snapshots)
	}
	if b, ok := f.apiBackup(t, 1); !ok || b.State != backupapi.StateCompleted {
		t.Errorf("backup 1 after the attack: found %v, %s; want COMPLETED", ok, b.State)
	}
}

// TestAdversarialRequestShapes sends long URLs (over and over, without credentials), thousands
// of query parameters, long ids, Unicode index and snapshot names, and connections that never
// finish their headers: the process keeps serving, its memory stays bounded, and answers echo
// no more than a prefix of what was sent.
func TestAdversarialRequestShapes(t *testing.T) {
	t.Parallel()
	f := newAdvFixture(t)
	es := basic("elastic", f.password)
	long := strings.Repeat("x", 1000<<10)
	manyParams := strings.TrimSuffix(strings.Repeat("p=1&", 5000), "&")
	longID := strings.Repeat("1", 100<<10)
	for _, tc := range []struct {
		name, base, method, target string
		header                     map[string]string
		body                       string
		want                       []int
		maxEcho                    int // the answer is at most this long; 0: not checked
	}{
		{"api long query without credentials", f.url, "GET", "/actuator/backupHistory?" + long, nil, "", []int{401, 431}, 1 << 10},
		{"api long path without credentials", f.url, "GET", "/" + long, nil, "", []int{404, 414, 431}, 0},
		{"optimize long path without credentials", f.optimize, "GET", "/actuator/backups/" + long, nil, "", []int{401, 414, 431}, 1 << 10},
		{"es long query without credentials", f.es, "GET", "/?" + long, nil, "", []int{401, 414, 431}, 0},
		{"api many parameters", f.url, "GET", "/actuator/backupHistory?" + manyParams, bearer(advToken), "", []int{200, 400}, 0},
		{"es many parameters", f.es, "GET", "/_cat/indices?" + manyParams, es, "", []int{400}, 0},
		{"api long id", f.url, "GET", "/actuator/backupHistory/" + longID, bearer(advToken), "", []int{400}, 1 << 10},
		{"api long id delete", f.url, "DELETE", "/actuator/backupHistory/" + longID, bearer(advToken), "", []int{400}, 1 << 10},
		{"zeebe long id", f.url, "GET", "/actuator/backupRuntime/" + longID, bearer(advToken), "", []int{400, 404}, 1 << 10},
		{"optimize long id", f.optimize, "DELETE", "/actuator/backups/" + longID, bearer(advToken), "", []int{400}, 1 << 10},
		{"es long snapshot name", f.es, "GET", "/_snapshot/" + repo + "/" + longID, es, "", []int{400, 404}, 0},
		{"es long index name", f.es, "PUT", "/" + strings.Repeat("a", 300), es, "", []int{400}, 0},
		{"es index name of 255 bytes", f.es, "PUT", "/" + strings.Repeat("%C3%A9", 127) + "a", es, "", []int{200}, 0},
		{"es unicode index", f.es, "PUT", "/%E7%B4%A2%E5%BC%95-%F0%9F%98%80", es, "", []int{200}, 0},
		{"es unicode document", f.es, "PUT", "/%E7%B4%A2%E5%BC%95-%F0%9F%98%80/_doc/%E2%80%AE?refresh=true", es, `{"n\u0000":"\u202e"}`, []int{201}, 0},
		{"es unicode snapshot", f.es, "PUT", "/_snapshot/" + repo + "/snap-%E5%90%8D%E5%89%8D-%F0%9F%98%80?wait_for_completion=true", es, "", []int{200}, 0},
		{"es right-to-left snapshot", f.es, "PUT", "/_snapshot/" + repo + "/camunda_webapps_5_8.8.0_part_1_of_1%E2%80%AE?wait_for_completion=true", es, "", []int{200}, 0},
		{"es snapshot named like a path", f.es, "PUT", "/_snapshot/" + repo + "/..%2f..%2fescape", es, "", []int{400}, 0},
		{"es snapshot named dot-dot", f.es, "PUT", "/_snapshot/" + repo + "/..", es, "", []int{307, 400}, 0}, // net/http's redirect to the clean path
		{"es index named dot-dot", f.es, "PUT", "/..", es, "", []int{400}, 0},
		{"es index with a NUL", f.es, "PUT", "/a%00b", es, "", []int{200, 400}, 0}, // Elasticsearch forbids no control characters
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string]string{"Content-Type": "application/json"}
			for k, v := range tc.header {
				h[k] = v
			}
			var body []byte
			if tc.body != "" {
				body = []byte(tc.body)
			}
			r, err := sendRaw(tc.base, rawRequest{method: tc.method, target: tc.target, header: h, body: body})
			if err != nil {
				t.Fatal(err)
			}
			f.checkNoLeak(t, tc.name, r)
			if !slices.Contains(tc.want, r.status) {
				t.Errorf("%d %.300s, want one of %v", r.status, r.body, tc.want)
			}
			if tc.maxEcho > 0 && len(r.body) > tc.maxEcho {
				t.Errorf("the answer is %d bytes long, want at most %d: %.200s", len(r.body), tc.maxEcho, r.body)
			}
		})
	}
	t.Run("a backup of the odd indices, listed among odd snapshots", func(t *testing.T) {
		if b := f.takeBackup(t, 3); b.State != backupapi.StateCompleted {
			t.Errorf("backup 3 of the odd indices is %s, want COMPLETED", b.State)
		}
		r := mustSend(t, f.url, http.MethodGet, "/actuator/backupHistory", bearer(advToken), "")
		if r.status != http.StatusOK {
			t.Errorf("list: %d %.300s", r.status, r.body)
		}
		f.checkNoLeak(t, "list", r)
	})

	t.Run("slow headers", func(t *testing.T) {
		// Connections that send part of their headers and stall must not keep others from
		// being served. Bounded: 40 connections, released at the end of the subtest.
		var conns []net.Conn
		t.Cleanup(func() {
			for _, c := range conns {
				c.Close()
			}
		})
		for _, base := range []string{f.url, f.optimize, f.es} {
			for range 40 / 3 {
				c, err := net.DialTimeout("tcp", strings.TrimPrefix(base, "http://"), 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				conns = append(conns, c)
				if _, err := io.WriteString(c, "POST /actuator/backupHistory HTTP/1.1\r\nHost: x\r\nX-Slow: "); err != nil {
					t.Fatal(err)
				}
			}
		}
		start := time.Now()
		f.checkServing(t)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("serving took %s while slow clients held connections", d)
		}
	})

	t.Run("long URLs over and over without credentials", func(t *testing.T) {
		if testing.Short() {
			t.Skip("sends 250 MB of URLs")
		}
		// Each port is sent 250 requests of 1000 KiB URLs without credentials: nothing they
		// carry may stay in memory.
		before := f.rssKiB(t)
		for _, base := range []string{f.es, f.url, f.optimize} {
			for i := range 250 / 3 {
				if _, err := sendRaw(base, rawRequest{method: "GET", target: "/_cat/indices?" + long + strconv.Itoa(i)}); err != nil {
					t.Fatal(err)
				}
			}
		}
		after := f.rssKiB(t)
		t.Logf("resident memory: %d MiB before, %d MiB after", before>>10, after>>10)
		if after-before > 150<<10 {
			t.Errorf("the server's resident memory grew by %d MiB under 250 requests of 1000 KiB URLs", (after-before)>>10)
		}
	})
	f.checkServing(t)
	if b, ok := f.apiBackup(t, 1); !ok || b.State != backupapi.StateCompleted {
		t.Errorf("backup 1 after the attack: found %v, %s; want COMPLETED", ok, b.State)
	}
}

// TestAdversarialConcurrentSameID creates and deletes the same backup id from many clients at
// once: no 5xx, the process serves afterwards, and whatever the API ends up reporting is true
// in Elasticsearch (COMPLETED only with every part SUCCESS; gone means no snapshot left).
func TestAdversarialConcurrentSameID(t *testing.T) {
	t.Parallel()
	f := newAdvFixture(t)
	workers, each := 50, 20
	if testing.Short() {
		workers, each = 10, 10
	}
	const id = 7
	var statuses sync.Map // status -> *atomic.Int64
	var failures atomic.Int64
	var wg sync.WaitGroup
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if ctx.Err() != nil {
					return
				}
				method, path, body := http.MethodPost, "/actuator/backupHistory", []byte(fmt.Sprintf(`{"backupId": %d}`, id))
				switch (w + i) % 3 {
				case 1:
					method, path, body = http.MethodDelete, fmt.Sprintf("/actuator/backupHistory/%d", id), nil
				case 2:
					method, path, body = http.MethodGet, fmt.Sprintf("/actuator/backupHistory/%d", id), nil
				}
				h := bearer(advToken)
				h["Content-Type"] = "application/json"
				r, err := sendRaw(f.url, rawRequest{method: method, target: path, header: h, body: body})
				if err != nil {
					failures.Add(1)
					continue
				}
				n, _ := statuses.LoadOrStore(fmt.Sprintf("%s %d", method, r.status), new(atomic.Int64))
				n.(*atomic.Int64).Add(1)
			}
		}()
	}
	wg.Wait()
	var summary []string
	statuses.Range(func(k, v any) bool {
		summary = append(summary, fmt.Sprintf("%s: %d", k, v.(*atomic.Int64).Load()))
		if s := k.(string); strings.HasSuffix(s, " 500") || strings.HasSuffix(s, " 502") || strings.HasSuffix(s, " 503") {
			t.Errorf("%s answered %d times", s, v.(*atomic.Int64).Load())
		}
		return true
	})
	slices.Sort(summary)
	t.Logf("answers: %v; %d requests not answered", summary, failures.Load())
	if failures.Load() > 0 {
		t.Errorf("%d requests were not answered", failures.Load())
	}
	f.checkServing(t)
	truth := f.truth(t)
	var b backupapi.Backup
	var found bool
	waitFor(t, "the contested backup to settle", func() bool {
		b, found = f.apiBackup(t, id)
		return !found || b.State != backupapi.StateInProgress
	})
	if found {
		f.checkCompletedIsTrue(t, truth, id, f.parts)
	} else if names := f.snapshotsOf(t, id); len(names) != 0 {
		t.Errorf("the API answers 404 for backup %d, but Elasticsearch holds %v", id, names)
	}
	// The id is usable again: delete, then a fresh backup completes.
	if r := mustSend(t, f.url, http.MethodDelete, fmt.Sprintf("/actuator/backupHistory/%d", id), bearer(advToken), ""); r.status >= 500 {
		t.Fatalf("delete backup %d: %d %.300s", id, r.status, r.body)
	}
	waitFor(t, "the contested backup to be deleted", func() bool {
		_, found := f.apiBackup(t, id)
		return !found
	})
	if b := f.takeBackup(t, id); b.State != backupapi.StateCompleted {
		t.Errorf("backup %d taken again after the contest is %s, want COMPLETED", id, b.State)
	}
	f.checkCompletedIsTrue(t, truth, id, f.parts)
}

// snapshotsOf lists the snapshots of one backup id in the repository.
func (s *advServer) snapshotsOf(t testing.TB, id int) []string {
	t.Helper()
	var out []string
	for _, n := range s.snapshotNames(t) {
		if strings.HasPrefix(n, fmt.Sprintf("camunda_webapps_%d_", id)) {
			out = append(out, n)
		}
	}
	return out
}

// TestAdversarialKill kills the server (SIGKILL) in the middle of bulk writes and of a backup,
// restarts it on the same data directory, starts a second server on it, and starts a copy of
// the directory: every acknowledged write is there, no backup is reported COMPLETED that is
// not, the second server is refused, and the copy never writes into the original.
func TestAdversarialKill(t *testing.T) {
	t.Parallel()
	bin := buildServer(t)
	dataDir := t.TempDir()
	logPath := filepath.Join(t.TempDir(), "server.log")
	start := func(dir string) *advServer {
		s, err := startAdversarialErr(bin, dir, logPath)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.kill)
		return s
	}
	s := start(dataDir)
	completed := s.takeBackup(t, 1)
	parts := len(completed.Snapshots)

	// Bulk writers: each request writes a batch of documents with known ids; a batch answered
	// 200 without errors is acknowledged and must survive the kill.
	type batch struct{ worker, n int }
	var mu sync.Mutex
	var acked []batch
	const perBatch = 50
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 2000; n++ {
				select {
				case <-stop:
					return
				default:
				}
				var body strings.Builder
				for i := range perBatch {
					fmt.Fprintf(&body, `{"index":{"_index":"adversarial-bulk","_id":"%d-%d-%d"}}`+"\n"+`{"w":%d,"n":%d,"i":%d,"pad":"%s"}`+"\n",
						w, n, i, w, n, i, strings.Repeat("p", 200))
				}
				h := basic("elastic", s.password)
				h["Content-Type"] = "application/x-ndjson"
				r, err := sendRaw(s.es, rawRequest{method: "POST", target: "/_bulk", header: h, body: []byte(body.String())})
				if err != nil {
					return // the server is gone
				}
				var res struct{ Errors bool }
				if r.status == http.StatusOK && json.Unmarshal([]byte(r.body), &res) == nil && !res.Errors {
					mu.Lock()
					acked = append(acked, batch{w, n})
					mu.Unlock()
				}
			}
		}()
	}
	waitFor(t, "some bulk writes to be acknowledged", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(acked) >= 20
	})
	// A backup runs while the writes go on; the server dies right after its first part started.
	if r := mustSend(t, s.url, http.MethodPost, "/actuator/backupHistory", bearer(advToken), `{"backupId": 2}`); r.status != http.StatusOK {
		t.Fatalf("create backup 2: %d %.300s", r.status, r.body)
	}
	s.kill()
	close(stop)
	wg.Wait()
	mu.Lock()
	ackedNow := slices.Clone(acked)
	mu.Unlock()

	// A copy of the killed directory, as a user would move it elsewhere.
	copied := filepath.Join(t.TempDir(), "copied")
	if err := copyDir(dataDir, copied); err != nil {
		t.Fatal(err)
	}

	s = start(dataDir)
	t.Run("acknowledged writes are present", func(t *testing.T) {
		if got, want := s.esCount(t, "adversarial-bulk"), len(ackedNow)*perBatch; got < want {
			t.Errorf("the index holds %d documents after the restart, want at least the %d acknowledged", got, want)
		}
		for _, b := range ackedNow {
			for _, i := range []int{0, perBatch - 1} {
				r := mustSend(t, s.es, http.MethodGet, fmt.Sprintf("/adversarial-bulk/_doc/%d-%d-%d", b.worker, b.n, i), basic("elastic", s.password), "")
				if r.status != http.StatusOK {
					t.Errorf("acknowledged document %d-%d-%d: %d %.200s", b.worker, b.n, i, r.status, r.body)
				}
			}
		}
		t.Logf("%d acknowledged batches of %d documents checked", len(ackedNow), perBatch)
	})
	t.Run("no backup reported COMPLETED that is not", func(t *testing.T) {
		truth := s.truth(t)
		if b, ok := s.apiBackup(t, 1); !ok || b.State != backupapi.StateCompleted {
			t.Errorf("backup 1, completed before the kill: found %v, %s", ok, b.State)
		}
		var b backupapi.Backup
		waitFor(t, "backup 2 to settle after the restart", func() bool {
			var ok bool
			b, ok = s.apiBackup(t, 2)
			return !ok || b.State != backupapi.StateInProgress
		})
		t.Logf("backup 2 after the restart: %s", b.State)
		s.checkCompletedIsTrue(t, truth, 2, parts)
	})
	t.Run("a second server on the same directory", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, advFlags(dataDir)...)
		cmd.Env = advEnv()
		out, err := cmd.CombinedOutput()
		if ctx.Err() != nil {
			t.Fatalf("the second server did not exit within 30s: %s", out)
		}
		if err == nil {
			t.Fatalf("the second server on the same directory exited 0: %s", out)
		}
		if !strings.Contains(string(out), dataDir) || !strings.Contains(string(out), strconv.Itoa(s.cmd.Process.Pid)) {
			t.Errorf("the second server's message names neither the directory nor the running process: %s", out)
		}
		s.checkServing(t)
	})
	t.Run("a copied directory writes only into itself", func(t *testing.T) {
		repos := filepath.Join(dataDir, "repositories")
		before, err := listFiles(repos)
		if err != nil {
			t.Fatal(err)
		}
		s.kill() // the original stays as it is while the copy runs
		c := start(copied)
		if b := c.takeBackup(t, 9); b.State != backupapi.StateCompleted {
			t.Errorf("backup 9 on the copy is %s, want COMPLETED", b.State)
		}
		if got := c.esCount(t, "adversarial-bulk"); got < len(ackedNow)*perBatch {
			t.Errorf("the copy holds %d documents, want at least the %d acknowledged", got, len(ackedNow)*perBatch)
		}
		after, err := listFiles(repos)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(before, after) {
			t.Errorf("the copy changed the original's repositories: %d files before, %d after", len(before), len(after))
		}
		c.kill()
		s = start(dataDir)
		if _, ok := s.apiBackup(t, 9); ok {
			t.Error("the original reads backup 9, taken on its copy")
		}
		s.checkServing(t)
	})
}

// copyDir copies a directory tree (regular files and directories only).
func copyDir(from, to string) error {
	return filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, p)
		if err != nil {
			return err
		}
		dst := filepath.Join(to, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(dst, info.Mode().Perm()|0o700)
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, info.Mode().Perm())
	})
}

// listFiles lists the files under dir with their sizes and modification times.
func listFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		out = append(out, fmt.Sprintf("%s %d %d", p, info.Size(), info.ModTime().UnixNano()))
		return nil
	})
	return out, err
}

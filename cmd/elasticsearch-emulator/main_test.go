package main

import (
	"bufio"
	"bytes"
	"context"
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
)

func TestParseErrors(t *testing.T) {
	env := func(string) string { return "" }
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no data dir", nil, "--data-dir is required"},
		{"remote", []string{"--data-dir", "d", "--listen", "0.0.0.0:9200"}, "not a loopback address"},
		{"bad delay", []string{"--data-dir", "d", "--snapshot-delay", "soon"}, "invalid --snapshot-delay"},
		{"bad log format", []string{"--data-dir", "d", "--log-format", "xml"}, "invalid --log-format"},
		{"unknown flag", []string{"--nope"}, "flag provided but not defined"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if code := run(context.Background(), tc.args, env, io.Discard, &stderr); code != 2 {
				t.Fatalf("exit %d, want 2", code)
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Fatalf("stderr %q lacks %q", stderr.String(), tc.want)
			}
		})
	}
	if _, err := parse([]string{"--data-dir", "d", "--listen", "0.0.0.0:9200", "--allow-remote"}, env, io.Discard); err != nil {
		t.Fatalf("--allow-remote: %v", err)
	}
	o, err := parse(nil, func(k string) string {
		return map[string]string{"ESEMU_DATA_DIR": "d", "ESEMU_ENABLE_ADMIN_API": "true", "ESEMU_SNAPSHOT_DELAY": "5ms"}[k]
	}, io.Discard)
	if err != nil || !o.adminAPI || o.snapshotDelay != 5*time.Millisecond || o.dataDir != "d" {
		t.Fatalf("env: %+v %v", o, err)
	}
}

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
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

func TestRunServesAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan int)
	args := []string{"--listen", "127.0.0.1:0", "--data-dir", t.TempDir(), "--path-repo", t.TempDir(), "--log-format", "json"}
	go func() { done <- run(ctx, args, func(string) string { return "" }, &out, io.Discard) }()
	deadline := time.Now().Add(10 * time.Second)
	var url string
	for url == "" {
		if time.Now().After(deadline) {
			t.Fatal("no listening line")
		}
		if l, ok := strings.CutPrefix(strings.TrimSpace(out.String()), "listening on "); ok {
			url = l
		}
		time.Sleep(5 * time.Millisecond)
	}
	res, err := http.Get(url + "/")
	if err != nil || res.StatusCode != 200 || res.Header.Get("X-Elastic-Product") != "Elasticsearch" {
		t.Fatalf("GET /: %v %v", err, res)
	}
	res.Body.Close()
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d", code)
	}
}

// TestBinaryStopsOnSignals runs the built binary as a user would and stops it with SIGINT,
// then SIGTERM, on the same data directory: each time it exits 0 and the index created before
// is still there.
func TestBinaryStopsOnSignals(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "elasticsearch-emulator")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	dataDir := t.TempDir()
	for i, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		cmd := exec.Command(bin, "--listen", "127.0.0.1:0", "--data-dir", dataDir)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(stdout).ReadString('\n')
		url, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
		if err != nil || !ok {
			_ = cmd.Process.Kill()
			t.Fatalf("first line %q (%v), want the address it listens on", line, err)
		}
		method, want := http.MethodPut, http.StatusOK // create the index the first time
		if i > 0 {
			method = http.MethodHead // then find it again
		}
		req, _ := http.NewRequest(method, url+"/kept", nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil || res.StatusCode != want {
			_ = cmd.Process.Kill()
			t.Fatalf("%s /kept: %v %v", method, res, err)
		}
		res.Body.Close()
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("exit after %v: %v, want 0", sig, err)
		}
	}
}

func TestElasticPasswordFromFlagWarnsAndFromEnvDoesNot(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		warn     bool
		password string
	}{
		{"flag", []string{"--data-dir", "d", "--elastic-password", "pw1"}, nil, true, "pw1"},
		{"environment", []string{"--data-dir", "d"}, map[string]string{"ESEMU_ELASTIC_PASSWORD": "pw2"}, false, "pw2"},
		{"none", []string{"--data-dir", "d"}, nil, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr strings.Builder
			o, err := parse(tt.args, func(k string) string { return tt.env[k] }, &stderr)
			if err != nil {
				t.Fatal(err)
			}
			if o.password != tt.password || usernameFor(o.password) != map[bool]string{true: "elastic", false: ""}[tt.password != ""] {
				t.Fatalf("password %q user %q", o.password, usernameFor(o.password))
			}
			if got := strings.Contains(stderr.String(), "ESEMU_ELASTIC_PASSWORD"); got != tt.warn {
				t.Fatalf("warning %v, want %v: %q", got, tt.warn, stderr.String())
			}
		})
	}
}

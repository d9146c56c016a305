package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
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

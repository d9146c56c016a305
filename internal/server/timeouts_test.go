package server

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestSlowClientsAreCutOff: a client that sends its headers or its body too slowly, or keeps
// an idle connection, loses the connection instead of holding it (and a goroutine) forever,
// on the backup API and on the embedded Elasticsearch.
func TestSlowClientsAreCutOff(t *testing.T) {
	srv, err := Start(context.Background(), Config{
		Listen: "127.0.0.1:0", DataDir: t.TempDir(), SeedDocuments: 10,
		timeouts: httpTimeouts{readHeader: 200 * time.Millisecond, read: 400 * time.Millisecond, write: 10 * time.Second, idle: 300 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })

	tests := []struct {
		name, base, send string
		// wantStatus is the status line's code when the server answers before closing; "" when
		// it closes without an answer.
		wantStatus string
	}{
		{"API: headers never finished", srv.URL(), "GET /actuator/health HTTP/1.1\r\nHost: x\r\n", ""},
		{"embedded Elasticsearch: headers never finished", srv.ElasticsearchURL(), "GET / HTTP/1.1\r\nHost: x\r\n", ""},
		{
			"API: body never finished", srv.URL(),
			"POST /actuator/backupHistory HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"backupId\":",
			"400",
		},
		{"API: idle keep-alive connection", srv.URL(), "GET /actuator/health HTTP/1.1\r\nHost: x\r\n\r\n", "200"},
		{"embedded Elasticsearch: idle keep-alive connection", srv.ElasticsearchURL(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "200"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := url.Parse(tc.base)
			if err != nil {
				t.Fatal(err)
			}
			conn, err := net.Dial("tcp", u.Host)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, tc.send); err != nil {
				t.Fatal(err)
			}
			// The client keeps the connection open and waits; the server must end it well before.
			if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(conn)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("the server kept the connection open for 10s; read so far: %q", got)
			}
			status := ""
			if line, _, ok := strings.Cut(string(got), "\r\n"); ok {
				if f := strings.Fields(line); len(f) > 1 {
					status = f[1]
				}
			}
			if status != tc.wantStatus {
				t.Fatalf("answer before the close: status %q, want %q: %q", status, tc.wantStatus, got)
			}
		})
	}

	// The half-sent create took no backup.
	res, err := http.Get(srv.URL() + "/actuator/backupHistory")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != "[]" {
		t.Fatalf("backups after the half-sent create: %d %s, want 200 []", res.StatusCode, body)
	}
}

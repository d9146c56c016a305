package esclient

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// hangingServer accepts requests and never answers them (until the client gives up or the
// test ends); it counts the requests it got.
func hangingServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	release := make(chan struct{})
	hs := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); hs.Close() })
	return hs, &calls
}

// answering answers every request as Elasticsearch, after delay.
func answering(t *testing.T, delay time.Duration) *httptest.Server {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(delay) // the answer's own latency, not a synchronisation
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
		_, _ = w.Write([]byte(`{"tagline":"You Know, for Search"}`))
	}))
	t.Cleanup(hs.Close)
	return hs
}

// TestRequestTimeoutFailsOver: a node that hangs costs one request timeout, after which the
// request goes to the next node and the call succeeds.
func TestRequestTimeoutFailsOver(t *testing.T) {
	hung, hungCalls := hangingServer(t)
	ok := answering(t, 0)
	const timeout = 300 * time.Millisecond
	es, err := New(Config{Addresses: []string{hung.URL, ok.URL}, MaxRetries: 2, RequestTimeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	// Nodes are taken in turn: of two calls, one starts on the hung node.
	for i := range 2 {
		start := time.Now()
		res, err := es.Info(es.Info.WithContext(t.Context()))
		took := time.Since(start)
		if err != nil {
			t.Fatalf("call %d: %v, want the answer of the second node", i, err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("call %d: status %d", i, res.StatusCode)
		}
		if took > 2*timeout {
			t.Fatalf("call %d took %v, want about one request timeout (%v) at most", i, took, timeout)
		}
	}
	if hungCalls.Load() != 1 {
		t.Fatalf("the hung node got %d requests, want 1 (then it is marked dead)", hungCalls.Load())
	}
}

func TestRequestTimeout(t *testing.T) {
	hung, _ := hangingServer(t)
	slow := answering(t, 150*time.Millisecond)
	tests := []struct {
		name     string
		address  string
		timeout  time.Duration
		ctx      func(context.Context) (context.Context, context.CancelFunc)
		wantErr  error
		notErr   error
		maxTaken time.Duration
	}{
		{"a hung node, no retries", hung.URL, 50 * time.Millisecond, nil, ErrRequestTimeout, nil, 2 * time.Second},
		{"the caller's deadline first", hung.URL, 10 * time.Second, func(ctx context.Context) (context.Context, context.CancelFunc) {
			return context.WithTimeout(ctx, 50*time.Millisecond)
		}, context.DeadlineExceeded, ErrRequestTimeout, 2 * time.Second},
		{"exempt request outlasts the timeout", slow.URL, 20 * time.Millisecond, func(ctx context.Context) (context.Context, context.CancelFunc) {
			return WithoutRequestTimeout(ctx), func() {}
		}, nil, nil, 5 * time.Second},
		{"answer within the timeout", slow.URL, 5 * time.Second, nil, nil, nil, 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, err := New(Config{Addresses: []string{tt.address}, RequestTimeout: tt.timeout})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := t.Context(), context.CancelFunc(func() {})
			if tt.ctx != nil {
				ctx, cancel = tt.ctx(ctx)
			}
			defer cancel()
			start := time.Now()
			res, err := es.Info(es.Info.WithContext(ctx))
			if err == nil {
				res.Body.Close()
			}
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if tt.notErr != nil && errors.Is(err, tt.notErr) {
				t.Fatalf("error %v, must not be %v", err, tt.notErr)
			}
			if took := time.Since(start); took > tt.maxTaken {
				t.Fatalf("took %v, want at most %v", took, tt.maxTaken)
			}
		})
	}
}

// TestRequestTimeoutBoundsTheBody: an answer whose body stops coming is cut at the timeout.
func TestRequestTimeoutBoundsTheBody(t *testing.T) {
	release := make(chan struct{})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
		_, _ = w.Write([]byte(`{"snapshots":[`))
		http.NewResponseController(w).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() { close(release); hs.Close() })
	es, err := New(Config{Addresses: []string{hs.URL}, RequestTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	res, err := es.Info(es.Info.WithContext(t.Context()))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	buf := make([]byte, 1024)
	for err == nil {
		_, err = res.Body.Read(buf)
	}
	if !errors.Is(err, ErrRequestTimeout) {
		t.Fatalf("reading a body that stopped: %v, want the request timeout", err)
	}
}

// TestCertificateErrorsAreNotRetried: a refused certificate is final; retrying cannot help.
func TestCertificateErrorsAreNotRetried(t *testing.T) {
	var conns atomic.Int32
	hs := httptest.NewUnstartedServer(http.NotFoundHandler())
	hs.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	hs.StartTLS()
	t.Cleanup(hs.Close)
	es, err := New(Config{Addresses: []string{hs.URL}, MaxRetries: 3, RequestTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = es.Info(es.Info.WithContext(t.Context()))
	if !IsCertificateError(err) {
		t.Fatalf("error %v, want a certificate error", err)
	}
	if conns.Load() != 1 {
		t.Fatalf("%d connections, want 1: no retry", conns.Load())
	}
}

package actuator_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/actuator"
)

// scripted answers each request with the next of its answers (the last one repeats) and
// counts the requests.
type scripted struct {
	answers []struct {
		status int
		body   string
	}
	calls atomic.Int32
}

func (s *scripted) add(status int, body string) *scripted {
	s.answers = append(s.answers, struct {
		status int
		body   string
	}{status, body})
	return s
}

func (s *scripted) serve(t *testing.T) string {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		n := int(s.calls.Add(1)) - 1
		a := s.answers[min(n, len(s.answers)-1)]
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(a.status)
		_, _ = w.Write([]byte(a.body))
	}))
	t.Cleanup(hs.Close)
	return hs.URL
}

// TestZeebeClientErrors maps each status of the facts' table to its kind.
func TestZeebeClientErrors(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
		kind   error
	}{
		{400, `{"message":"` + backupapi.MsgZeebeNoStore + `"}`, backupapi.ErrNotConfigured},
		{400, `{"message":"Expected a backup ID or prefix ending with '*', but got 'x'."}`, backupapi.ErrInvalid},
		{404, `{"message":"Backup with id 1 does not exist"}`, backupapi.ErrNotFound},
		{409, `{"message":"Requested backup has id 1. The latest backup has id 2. "}`, backupapi.ErrConflict},
		{500, `{"message":"boom"}`, backupapi.ErrInternal},
		{502, `{"message":"Failed to send request from gateway to broker."}`, backupapi.ErrUnavailable},
		{503, `{"message":"out of disk"}`, backupapi.ErrUnavailable},
		{504, `{"message":"Request from gateway to broker timed out."}`, backupapi.ErrUnavailable},
	} {
		s := (&scripted{}).add(tc.status, tc.body)
		c, err := actuator.NewZeebe(clientConfig(s.serve(t), nil))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Get(t.Context(), 1)
		if !errors.Is(err, tc.kind) {
			t.Errorf("%d %s: %v, want %v", tc.status, tc.body, err, tc.kind)
		}
		want := int32(1)
		if tc.status >= 502 {
			want = 3 // two retries
		}
		if got := s.calls.Load(); got != want {
			t.Errorf("%d: %d requests, want %d", tc.status, got, want)
		}
	}
}

// TestZeebeClientRetries: a GET is retried after 503; a take refused with 502 is not
// retried; a take answered 504 is settled by a GET.
func TestZeebeClientRetries(t *testing.T) {
	s := (&scripted{}).add(503, `{"message":"x"}`).add(200, `{"backupId":5,"state":"COMPLETED","details":[]}`)
	c, _ := actuator.NewZeebe(clientConfig(s.serve(t), nil))
	if b, err := c.Get(t.Context(), 5); err != nil || b.State != backupapi.StateCompleted || s.calls.Load() != 2 {
		t.Fatalf("get after a 503: %+v %v (%d calls)", b, err, s.calls.Load())
	}
	s = (&scripted{}).add(502, `{"message":"Failed to send request from gateway to broker."}`)
	c, _ = actuator.NewZeebe(clientConfig(s.serve(t), nil))
	if err := c.Take(t.Context(), 5); !errors.Is(err, backupapi.ErrUnavailable) || s.calls.Load() != 1 {
		t.Fatalf("take answered 502: %v (%d calls)", err, s.calls.Load())
	}
	s = (&scripted{}).add(504, `{"message":"timed out"}`).add(200, `{"backupId":5,"state":"IN_PROGRESS","details":[]}`)
	c, _ = actuator.NewZeebe(clientConfig(s.serve(t), nil))
	if err := c.Take(t.Context(), 5); err != nil || s.calls.Load() != 2 {
		t.Fatalf("take answered 504, then found: %v (%d calls)", err, s.calls.Load())
	}
	s = (&scripted{}).add(504, `{}`).add(404, `{"message":"Backup with id 5 does not exist"}`).add(409, `{"message":"Requested backup has ID 5. The latest backup has ID 5. The backup ID must be greater than the ID of previous backups that are completed, failed, or deleted."}`)
	c, _ = actuator.NewZeebe(clientConfig(s.serve(t), nil))
	if err := c.Take(t.Context(), 5); err != nil {
		t.Fatalf("take answered 504, not found yet, then 409 naming itself: %v", err)
	}
	s = (&scripted{}).add(504, `{}`).add(404, `{"message":"Backup with id 5 does not exist"}`).add(409, `{"message":"Requested backup has id 5. The latest backup has id 9. "}`)
	c, _ = actuator.NewZeebe(clientConfig(s.serve(t), nil))
	if err := c.Take(t.Context(), 5); !errors.Is(err, backupapi.ErrUnavailable) {
		t.Fatalf("take answered 504, then refused for a larger checkpoint: %v, want the 504", err)
	}
}

// TestExportingClient: the inner status decides; an inner failure is retried.
func TestExportingClient(t *testing.T) {
	s := (&scripted{}).add(200, `{"body":{"message":"Expected 3 members of partition 1 but found 2"},"status":500,"contentType":null}`).add(200, `{"body":null,"status":204,"contentType":null}`)
	c, _ := actuator.NewExporting(clientConfig(s.serve(t), nil))
	if err := c.Pause(t.Context(), true); err != nil || s.calls.Load() != 2 {
		t.Fatalf("pause: %v (%d calls)", err, s.calls.Load())
	}
	s = (&scripted{}).add(200, `{"body":{"message":"Expected 3 members of partition 1 but found 2"},"status":500,"contentType":null}`)
	c, _ = actuator.NewExporting(clientConfig(s.serve(t), nil))
	if err := c.Resume(t.Context()); !errors.Is(err, backupapi.ErrUnavailable) || s.calls.Load() != 3 {
		t.Fatalf("resume failing: %v (%d calls)", err, s.calls.Load())
	}
	s = (&scripted{}).add(200, `{"1":{"role":"LEADER","exporterPhase":"SOFT_PAUSED"},"2":{"role":"LEADER","exporterPhase":"EXPORTING"}}`)
	c, _ = actuator.NewExporting(clientConfig(s.serve(t), nil))
	if got, err := c.Status(t.Context()); err != nil || got[1] != backupapi.PhaseSoftPaused || got[2] != backupapi.PhaseExporting {
		t.Fatalf("status: %v %v", got, err)
	}
}

// TestOptimizeClientErrors maps Optimize's error table to kinds, keeping detailedMessage.
func TestOptimizeClientErrors(t *testing.T) {
	for _, tc := range []struct {
		status int
		code   string
		kind   error
	}{
		{400, "badRequestError", backupapi.ErrInvalid},
		{400, "serverError", backupapi.ErrNotConfigured},
		{404, "notFoundError", backupapi.ErrNotFound},
		{409, "conflict", backupapi.ErrConflict},
		{500, "serverError", backupapi.ErrInternal},
		{502, "elasticsearchConnectionError", backupapi.ErrUnavailable},
	} {
		s := (&scripted{}).add(tc.status, `{"errorCode":"`+tc.code+`","errorMessage":"x","detailedMessage":"detail","reportDefinition":null}`)
		c, err := actuator.NewOptimize(clientConfig(s.serve(t), nil))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Get(t.Context(), 1)
		if !errors.Is(err, tc.kind) || err.Error() != "detail" {
			t.Errorf("%d %s: %v, want %v", tc.status, tc.code, err, tc.kind)
		}
	}
}

package server_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestLongBadIDEchoedAsShortPrefix: a 100 KB id in the path is refused with 400 and only a
// short prefix of it in the message.
func TestLongBadIDEchoedAsShortPrefix(t *testing.T) {
	f := newFixture(t, nil)
	long := strings.Repeat("x", 100_000)
	for _, method := range []string{http.MethodGet, http.MethodDelete} {
		a := do(t, method, f.url+"/actuator/backupHistory/"+long, "")
		if a.status != http.StatusBadRequest {
			t.Fatalf("%s: status %d, want 400", method, a.status)
		}
		msg := a.message(t)
		if len(a.body) > 300 || !strings.Contains(msg, strings.Repeat("x", 40)+"...") {
			t.Errorf("%s: %d-byte answer %.120q, want a short prefix of the id", method, len(a.body), msg)
		}
	}
}

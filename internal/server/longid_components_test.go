package server_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestComponentsEchoShortPrefixOfLongIDs: a 100 KB id in a path of the emulated Zeebe or
// Optimize is refused with 400 and an answer that echoes no more than a short prefix of it.
func TestComponentsEchoShortPrefixOfLongIDs(t *testing.T) {
	long := strings.Repeat("1", 100_000)
	zeebe := newZeebe(t, nil)
	optimize := newOptimize(t, "optimize-repo")
	for _, tc := range []struct{ name, method, url string }{
		{"zeebe get", http.MethodGet, zeebe.url + "/actuator/backupRuntime/" + long},
		{"zeebe delete", http.MethodDelete, zeebe.url + "/actuator/backupRuntime/" + long},
		{"optimize get", http.MethodGet, optimize.url + "/actuator/backups/" + long},
		{"optimize delete", http.MethodDelete, optimize.url + "/actuator/backups/" + long},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := do(t, tc.method, tc.url, "")
			if a.status != http.StatusBadRequest {
				t.Errorf("status %d %.200s, want 400", a.status, a.body)
			}
			if len(a.body) > 400 {
				t.Errorf("%d-byte answer %.200s, want a short prefix of the id", len(a.body), a.body)
			}
		})
	}
}

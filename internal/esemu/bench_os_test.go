package esemu

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

// procStatusMiB reads a memory figure of this process from /proc/self/status (VmRSS: resident
// now, VmHWM: resident at its peak), in MiB; 0 where /proc is not available.
func procStatusMiB(tb testing.TB, field string) float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			if err != nil {
				tb.Fatalf("%s: %q", field, l)
			}
			return kb / 1024
		}
	}
	return 0
}

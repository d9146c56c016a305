package esemu

import (
	"os"
	"strings"
)

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

// rss reads the resident set size from /proc where available.
func rss() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "n/a"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmRSS:"))
		}
	}
	return "n/a"
}

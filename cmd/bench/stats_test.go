package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestMedianAndSpread(t *testing.T) {
	for _, tc := range []struct {
		name           string
		in             []float64
		median, lo, hi float64
	}{
		{"none", nil, 0, 0, 0},
		{"one", []float64{3}, 3, 3, 3},
		{"odd, unsorted", []float64{5, 1, 3}, 3, 1, 5},
		{"even: mean of the middle two", []float64{4, 1, 2, 10}, 3, 1, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lo, hi := spread(tc.in)
			if got := median(tc.in); got != tc.median || lo != tc.lo || hi != tc.hi {
				t.Errorf("median %v, spread %v–%v; want %v, %v–%v", got, lo, hi, tc.median, tc.lo, tc.hi)
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	sorted := make([]float64, 100)
	for i := range sorted {
		sorted[i] = float64(i + 1)
	}
	for _, tc := range []struct{ p, want float64 }{{50, 50}, {99, 99}, {100, 100}, {1, 1}} {
		if got := percentile(sorted, tc.p); got != tc.want {
			t.Errorf("p%v = %v, want %v", tc.p, got, tc.want)
		}
	}
	if got := percentile([]float64{7}, 99); got != 7 {
		t.Errorf("p99 of one value = %v, want 7", got)
	}
}

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{{0, "0"}, {14, "14"}, {2559.4, "2559"}, {22.84, "22.8"}, {1.044, "1.04"}, {0.3531, "0.353"}} {
		if got := format(tc.in); got != tc.want {
			t.Errorf("format(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFlagsRejected(t *testing.T) {
	for _, args := range [][]string{{"-runs", "0"}, {"-runs", "x"}, {"extra"}, {"-unknown"}} {
		var log bytes.Buffer
		if code := run(args, &log); code != 2 {
			t.Errorf("run(%q) = %d, want 2 (log: %s)", args, code, log.String())
		}
	}
}

func TestRenderShowsFailureAndFigures(t *testing.T) {
	ok := result{Experiment: experiment{Title: "measured", Metrics: []metric{{Name: "ratio", Unit: "×", Reference: "goal ≤ 1.10"}}},
		Runs: [][]float64{{1.2}, {1.0}, {1.1}}}
	bad := result{Experiment: experiment{Title: "broken"}, Err: errString("setup failed\nsecond line")}
	var out bytes.Buffer
	if err := render(&out, machine{Go: "go1.x", Terraform: "1.11.4"}, defaultSettings(3, true), 0, []result{ok, bad}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| ratio | 1.10 | 1 – 1.20 | × | goal ≤ 1.10 |", "## 2. broken", "**Not measured:** setup failed second line", "| terraform | 1.11.4 |"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

type errString string

func (e errString) Error() string { return string(e) }

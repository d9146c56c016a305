package main

import (
	"io"
	"strings"
	"testing"
)

// benchmark runs an experiment as a Go benchmark: one run per iteration, each metric
// reported as its mean over the iterations.
func benchmark(b *testing.B, e experiment) {
	root, err := moduleRoot()
	if err != nil {
		b.Fatal(err)
	}
	l := &lab{Settings: defaultSettings(1, testing.Short()), Dir: b.TempDir(), ModuleRoot: root, Log: io.Discard}
	run, cleanup, err := e.Setup(b.Context(), l)
	if err != nil {
		b.Fatal(err)
	}
	defer cleanup()
	sums := make([]float64, len(e.Metrics))
	n := 0
	for b.Loop() {
		values, err := run(b.Context(), n)
		if err != nil {
			b.Fatal(err)
		}
		for i, v := range values {
			sums[i] += v
		}
		n++
	}
	for i, m := range e.Metrics {
		b.ReportMetric(sums[i]/float64(n), metricUnit(m))
	}
}

// metricUnit is a metric's name and unit as one word, as go test -bench wants units.
func metricUnit(m metric) string {
	r := strings.NewReplacer(" ", "-", "(", "", ")", "", ",", "", ":", "", "/", "per", "×", "x")
	return r.Replace(m.Name) + "_" + r.Replace(m.Unit)
}

// Each figure of the report as a benchmark (-short: the quick settings), e.g.
// go test -run '^$' -bench . -benchtime 5x ./cmd/bench

func BenchmarkRequestsPerOperation(b *testing.B) { benchmark(b, requestsPerOperation) }
func BenchmarkBackupOverhead(b *testing.B)       { benchmark(b, backupOverhead) }
func BenchmarkListBackups(b *testing.B)          { benchmark(b, listBackups) }
func BenchmarkServerLoad(b *testing.B)           { benchmark(b, serverLoad) }
func BenchmarkTerraformApply(b *testing.B)       { benchmark(b, terraformApply) }
func BenchmarkTerraformPlan(b *testing.B)        { benchmark(b, terraformPlan) }
func BenchmarkServerMemory(b *testing.B)         { benchmark(b, serverMemory) }

// Command bench measures the performance figures of the project on the machine it runs on
// and writes them to BENCHMARKS.md: Elasticsearch requests per operation, backup overhead,
// listing, server throughput and latency, terraform apply and plan, and resident memory.
//
//	go run ./cmd/bench [-runs 5] [-out BENCHMARKS.md] [-quick]
//
// It runs from the module root (it builds the server and provider binaries there) and needs
// terraform on PATH for the Terraform figures.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"
)

// experiments are the sections of the report, in order.
var experiments = []experiment{requestsPerOperation, backupOverhead, listBackups, serverLoad, terraformApply, terraformPlan, restoreThroughAction, wholeSet, serverMemory}

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// run parses the flags, measures every experiment and writes the report; it returns the exit
// code: 0, 1 when a figure could not be measured or the report not written, 2 for bad flags.
func run(args []string, log io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(log)
	runs := fs.Int("runs", 5, "runs of every figure (at least 5 for the report of record)")
	out := fs.String("out", "BENCHMARKS.md", "the report to write")
	quick := fs.Bool("quick", false, "smaller data, shorter loads: a smoke run, not a report of record")
	only := fs.String("only", "", "measure only the experiments whose title contains this text (e.g. \"plan\"); the report then has only those")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *runs < 1 || fs.NArg() > 0 {
		fmt.Fprintln(log, "bench: -runs must be at least 1 and no arguments are taken")
		return 2
	}
	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintf(log, "bench: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	dir, err := os.MkdirTemp("", "camunda-bench-")
	if err != nil {
		fmt.Fprintf(log, "bench: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	l := &lab{Settings: defaultSettings(*runs, *quick), Dir: dir, ModuleRoot: root, Log: log}
	start := time.Now()
	var results []result
	failed := false
	for _, e := range experiments {
		if *only != "" && !strings.Contains(strings.ToLower(e.Title), strings.ToLower(*only)) {
			continue
		}
		l.logf("measuring: %s", e.Title)
		r := measure(ctx, l, e, *runs)
		if r.Err != nil {
			failed = true
			l.logf("FAILED: %v", r.Err)
		}
		results = append(results, r)
	}
	path := *out
	if !filepath.IsAbs(path) {
		path = filepath.Join(root, path)
	}
	if err := writeReport(path, describeMachine(ctx, root), l.Settings, time.Since(start), results); err != nil {
		fmt.Fprintf(log, "bench: %v\n", err)
		return 1
	}
	l.logf("wrote %s in %v", *out, time.Since(start).Round(time.Second))
	if failed {
		return 1
	}
	return 0
}

// writeReport renders the report into path.
func writeReport(path string, m machine, s settings, took time.Duration, results []result) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write the report: %w", err)
	}
	if err := render(f, m, s, took, results); err != nil {
		_ = f.Close()
		return fmt.Errorf("write the report: %w", err)
	}
	return f.Close()
}

// moduleRoot is the nearest directory above the working directory that holds go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from inside the module: no go.mod above the working directory")
		}
		dir = parent
	}
}

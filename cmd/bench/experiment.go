package main

import (
	"context"
	"fmt"
)

// metric is one figure of an experiment.
type metric struct {
	Name string
	Unit string
	// Reference is what the figure is compared with: Camunda's design, or a goal.
	Reference string
}

// experiment is one section of the report: set up once, then measured run after run, every
// run yielding one value per metric (so that ratios are measured side by side).
type experiment struct {
	Title   string
	Intro   string
	Metrics []metric
	// Setup prepares the experiment and returns a trial, one run of the measurement, and a
	// cleanup.
	Setup func(ctx context.Context, l *lab) (trial, func(), error)
}

// trial measures once and returns one value per metric, in the order of Metrics.
type trial func(ctx context.Context, run int) ([]float64, error)

// result is an experiment's values, run after run.
type result struct {
	Experiment experiment
	Runs       [][]float64
	Err        error
}

// values returns metric i of every run.
func (r result) values(i int) []float64 {
	out := make([]float64, 0, len(r.Runs))
	for _, run := range r.Runs {
		out = append(out, run[i])
	}
	return out
}

// measure sets the experiment up and runs it runs times.
func measure(ctx context.Context, l *lab, e experiment, runs int) result {
	res := result{Experiment: e}
	run, cleanup, err := e.Setup(ctx, l)
	if err != nil {
		res.Err = fmt.Errorf("set up %q: %w", e.Title, err)
		return res
	}
	defer cleanup()
	for i := range runs {
		values, err := run(ctx, i)
		if err != nil {
			res.Err = fmt.Errorf("%q, run %d: %w", e.Title, i+1, err)
			return res
		}
		if len(values) != len(e.Metrics) {
			res.Err = fmt.Errorf("%q: run %d gave %d values for %d metrics", e.Title, i+1, len(values), len(e.Metrics))
			return res
		}
		res.Runs = append(res.Runs, values)
		l.logf("%s: run %d done", e.Title, i+1)
	}
	return res
}

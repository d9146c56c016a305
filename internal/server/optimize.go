package server

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/elastic/go-elasticsearch/v8/esapi"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// Defaults of the emulated Optimize.
const (
	DefaultOptimizeListen  = "127.0.0.1:8092"
	DefaultOptimizeVersion = "8.8.0"
	// DefaultOptimizeIndexPrefix is Optimize's default index prefix.
	DefaultOptimizeIndexPrefix = "optimize"
)

// OptimizeConfig configures the emulated Optimize backup API.
type OptimizeConfig struct {
	// ES is the Elasticsearch the snapshots are taken in (the web apps' one). Required.
	ES *esapi.API
	// Repository is the snapshot repository; empty: not configured (a take answers 400).
	Repository string
	// Version is Optimize's version in snapshot names; default DefaultOptimizeVersion.
	Version string
	// IndexPrefix is Optimize's index prefix; default DefaultOptimizeIndexPrefix.
	IndexPrefix string
	// Location is the time zone of start times (the JVM's default zone); default UTC.
	Location *time.Location
	// Faults are the injected faults; nil: none.
	Faults *Faults
	// Logger receives the logs; nil discards them.
	Logger *slog.Logger
}

// Optimize emulates Optimize's backup API over Elasticsearch snapshots. It implements
// backupapi.OptimizeBackups. Safe for concurrent use.
type Optimize struct {
	cfg OptimizeConfig
	log *slog.Logger

	mu      sync.Mutex
	pending map[backupapi.ID][]string // snapshots requested, not yet answered by Elasticsearch
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

var _ backupapi.OptimizeBackups = (*Optimize)(nil)

// NewOptimize returns the emulated Optimize of cfg.
func NewOptimize(cfg OptimizeConfig) (*Optimize, error) {
	if cfg.ES == nil {
		return nil, errors.New("the emulated Optimize needs an Elasticsearch client")
	}
	if cfg.Version == "" {
		cfg.Version = DefaultOptimizeVersion
	}
	if strings.Contains(cfg.Version, "_") {
		return nil, fmt.Errorf("the Optimize version must not contain '_', got %q", cfg.Version)
	}
	if cfg.IndexPrefix == "" {
		cfg.IndexPrefix = DefaultOptimizeIndexPrefix
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Faults == nil {
		cfg.Faults = &Faults{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Optimize{cfg: cfg, log: cfg.Logger, pending: map[backupapi.ID][]string{}, ctx: ctx, cancel: cancel}, nil
}

// Close stops waiting for running snapshots (Elasticsearch finishes them) and waits for the
// workers.
func (o *Optimize) Close() error {
	o.cancel()
	o.wg.Wait()
	return nil
}

// partIndices are the index expressions of each part: part 1 the import (position and
// progress) indices, part 2 every other Optimize index. Optimize snapshots the aliases of
// its index groups; these expressions select the same indices by name (the exact 8.8 index
// names of the import group are unconfirmed).
func (o *Optimize) partIndices() [backupapi.OptimizeParts][]string {
	p := o.cfg.IndexPrefix
	imports := []string{p + "-timestamp-based-import-index*", p + "-position-based-import-index*"}
	rest := []string{p + "-*"}
	for _, i := range imports {
		rest = append(rest, "-"+i)
	}
	return [backupapi.OptimizeParts][]string{imports, rest}
}

// unreachable is Optimize's error when Elasticsearch cannot be reached.
func unreachable(cause error, call string) error {
	return backupapi.Unavailable(cause, "Failed to %s: could not connect to Elasticsearch", call)
}

// Take starts both snapshots of backup id in the background, after checking the repository
// and that no snapshot of id exists (nor is being requested: Optimize's own check can miss a
// concurrent take; ours cannot).
func (o *Optimize) Take(ctx context.Context, id backupapi.ID) error {
	if err := backupapi.ValidateOptimizeID(id); err != nil {
		return err
	}
	if o.cfg.Repository == "" {
		return backupapi.OptimizeNotConfigured()
	}
	if o.cfg.Faults.Get().OptimizeUnreachable {
		return unreachable(nil, "trigger backup")
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := o.checkRepository(ctx); err != nil {
		return err
	}
	snaps, err := o.snapshots(ctx, backupapi.OptimizeSnapshotPattern(id))
	if err != nil {
		return err
	}
	names := o.pending[id]
	for _, s := range snaps {
		names = append(names, s.Name)
	}
	if len(names) > 0 {
		return backupapi.OptimizeAlreadyExists(id, names)
	}
	parts := o.partIndices()
	names = make([]string, len(parts))
	for i := range parts {
		names[i] = backupapi.OptimizeSnapshotName(id, o.cfg.Version, i+1)
	}
	o.pending[id] = names
	for i, indices := range parts {
		o.wg.Add(1)
		go o.createSnapshot(id, names[i], indices)
	}
	// Both creates are sent back to back, as Optimize issues them; the answer does not wait
	// for them to be registered (so a GET right after can answer 404, as Optimize's can).
	o.log.Info("optimize backup scheduled", "backup", id, "snapshots", names)
	return nil
}

// createSnapshot takes one part and waits for it; its outcome is read from the snapshot.
func (o *Optimize) createSnapshot(id backupapi.ID, name string, indices []string) {
	defer o.wg.Done()
	body, _ := json.Marshal(map[string]any{
		"indices": strings.Join(indices, ","), "ignore_unavailable": true, "allow_no_indices": true, "include_global_state": false,
	})
	create := o.cfg.ES.Snapshot.Create
	res, err := create(o.cfg.Repository, name, create.WithContext(o.ctx), create.WithBody(strings.NewReader(string(body))), create.WithWaitForCompletion(true))
	if err == nil {
		if res.IsError() {
			err = fmt.Errorf("%s", res.String())
		}
		_ = res.Body.Close()
	}
	if err != nil && o.ctx.Err() == nil {
		o.log.Error("optimize snapshot failed", "backup", id, "snapshot", name, "err", err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	left := slices.DeleteFunc(o.pending[id], func(n string) bool { return n == name })
	if len(left) == 0 {
		delete(o.pending, id)
	} else {
		o.pending[id] = left
	}
}

// checkRepository is Optimize's repository check: a missing repository is its
// OptimizeSnapshotRepositoryNotFoundException, which no handler maps, so 500 (Camunda's docs
// say 400; the code wins).
func (o *Optimize) checkRepository(ctx context.Context) error {
	get := o.cfg.ES.Snapshot.GetRepository
	res, err := get(get.WithContext(ctx), get.WithRepository(o.cfg.Repository))
	if err != nil {
		return unreachable(err, "read the snapshot repository")
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusNotFound:
		return backupapi.Internal(nil, "No repository with name [%s] could be found.", o.cfg.Repository)
	case res.StatusCode >= 502 && res.StatusCode <= 504:
		return unreachable(nil, "read the snapshot repository")
	case res.IsError():
		return backupapi.Internal(nil, "Failed to read the snapshot repository [%s]: status %d", o.cfg.Repository, res.StatusCode)
	}
	return nil
}

// snapshotsAnswer is the part of Elasticsearch's snapshot list that Optimize reads.
type snapshotsAnswer struct {
	Snapshots []struct {
		Snapshot          string `json:"snapshot"`
		State             string `json:"state"`
		StartTimeInMillis *int64 `json:"start_time_in_millis"`
		Failures          []struct {
			Reason string `json:"reason"`
		} `json:"failures"`
	} `json:"snapshots"`
}

// snapshots lists the snapshots matching pattern.
func (o *Optimize) snapshots(ctx context.Context, pattern string) ([]backupapi.Snapshot, error) {
	get := o.cfg.ES.Snapshot.Get
	res, err := get(o.cfg.Repository, []string{pattern}, get.WithContext(ctx), get.WithIgnoreUnavailable(true))
	if err != nil {
		return nil, unreachable(err, "read snapshots")
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, unreachable(err, "read snapshots")
	}
	switch {
	case res.StatusCode == http.StatusNotFound && strings.Contains(string(data), "repository_missing_exception"):
		return nil, backupapi.Internal(nil, "No repository with name [%s] could be found.", o.cfg.Repository)
	case res.StatusCode == http.StatusNotFound:
		return nil, nil
	case res.StatusCode >= 502 && res.StatusCode <= 504:
		return nil, unreachable(nil, "read snapshots")
	case res.IsError():
		return nil, backupapi.Internal(nil, "Failed to read snapshots of repository [%s]: status %d", o.cfg.Repository, res.StatusCode)
	}
	var answer snapshotsAnswer
	if err := json.Unmarshal(data, &answer); err != nil {
		return nil, backupapi.Internal(err, "Failed to read snapshots of repository [%s]", o.cfg.Repository)
	}
	out := make([]backupapi.Snapshot, 0, len(answer.Snapshots))
	for _, s := range answer.Snapshots {
		snap := backupapi.Snapshot{Name: s.Snapshot, State: s.State, Failures: []string{}}
		if s.StartTimeInMillis != nil {
			snap.StartTime = time.UnixMilli(*s.StartTimeInMillis).In(o.cfg.Location)
		}
		for _, f := range s.Failures {
			snap.Failures = append(snap.Failures, f.Reason)
		}
		out = append(out, snap)
	}
	return out, nil
}

// Get returns Optimize backup id; ErrNotFound when it has no snapshot (yet).
func (o *Optimize) Get(ctx context.Context, id backupapi.ID) (backupapi.OptimizeBackup, error) {
	if o.cfg.Faults.Get().OptimizeUnreachable {
		return backupapi.OptimizeBackup{}, unreachable(nil, "read backup")
	}
	snaps, err := o.snapshots(ctx, backupapi.OptimizeSnapshotPattern(id))
	if err != nil {
		return backupapi.OptimizeBackup{}, err
	}
	if len(snaps) == 0 {
		return backupapi.OptimizeBackup{}, backupapi.OptimizeNotFound(id)
	}
	slices.SortFunc(snaps, func(a, b backupapi.Snapshot) int { return cmp.Compare(a.Name, b.Name) })
	return backupapi.NewOptimizeBackup(id, snaps), nil
}

// List returns every Optimize backup, by id, descending (ours: Optimize's order is
// unspecified).
func (o *Optimize) List(ctx context.Context) ([]backupapi.OptimizeBackup, error) {
	if o.cfg.Faults.Get().OptimizeUnreachable {
		return nil, unreachable(nil, "read backups")
	}
	snaps, err := o.snapshots(ctx, backupapi.OptimizeSnapshotPrefix+"*")
	if err != nil {
		return nil, err
	}
	groups := map[backupapi.ID][]backupapi.Snapshot{}
	for _, s := range snaps {
		if id, ok := backupapi.ParseOptimizeSnapshotID(s.Name); ok {
			groups[id] = append(groups[id], s)
		}
	}
	out := make([]backupapi.OptimizeBackup, 0, len(groups))
	for id, g := range groups {
		slices.SortFunc(g, func(a, b backupapi.Snapshot) int { return cmp.Compare(a.Name, b.Name) })
		out = append(out, backupapi.NewOptimizeBackup(id, g))
	}
	slices.SortFunc(out, func(a, b backupapi.OptimizeBackup) int { return cmp.Compare(b.ID, a.ID) })
	return out, nil
}

// Delete submits the deletion of every snapshot of backup id and returns without waiting;
// the outcome is only logged, as Optimize does.
func (o *Optimize) Delete(_ context.Context, id backupapi.ID) error {
	if o.cfg.Faults.Get().OptimizeUnreachable {
		return unreachable(nil, "delete backup")
	}
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		// Optimize deletes camunda_optimize_<id>_* in one call; Elasticsearch refuses wildcard
		// deletes while action.destructive_requires_name is set, so the names are listed first.
		snaps, err := o.snapshots(o.ctx, backupapi.OptimizeSnapshotPattern(id))
		if err != nil || len(snaps) == 0 {
			if err != nil && o.ctx.Err() == nil {
				o.log.Error("optimize backup delete failed", "backup", id, "err", err)
			}
			return
		}
		names := make([]string, len(snaps))
		for i, sn := range snaps {
			names[i] = sn.Name
		}
		del := o.cfg.ES.Snapshot.Delete
		res, err := del(o.cfg.Repository, names, del.WithContext(o.ctx))
		if err == nil {
			if res.IsError() && res.StatusCode != http.StatusNotFound {
				err = fmt.Errorf("%s", res.String())
			}
			_ = res.Body.Close()
		}
		if err != nil && o.ctx.Err() == nil {
			o.log.Error("optimize backup delete failed", "backup", id, "err", err)
		}
	}()
	return nil
}

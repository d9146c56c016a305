package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/actuator"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// settings size the experiments.
type settings struct {
	// Runs is the number of runs of every experiment (at least 5 for a report of record).
	Runs int
	// Documents is the size of the realistic data set of the backup overhead.
	Documents int
	// ListBackups is the number of backups of the list figures.
	ListBackups int
	// PlanResources is the number of resources of the terraform plan figure.
	PlanResources int
	// LoadDuration is how long each concurrency level of the load figure runs.
	LoadDuration time.Duration
}

// defaultSettings are the settings of the report of record; quick ones give a smoke run.
func defaultSettings(runs int, quick bool) settings {
	if quick {
		return settings{Runs: runs, Documents: 10_000, ListBackups: 100, PlanResources: 10, LoadDuration: 500 * time.Millisecond}
	}
	return settings{Runs: runs, Documents: 100_000, ListBackups: 1000, PlanResources: 100, LoadDuration: 3 * time.Second}
}

// lab is what the experiments share: settings, a scratch directory, the binaries they build
// and a progress log.
type lab struct {
	Settings settings
	Dir      string
	// ModuleRoot is the directory of the project's go.mod, where binaries are built from.
	ModuleRoot string
	Log        io.Writer

	buildMu sync.Mutex
	built   map[string]string

	listOnce sync.Once
	listDir  string
	listErr  error
}

func (l *lab) logf(format string, args ...any) {
	fmt.Fprintf(l.Log, "bench: "+format+"\n", args...)
}

// tempDir returns a new directory under the lab's scratch directory.
func (l *lab) tempDir(name string) (string, error) {
	return os.MkdirTemp(l.Dir, name+"-")
}

// binary builds the main package pkg (relative to the module root) once and returns the path
// of the binary, named name.
func (l *lab) binary(ctx context.Context, name, pkg string) (string, error) {
	l.buildMu.Lock()
	defer l.buildMu.Unlock()
	if p, ok := l.built[name]; ok {
		return p, nil
	}
	dir, err := l.tempDir("bin")
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, name)
	l.logf("go build %s", pkg)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = l.ModuleRoot
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", pkg, err, msg)
	}
	if l.built == nil {
		l.built = map[string]string{}
	}
	l.built[name] = out
	return out, nil
}

// startServer starts the reference server in-process on its embedded Elasticsearch, in
// cfg.DataDir or, when empty, a new data directory.
func (l *lab) startServer(ctx context.Context, cfg server.Config) (*server.Server, func(), error) {
	if cfg.DataDir == "" {
		dir, err := l.tempDir("server")
		if err != nil {
			return nil, nil, err
		}
		cfg.DataDir = dir
	}
	cfg.Listen, cfg.EmbeddedListen = "127.0.0.1:0", "127.0.0.1:0"
	srv, err := server.Start(ctx, cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("start the reference server: %w", err)
	}
	return srv, func() { _ = srv.Shutdown(context.Background()) }, nil
}

// listData returns a data directory of the reference server whose repository holds
// Settings.ListBackups backups: backup 1 a real 5-part backup taken through the API, the
// others one-part backups written directly. It is prepared once.
func (l *lab) listData(ctx context.Context) (string, error) {
	l.listOnce.Do(func() { l.listDir, l.listErr = l.prepareListData(ctx) })
	return l.listDir, l.listErr
}

func (l *lab) prepareListData(ctx context.Context) (string, error) {
	dir, err := l.tempDir("list-data")
	if err != nil {
		return "", err
	}
	l.logf("preparing %d backups", l.Settings.ListBackups)
	srv, stop, err := l.startServer(ctx, server.Config{DataDir: dir, SnapshotDelay: -1, SeedDocuments: 1000})
	if err != nil {
		return "", err
	}
	defer stop()
	api, err := actuator.New(actuator.Config{URL: srv.URL()})
	if err != nil {
		return "", err
	}
	if _, err := api.Create(ctx, 1); err != nil {
		return "", fmt.Errorf("create backup 1: %w", err)
	}
	if b, err := waitTerminal(ctx, api, 1); err != nil || b.State != backupapi.StateCompleted {
		return "", fmt.Errorf("backup 1: %s, %v", b.State, err)
	}
	if err := seedBackups(ctx, srv.ElasticsearchURL(), 2, l.Settings.ListBackups-1); err != nil {
		return "", err
	}
	return dir, nil
}

// Package esemu is an Elasticsearch-compatible snapshot server: the part of
// the Elasticsearch 8.x REST API that backups and restores use (indices,
// aliases, mappings and settings, documents, search, count and scroll, fs
// snapshot repositories, snapshots, restore, recovery, _cat), with its data
// on disk and fault injection for tests.
package esemu

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Config configures a Server.
type Config struct {
	// DataDir holds indices, documents and cluster state. Required.
	DataDir string
	// PathRepo lists the path.repo roots fs repositories must live under;
	// relative locations resolve against the first.
	PathRepo []string
	// SnapshotDelay is added to every snapshot's duration: 0 means the
	// default of 50ms, a negative value means none.
	SnapshotDelay time.Duration
	// AdminAPI serves the fault-injection admin path /_emulator/faults.
	AdminAPI bool
	// Version is the version.number reported; default DefaultVersion.
	Version string
	// ClusterName and NodeName default to "camunda-emulator" and "node-1".
	ClusterName, NodeName string
	// Logger receives operational logs; default discards them.
	Logger *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Username and Password, when Password is set, are required as HTTP basic
	// authentication on every request, as Elasticsearch 8 requires them with
	// security on (the user is normally "elastic").
	Username, Password string
}

// DefaultVersion is the Elasticsearch version reported by default.
const DefaultVersion = "8.19.7"

// defaultSnapshotDelay is the per-snapshot delay when Config.SnapshotDelay is 0.
const defaultSnapshotDelay = 50 * time.Millisecond

// Server is an Elasticsearch-compatible snapshot server.
type Server struct {
	cfg    Config
	log    *slog.Logger
	now    func() time.Time
	faults *Faults
	delay  time.Duration

	apiMux, indexMux *http.ServeMux

	mu          sync.RWMutex
	clusterUUID string
	nodeID      string
	indices     map[string]*index
	repos       []*repository
	repoData    map[string]*repoData // by repository location
	settings    clusterSettings
	closed      bool

	stop    chan struct{}
	workers sync.WaitGroup

	// db is the data directory's database (store.go).
	db *bolt.DB
	// docMu serialises document writers (and index deletion, closing and
	// restore), so that the write of a large request holds s.mu only to
	// plan and to apply, not while it commits.
	docMu sync.Mutex
	// beforeCommit, set by tests, runs before document writes commit.
	beforeCommit func()

	reqMu sync.Mutex
	reqs  []Request

	// ext holds restore records and scroll contexts (recovery.go, search.go).
	ext extState
}

// New opens or creates the data directory and recovers the persisted state. A
// snapshot that was running when the server last stopped is FAILED.
func New(cfg Config) (*Server, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("esemu: Config.DataDir is required")
	}
	dir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("esemu: data dir: %w", err)
	}
	cfg.DataDir = dir
	roots := make([]string, 0, len(cfg.PathRepo))
	for _, p := range cfg.PathRepo {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, fmt.Errorf("esemu: path.repo %q: %w", p, err)
		}
		roots = append(roots, filepath.Clean(abs))
	}
	cfg.PathRepo = roots
	if cfg.Version == "" {
		cfg.Version = DefaultVersion
	}
	if cfg.ClusterName == "" {
		cfg.ClusterName = "camunda-emulator"
	}
	if cfg.NodeName == "" {
		cfg.NodeName = "node-1"
	}
	s := &Server{
		cfg:      cfg,
		log:      cfg.Logger,
		now:      cfg.Now,
		faults:   newFaults(),
		indices:  map[string]*index{},
		repoData: map[string]*repoData{},
		stop:     make(chan struct{}),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	switch {
	case cfg.SnapshotDelay == 0:
		s.delay = defaultSnapshotDelay
	case cfg.SnapshotDelay > 0:
		s.delay = cfg.SnapshotDelay
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("esemu: create data dir: %w", err)
	}
	if err := s.load(); err != nil {
		_ = s.closeDB()
		if errors.Is(err, ErrDataDirInUse) {
			return nil, fmt.Errorf("esemu: %w", err)
		}
		return nil, fmt.Errorf("esemu: recover state from %s: %w", dir, err)
	}
	s.routes()
	return s, nil
}

// Faults returns the fault injection controls.
func (s *Server) Faults() *Faults { return s.faults }

// Close stops background snapshot work, persists the state and closes files.
// Snapshots still running stay recorded as running, and are FAILED when the
// data is opened again. Close is idempotent.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.stop)
	s.mu.Unlock()
	s.workers.Wait()
	s.docMu.Lock()
	defer s.docMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.saveStateLocked()
	return errors.Join(err, s.closeDB())
}

// ListenAndServe serves on addr until ctx is done, then shuts down and closes
// the server. ready, if not nil, is called with the bound address.
func (s *Server) ListenAndServe(ctx context.Context, addr string, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		_ = s.Close()
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	serr := hs.Shutdown(sctx)
	if cerr := s.Close(); cerr != nil {
		return cerr
	}
	if serr != nil {
		return fmt.Errorf("shutdown: %w", serr)
	}
	return nil
}

// versionID is the numeric form of the reported version (major*1000000 +
// minor*10000 + revision*100 + 99).
func (s *Server) versionID() int {
	var a, b, c int
	_, _ = fmt.Sscanf(s.cfg.Version, "%d.%d.%d", &a, &b, &c)
	return a*1000000 + b*10000 + c*100 + 99
}

type versionInfo struct {
	Number                           string `json:"number"`
	BuildFlavor                      string `json:"build_flavor"`
	BuildType                        string `json:"build_type"`
	BuildHash                        string `json:"build_hash"`
	BuildDate                        string `json:"build_date"`
	BuildSnapshot                    bool   `json:"build_snapshot"`
	LuceneVersion                    string `json:"lucene_version"`
	MinimumWireCompatibilityVersion  string `json:"minimum_wire_compatibility_version"`
	MinimumIndexCompatibilityVersion string `json:"minimum_index_compatibility_version"`
}

func (c *call) info() error {
	s := c.s
	return c.json(http.StatusOK, struct {
		Name        string      `json:"name"`
		ClusterName string      `json:"cluster_name"`
		ClusterUUID string      `json:"cluster_uuid"`
		Version     versionInfo `json:"version"`
		Tagline     string      `json:"tagline"`
	}{s.cfg.NodeName, s.cfg.ClusterName, s.clusterUUID, versionInfo{
		Number: s.cfg.Version, BuildFlavor: "default", BuildType: "tar",
		BuildHash: "0000000000000000000000000000000000000000", BuildDate: "2025-01-01T00:00:00.000000000Z",
		LuceneVersion: "9.12.2", MinimumWireCompatibilityVersion: "7.17.0", MinimumIndexCompatibilityVersion: "7.0.0",
	}, "You Know, for Search"})
}

const healthParams = "level local master_timeout timeout wait_for_active_shards wait_for_events wait_for_nodes wait_for_no_initializing_shards wait_for_no_relocating_shards wait_for_status expand_wildcards"

// clusterHealth answers a single node cluster's health: green unless an index
// asks for replicas, which one node cannot allocate.
func (c *call) clusterHealth() error {
	s := c.s
	s.mu.RLock()
	status, shards, unassigned := "green", 0, 0
	for _, ix := range s.indices {
		if ix.closed {
			continue
		}
		shards += ix.shards()
		if r := ix.replicas(); r > 0 {
			unassigned += r * ix.shards()
			status = "yellow"
		}
	}
	s.mu.RUnlock()
	return c.json(http.StatusOK, object{
		{"cluster_name", s.cfg.ClusterName}, {"status", status}, {"timed_out", false},
		{"number_of_nodes", 1}, {"number_of_data_nodes", 1},
		{"active_primary_shards", shards}, {"active_shards", shards},
		{"relocating_shards", 0}, {"initializing_shards", 0}, {"unassigned_shards", unassigned},
		{"unassigned_primary_shards", 0}, {"delayed_unassigned_shards", 0},
		{"number_of_pending_tasks", 0}, {"number_of_in_flight_fetch", 0},
		{"task_max_waiting_in_queue_millis", 0}, {"active_shards_percent_as_number", 100.0},
	})
}

package esemu

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// The data directory holds one bbolt database, dbFile: the cluster state
// (repositories, index metadata, persistent settings) under one key and the
// documents of each index in a bucket named by the index uuid. Every
// acknowledged change is committed (and fsynced) before the answer; bbolt's
// copy-on-write pages leave the last committed state readable after a crash
// or a failed write. The database's file lock keeps a second process out.
const (
	dbFile  = "esemu.db"
	pidFile = "esemu.pid"
	// legacyStateFile is the cluster state of the former JSON-file format,
	// migrated into dbFile on first start.
	legacyStateFile = "cluster-state.json"
)

var (
	bucketMeta = []byte("meta")
	bucketDocs = []byte("docs")
	bucketSeq  = []byte("seqno")
	keyState   = []byte("cluster_state")
)

// ErrDataDirInUse is returned by New when another process has the data
// directory open.
var ErrDataDirInUse = errors.New("data directory in use by another process")

// ErrStateMissing is returned by New when the data directory has been used
// before but its cluster state is gone: starting with an empty cluster would
// hide every index, so the start fails.
var ErrStateMissing = errors.New("cluster state missing")

type persistedState struct {
	ClusterUUID  string           `json:"cluster_uuid"`
	NodeID       string           `json:"node_id"`
	Repositories []persistedRepo  `json:"repositories"`
	Indices      []persistedIndex `json:"indices"`
	// Settings are the persistent cluster settings.
	Settings map[string]string `json:"settings,omitempty"`
}

type persistedRepo struct {
	Name     string          `json:"name"`
	Type     string          `json:"type"`
	Settings json.RawMessage `json:"settings"`
	// Location is relative to the path.repo root that holds it, so that a
	// copied data directory and repository root work on their own.
	Location string `json:"location"`
}

type persistedIndex struct {
	Name     string            `json:"name"`
	UUID     string            `json:"uuid"`
	Settings map[string]string `json:"settings"`
	Mappings json.RawMessage   `json:"mappings,omitempty"`
	Aliases  json.RawMessage   `json:"aliases,omitempty"`
	Closed   bool              `json:"closed"`
	Created  int64             `json:"created"`
	Recovery string            `json:"recovery,omitempty"`
}

// newUUID returns a 22-character URL-safe base64 random id, the form of
// Elasticsearch's UUIDs.randomBase64UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// validUUID reports whether s has the form newUUID makes; only such values
// read from disk are used in file names and bucket names.
func validUUID(s string) bool {
	if len(s) != 22 {
		return false
	}
	for _, c := range []byte(s) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
		if !ok {
			return false
		}
	}
	return true
}

// writeFileAtomic writes data to path durably: a temporary file in the same
// directory, fsynced, renamed over path, and the directory fsynced.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync %s: %w", filepath.Base(path), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", filepath.Base(path), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("rename to %s: %w", filepath.Base(path), err)
	}
	return syncDir(dir)
}

// syncDir fsyncs a directory so that entries created or renamed in it persist.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open directory for sync: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	return nil
}

// openDB opens (creating when new) the database of the data directory,
// failing at once when another process holds it.
func (s *Server) openDB() (fresh bool, err error) {
	dir := s.cfg.DataDir
	path := filepath.Join(dir, dbFile)
	_, statErr := os.Stat(path)
	fresh = errors.Is(statErr, fs.ErrNotExist)
	if fresh {
		if err := s.checkUnused(dir); err != nil {
			return false, err
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 200 * time.Millisecond, InitialMmapSize: 64 << 20})
	if errors.Is(err, bolterrors.ErrTimeout) {
		holder := ""
		if b, rerr := os.ReadFile(filepath.Join(dir, pidFile)); rerr == nil {
			if pid, perr := strconv.Atoi(strings.TrimSpace(string(b))); perr == nil {
				holder = " (pid " + strconv.Itoa(pid) + ")"
			}
		}
		return false, fmt.Errorf("%w: %s is open in another process%s; one process per data directory", ErrDataDirInUse, dir, holder)
	}
	if err != nil {
		return false, fmt.Errorf("open the database: %w", err)
	}
	s.db = db
	if err := os.WriteFile(filepath.Join(dir, pidFile), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		s.log.Warn("record the process id", "err", err)
	}
	return fresh, nil
}

// checkUnused refuses to create a new database in a directory that shows an
// earlier start (its process id file, index documents of a former format)
// without either the database or a former cluster state to migrate.
func (s *Server) checkUnused(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, legacyStateFile)); err == nil {
		return nil
	}
	for _, name := range []string{pidFile, "indices"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return fmt.Errorf("%w: %s has been used (it has %s) but %s is gone; restore it from a copy, or start on an empty directory", ErrStateMissing, dir, name, dbFile)
		}
	}
	return nil
}

// stateLocked is the cluster state to persist; s.mu must be held.
func (s *Server) stateLocked() persistedState {
	st := persistedState{ClusterUUID: s.clusterUUID, NodeID: s.nodeID, Settings: s.settings.persistent}
	for _, r := range s.repos {
		st.Repositories = append(st.Repositories, persistedRepo{r.name, r.typ, r.settings, r.relLocation})
	}
	for _, ix := range s.sortedIndices() {
		st.Indices = append(st.Indices, ix.meta())
	}
	return st
}

// putState writes st in tx.
func putState(tx *bolt.Tx, st persistedState) error {
	data, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode cluster state: %w", err)
	}
	b, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return fmt.Errorf("cluster state bucket: %w", err)
	}
	if err := b.Put(keyState, data); err != nil {
		return fmt.Errorf("write cluster state: %w", err)
	}
	return nil
}

// saveStateLocked commits the cluster state; s.mu must be held. A change is
// acknowledged only once this returns nil.
func (s *Server) saveStateLocked() error {
	st := s.stateLocked()
	if err := s.db.Update(func(tx *bolt.Tx) error { return putState(tx, st) }); err != nil {
		return fmt.Errorf("commit cluster state: %w", err)
	}
	return nil
}

// persist commits the cluster state, taking s.mu for reading.
func (s *Server) persist() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.saveStateLocked()
}

// load recovers the cluster state, the documents of every index and the
// snapshots of every repository.
func (s *Server) load() error {
	fresh, err := s.openDB()
	if err != nil {
		return err
	}
	var st persistedState
	if fresh {
		if st, err = s.migrateLegacy(); err != nil {
			return err
		}
		if st.ClusterUUID == "" {
			st.ClusterUUID, st.NodeID = newUUID(), newUUID()
		}
	} else if err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMeta)
		if b == nil && tx.Bucket(bucketDocs) == nil {
			// Created, then stopped before its first commit: nothing was acknowledged.
			st.ClusterUUID, st.NodeID = newUUID(), newUUID()
			return nil
		}
		var data []byte
		if b != nil {
			data = b.Get(keyState)
		}
		if data == nil {
			return fmt.Errorf("%w: %s has no cluster state", ErrStateMissing, dbFile)
		}
		if err := json.Unmarshal(data, &st); err != nil {
			return fmt.Errorf("decode cluster state: %w", err)
		}
		return nil
	}); err != nil {
		return err
	}
	s.clusterUUID, s.nodeID = st.ClusterUUID, st.NodeID
	s.settings = clusterSettings{persistent: cloneMap(st.Settings), transient: map[string]string{}}
	if err := s.db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketDocs); err != nil {
			return err
		}
		if _, err := tx.CreateBucketIfNotExists(bucketSeq); err != nil {
			return err
		}
		return putState(tx, st)
	}); err != nil {
		return fmt.Errorf("initialise the database: %w", err)
	}
	if err := s.db.View(func(tx *bolt.Tx) error {
		docs := tx.Bucket(bucketDocs)
		for _, pi := range st.Indices {
			if !validUUID(pi.UUID) {
				return fmt.Errorf("index [%s] has an invalid uuid in the cluster state", pi.Name)
			}
			ix := indexFromMeta(pi)
			if err := ix.load(docs, tx.Bucket(bucketSeq)); err != nil {
				return fmt.Errorf("load documents of [%s]: %w", pi.Name, err)
			}
			s.indices[ix.name] = ix
		}
		return nil
	}); err != nil {
		return err
	}
	for _, pr := range st.Repositories {
		root, loc, err := s.locateStored(pr.Location)
		if err != nil {
			return fmt.Errorf("repository [%s]: %w", pr.Name, err)
		}
		rd, err := s.openRepoData(root, loc)
		if err != nil {
			return err
		}
		s.repos = append(s.repos, &repository{name: pr.Name, typ: pr.Type, settings: pr.Settings, location: loc, relLocation: relTo(root, loc), data: rd})
	}
	return s.persist()
}

// locateStored resolves a stored repository location: relative to the
// path.repo root that has it (the first when none has it yet), or, as the
// former format stored it, absolute under one of the roots.
func (s *Server) locateStored(stored string) (root, loc string, err error) {
	if len(s.cfg.PathRepo) == 0 {
		return "", "", errors.New("no path.repo root is configured")
	}
	if filepath.IsAbs(stored) {
		for _, r := range s.cfg.PathRepo {
			if within(r, filepath.Clean(stored)) {
				return r, filepath.Clean(stored), nil
			}
		}
		return "", "", errors.New("its location is outside every path.repo root")
	}
	if !filepath.IsLocal(stored) {
		return "", "", errors.New("its stored location climbs out of path.repo")
	}
	for _, r := range s.cfg.PathRepo {
		p := filepath.Join(r, stored)
		if _, err := os.Stat(p); err == nil {
			return r, p, nil
		}
	}
	return s.cfg.PathRepo[0], filepath.Join(s.cfg.PathRepo[0], stored), nil
}

// relTo is p relative to root (both clean and absolute, p within root).
func relTo(root, p string) string {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return p
	}
	return rel
}

// migrateLegacy reads the former on-disk format (a JSON cluster state and an
// NDJSON file of documents per index) into the new database, and renames the
// former state file so that it is not read again. A torn last line of a
// former index file is dropped. It returns the zero state when there is
// nothing to migrate.
func (s *Server) migrateLegacy() (persistedState, error) {
	var st persistedState
	path := filepath.Join(s.cfg.DataDir, legacyStateFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("read the former cluster state: %w", err)
	}
	if err := json.Unmarshal(data, &st); err != nil {
		return st, fmt.Errorf("decode the former cluster state: %w", err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		docs, err := tx.CreateBucketIfNotExists(bucketDocs)
		if err != nil {
			return err
		}
		for _, pi := range st.Indices {
			if !validUUID(pi.UUID) {
				return fmt.Errorf("index [%s] has an invalid uuid in the former cluster state", pi.Name)
			}
			b, err := docs.CreateBucketIfNotExists([]byte(pi.UUID))
			if err != nil {
				return err
			}
			seq, err := importLegacyDocs(filepath.Join(s.cfg.DataDir, "indices", pi.UUID+".ndjson"), b)
			if err != nil {
				return fmt.Errorf("migrate documents of [%s]: %w", pi.Name, err)
			}
			if err := putSeqNo(tx, pi.UUID, seq); err != nil {
				return err
			}
		}
		return putState(tx, st)
	})
	if err != nil {
		return st, fmt.Errorf("migrate the former data format: %w", err)
	}
	if err := os.Rename(path, path+".migrated"); err != nil {
		return st, fmt.Errorf("set the former cluster state aside: %w", err)
	}
	s.log.Info("migrated the former data format", "indices", len(st.Indices))
	return st, nil
}

// importLegacyDocs copies the live documents of a former NDJSON index file
// into b.
func importLegacyDocs(path string, b *bolt.Bucket) (int64, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	var seq int64
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			var dl docLine
			if jerr := json.Unmarshal(line, &dl); jerr != nil {
				return 0, fmt.Errorf("garbled line: %w", jerr)
			}
			if dl.Deleted {
				if err := b.Delete([]byte(dl.ID)); err != nil {
					return 0, err
				}
			} else if err := b.Put([]byte(dl.ID), encodeDoc(docMeta{version: dl.Version, seqNo: dl.SeqNo}, dl.Source)); err != nil {
				return 0, err
			}
			seq = max(seq, dl.SeqNo+1)
		}
		if errors.Is(err, io.EOF) {
			return seq, nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// closeDB closes the database; s.mu must be held or the server unused.
func (s *Server) closeDB() error {
	if s.db == nil {
		return nil
	}
	err := s.db.Close()
	s.db = nil
	if err != nil {
		return fmt.Errorf("close the database: %w", err)
	}
	return nil
}

// sortedIndices lists indices by creation, then name; s.mu must be held.
func (s *Server) sortedIndices() []*index {
	out := make([]*index, 0, len(s.indices))
	for _, ix := range s.indices {
		out = append(out, ix)
	}
	slices.SortFunc(out, func(a, b *index) int {
		if a.created != b.created {
			if a.created < b.created {
				return -1
			}
			return 1
		}
		return strings.Compare(a.name, b.name)
	})
	return out
}

package esemu

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

const createSnapshotParams = "master_timeout wait_for_completion"

// Snapshot states of SnapshotInfo.
const (
	stateInProgress = "IN_PROGRESS"
	stateSuccess    = "SUCCESS"
	stateFailed     = "FAILED"
	statePartial    = "PARTIAL"
)

// copyThroughput is the simulated speed at which snapshots copy data, so that
// a snapshot's duration grows with the data it copies.
const copyThroughput = 200 << 20 // bytes per second

// maxMetadataBytes is the largest serialized user metadata accepted.
const maxMetadataBytes = 1024

type shardFailure struct {
	Index     string `json:"index"`
	IndexUUID string `json:"index_uuid"`
	ShardID   int    `json:"shard_id"`
	Reason    string `json:"reason"`
	NodeID    string `json:"node_id,omitempty"`
	Status    string `json:"status"`
}

type featureState struct {
	FeatureName string   `json:"feature_name"`
	Indices     []string `json:"indices"`
}

type indexDetail struct {
	Name      string `json:"name"`
	UUID      string `json:"uuid"`
	Shards    int    `json:"shards"`
	SizeBytes int64  `json:"size_in_bytes"`
}

// snapshotRecord is what a repository stores about one snapshot.
type snapshotRecord struct {
	Name               string          `json:"name"`
	UUID               string          `json:"uuid"`
	VersionID          int             `json:"version_id"`
	Version            string          `json:"version"`
	Indices            []indexDetail   `json:"indices"`
	DataStreams        []string        `json:"data_streams"`
	IncludeGlobalState bool            `json:"include_global_state"`
	Metadata           json.RawMessage `json:"metadata,omitempty"`
	FeatureStates      []featureState  `json:"feature_states"`
	State              string          `json:"state"`
	Reason             string          `json:"reason,omitempty"`
	Start              int64           `json:"start"`
	End                int64           `json:"end"`
	Failures           []shardFailure  `json:"failures"`
	TotalShards        int             `json:"total_shards"`
	// Files lists the snapshot's data files with their checksums; records
	// of the former format have none (their files are named by index).
	Files []snapshotFile `json:"files,omitempty"`
}

// The kinds of a snapshot's data files.
const (
	fileMeta = "meta" // the index metadata, <index uuid>.json
	fileDocs = "docs" // the documents, <index uuid>.ndjson
)

// snapshotFile is one data file of a snapshot, named by its index's uuid.
type snapshotFile struct {
	Index  string `json:"index_uuid"`
	Kind   string `json:"kind"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// name is the file's name in the snapshot's data directory.
func (f snapshotFile) name() string {
	if f.Kind == fileMeta {
		return f.Index + ".json"
	}
	return f.Index + ".ndjson"
}

// snapshot is a snapshot in a repository, running or finished. Fields are
// guarded by Server.mu.
type snapshot struct {
	snapshotRecord
	abort   chan struct{} // closed to abort a running snapshot
	done    chan struct{} // closed when the worker is finished
	aborted bool
}

func (sn *snapshot) failedShards() int { return len(sn.Failures) }

// failInterrupted marks a snapshot found running after a restart as FAILED.
func (sn *snapshot) failInterrupted(now int64) {
	sn.State, sn.Reason, sn.End = stateFailed, nodeLeftReason, max(now, sn.Start)
	sn.Failures = sn.shardFailures(nodeLeftReason, "")
}

func (sn *snapshotRecord) shardFailures(reason, nodeID string) []shardFailure {
	out := []shardFailure{}
	for _, d := range sn.Indices {
		for i := 0; i < d.Shards; i++ {
			out = append(out, shardFailure{d.Name, d.UUID, i, reason, nodeID, "INTERNAL_SERVER_ERROR"})
		}
	}
	return out
}

// snapshotSource is an index being copied into a snapshot.
type snapshotSource struct {
	meta persistedIndex
}

// createOptions are the parsed body of a create snapshot request.
type createOptions struct {
	indices            []string
	opts               indicesOptions
	includeGlobalState bool
	// partial is checked and kept: it lets Elasticsearch snapshot an index some of whose
	// primary shards are unavailable, and every shard of the emulator is always available,
	// so it changes no outcome here (PARTIAL comes from fault injection).
	partial       bool
	featureStates []string
	metadata      json.RawMessage
}

// stringList reads a string or an array of strings (comma-splitting strings).
func stringList(v any, malformed string) ([]string, *esError) {
	switch t := v.(type) {
	case string:
		return splitList(t), nil
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, errIllegalArgument("%s", malformed)
			}
			out = append(out, s)
		}
		return out, nil
	case nil:
		return nil, nil
	}
	return nil, errIllegalArgument("%s", malformed)
}

// boolValue reads a boolean body value; strings "true"/"false" are accepted.
func boolValue(v any) (bool, *esError) {
	switch t := v.(type) {
	case bool:
		return t, nil
	case string:
		return parseBool(t, false)
	case nil:
		return false, nil
	}
	return false, errIllegalArgument("Failed to parse value [%v] as only [true] or [false] are allowed.", v)
}

func parseCreateBody(body object) (createOptions, *esError) {
	co := createOptions{includeGlobalState: true,
		opts: indicesOptions{allowNoIndices: true, open: true, closed: true, hidden: true}}
	var err *esError
	for _, m := range body {
		switch m.Key {
		case "indices":
			co.indices, err = stringList(m.Value, "malformed indices section, should be an array of strings")
		case "feature_states":
			if _, ok := m.Value.([]any); !ok && m.Value != nil {
				return co, errIllegalArgument("malformed feature_states section, should be an array of strings")
			}
			co.featureStates, err = stringList(m.Value, "malformed feature_states section, should be an array of strings")
		case "ignore_unavailable":
			co.opts.ignoreUnavailable, err = boolValue(m.Value)
		case "allow_no_indices":
			co.opts.allowNoIndices, err = boolValue(m.Value)
		case "expand_wildcards":
			var list []string
			if list, err = stringList(m.Value, "malformed expand_wildcards"); err == nil {
				err = co.opts.parseExpandWildcards(strings.Join(list, ","))
			}
		case "include_global_state":
			co.includeGlobalState, err = boolValue(m.Value)
		case "partial":
			co.partial, err = boolValue(m.Value)
		case "metadata":
			switch m.Value.(type) {
			case object:
				co.metadata, _ = json.Marshal(m.Value)
			case nil:
			default:
				err = errIllegalArgument("malformed metadata, should be an object")
			}
		}
		if err != nil {
			return co, err
		}
	}
	if slices.Contains(co.featureStates, "none") && len(co.featureStates) > 1 {
		others := slices.DeleteFunc(slices.Clone(co.featureStates), func(s string) bool { return s == "none" })
		return co, errIllegalArgument("the feature_states value [none] indicates that no feature states should be snapshotted, but other feature states were requested: [%s]", strings.Join(others, ", "))
	}
	if n := len(co.metadata); n > maxMetadataBytes {
		return co, errValidation(fmt.Sprintf("metadata must be smaller than 1024 bytes, but was [%d]", n))
	}
	return co, nil
}

func (c *call) createSnapshot() error {
	s := c.s
	repoName := c.r.PathValue("repo")
	name := resolveDateMath(c.r.PathValue("snap"), s.now())
	wait, err := c.boolParam("wait_for_completion", false)
	if err != nil {
		return err
	}
	body, err := c.bodyObject()
	if err != nil {
		return err
	}
	co, err := parseCreateBody(body)
	if err != nil {
		return err
	}
	if err := validateSnapshotName(repoName, name); err != nil {
		return err
	}
	sn, err := s.startSnapshot(repoName, name, co)
	if err != nil {
		return err
	}
	if !wait {
		return c.json(http.StatusOK, object{{"accepted", true}})
	}
	select {
	case <-sn.done:
	case <-c.r.Context().Done():
		return nil
	}
	s.mu.RLock()
	b := appendSnapshotJSON(nil, sn, repoName, fullView)
	s.mu.RUnlock()
	out := append([]byte(`{"snapshot":`), b...)
	c.raw(http.StatusOK, append(out, '}'))
	return nil
}

// startSnapshot registers a running snapshot and starts its worker.
func (s *Server) startSnapshot(repoName, name string, co createOptions) (*snapshot, *esError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errServerClosed()
	}
	repo := s.repoByName(repoName)
	if repo == nil {
		return nil, errRepositoryMissing(repoName)
	}
	if repo.readonly() {
		return nil, errRepository(repoName, "cannot create snapshot in a readonly repository")
	}
	rd := repo.data
	if err := rd.check(); err != nil {
		return nil, errRepository(repoName, err.Error())
	}
	if ex, ok := rd.byName[name]; ok {
		if ex.State == stateInProgress {
			return nil, errSnapshotNameInUse(repoName, name, "snapshot with the same name is already in-progress")
		}
		return nil, errSnapshotNameInUse(repoName, name, "snapshot with the same name already exists")
	}
	names, rerr := s.resolveNames(co.indices, co.opts)
	if rerr != nil {
		return nil, rerr
	}
	if err := rd.ensureUUID(); err != nil {
		return nil, errRepository(repoName, err.Error())
	}
	sn := &snapshot{abort: make(chan struct{}), done: make(chan struct{})}
	sn.snapshotRecord = snapshotRecord{
		Name: name, UUID: newUUID(), VersionID: s.versionID(), Version: s.cfg.Version,
		DataStreams: []string{}, IncludeGlobalState: co.includeGlobalState, Metadata: co.metadata,
		FeatureStates: []featureState{}, State: stateInProgress, Start: s.now().UnixMilli(), Failures: []shardFailure{},
	}
	var srcs []snapshotSource
	for _, n := range names {
		ix := s.indices[n]
		meta := ix.meta()
		meta.Closed, meta.Recovery = false, ""
		srcs = append(srcs, snapshotSource{meta: meta})
		sn.Indices = append(sn.Indices, indexDetail{Name: n, UUID: ix.uuid, Shards: ix.shards(), SizeBytes: ix.storeSize()})
		sn.TotalShards += ix.shards()
	}
	// A read transaction is a consistent view of every index's documents
	// at this moment; the worker copies from it while writes go on.
	tx, err := s.db.Begin(false)
	if err != nil {
		return nil, errSnapshot(repoName, name, "cannot read the indices")
	}
	rd.add(sn)
	rec := sn.snapshotRecord
	if err := rd.writeRecord(rec); err != nil {
		s.log.Error("write snapshot record", "snapshot", name, "err", err)
	}
	s.workers.Add(1)
	go s.runSnapshot(rd, sn, tx, srcs)
	return sn, nil
}

// runSnapshot copies the data, waits for the simulated duration and holds,
// then completes the snapshot, applying injected failures.
func (s *Server) runSnapshot(rd *repoData, sn *snapshot, tx *bolt.Tx, srcs []snapshotSource) {
	defer s.workers.Done()
	defer close(sn.done)
	files, copied, cerr := copySources(rd, sn.UUID, tx, srcs)
	_ = tx.Rollback()
	wait := s.faults.delay(s.delay) + time.Duration(float64(copied)/copyThroughput*float64(time.Second))
	if !s.pause(sn, wait) {
		return
	}
	for {
		held, changed := s.faults.held(sn.Name)
		if !held {
			break
		}
		select {
		case <-changed:
		case <-sn.abort:
			return
		case <-s.stop:
			return
		}
	}
	// The outcome is published only once its record is on disk, so that a
	// SUCCESS a client sees survives a crash.
	s.mu.Lock()
	if sn.aborted {
		s.mu.Unlock()
		return
	}
	rec := sn.snapshotRecord
	s.mu.Unlock()
	rec.End = max(s.now().UnixMilli(), rec.Start)
	rec.State = stateSuccess
	rec.Files = files
	if cerr != nil {
		reason := s.redact(cerr.Error())
		rec.State, rec.Reason = stateFailed, reason
		rec.Failures = rec.shardFailures(reason, s.nodeID)
	} else if state, reason, ok := s.faults.outcome(sn.Name); ok {
		rec.State = state
		rec.Failures = rec.shardFailures(reason, s.nodeID)
		if state == statePartial && len(rec.Failures) > 1 {
			rec.Failures = rec.Failures[:1]
		}
		if state == stateFailed {
			rec.Reason = reason
		}
	}
	if err := rd.writeRecord(rec); err != nil {
		s.log.Error("write snapshot record", "snapshot", sn.Name, "err", err)
		const reason = "failed to write the snapshot's record to the repository"
		rec.State, rec.Reason, rec.Failures = stateFailed, reason, rec.shardFailures(reason, s.nodeID)
	}
	s.mu.Lock()
	if !sn.aborted {
		sn.snapshotRecord = rec
	}
	s.mu.Unlock()
}

// pause waits d; it reports false if the snapshot was aborted or the server stopped.
func (s *Server) pause(sn *snapshot, d time.Duration) bool {
	if d <= 0 {
		select {
		case <-sn.abort:
			return false
		case <-s.stop:
			return false
		default:
			return true
		}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-sn.abort:
		return false
	case <-s.stop:
		return false
	}
}

// copySources writes each index's metadata and documents, as read in tx,
// into the snapshot's data directory, durably, and returns the files with
// their checksums and the bytes copied.
func copySources(rd *repoData, snapUUID string, tx *bolt.Tx, srcs []snapshotSource) ([]snapshotFile, int64, error) {
	if err := rd.check(); err != nil {
		return nil, 0, err
	}
	dir := rd.dataDir(snapUUID)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, 0, fmt.Errorf("create snapshot data directory: %w", err)
	}
	var files []snapshotFile
	var total int64
	docs := tx.Bucket(bucketDocs)
	for _, src := range srcs {
		meta, _ := json.Marshal(src.meta)
		f, err := writeChecked(dir, snapshotFile{Index: src.meta.UUID, Kind: fileMeta}, func(w io.Writer) error {
			_, err := w.Write(meta)
			return err
		})
		if err != nil {
			return files, total, fmt.Errorf("write index metadata of [%s]: %w", src.meta.Name, err)
		}
		files = append(files, f)
		f, err = writeChecked(dir, snapshotFile{Index: src.meta.UUID, Kind: fileDocs}, func(w io.Writer) error {
			b := docs.Bucket([]byte(src.meta.UUID))
			if b == nil {
				return nil
			}
			var line []byte
			return b.ForEach(func(k, v []byte) error {
				m, raw, err := decodeDoc(v)
				if err != nil {
					return err
				}
				line, err = json.Marshal(docLine{ID: string(k), Version: m.version, SeqNo: m.seqNo, Source: raw})
				if err != nil {
					return err
				}
				_, err = w.Write(append(line, '\n'))
				return err
			})
		})
		if err != nil {
			return files, total, fmt.Errorf("copy documents of [%s]: %w", src.meta.Name, err)
		}
		files = append(files, f)
		total += f.Size
	}
	if err := syncDir(dir); err != nil {
		return files, total, err
	}
	return files, total, nil
}

// writeChecked writes a snapshot data file through fill, fsyncs it and
// returns it with its size and SHA-256.
func writeChecked(dir string, f snapshotFile, fill func(io.Writer) error) (snapshotFile, error) {
	out, err := os.Create(filepath.Join(dir, f.name()))
	if err != nil {
		return f, err
	}
	h := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(out, h), 1<<16)
	cw := &countingWriter{w: bw}
	err = fill(cw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	f.Size, f.SHA256 = cw.n, hex.EncodeToString(h.Sum(nil))
	return f, err
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func copyFile(dst string, r io.Reader) (int64, error) {
	f, err := os.Create(dst)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}

func (c *call) deleteSnapshots() error {
	s := c.s
	repoName := c.r.PathValue("repo")
	wait, err := c.boolParam("wait_for_completion", true)
	if err != nil {
		return err
	}
	s.mu.Lock()
	repo := s.repoByName(repoName)
	if repo == nil {
		s.mu.Unlock()
		return errRepositoryMissing(repoName)
	}
	rd := repo.data
	if repo.readonly() {
		s.mu.Unlock()
		// Elasticsearch's wording (SnapshotsService); unconfirmed against 8.19.
		return errRepository(repoName, "cannot delete snapshot from a readonly repository")
	}
	var doomed []*snapshot
	seen := map[*snapshot]bool{}
	for _, e := range splitList(c.r.PathValue("snap")) {
		if isWildcard(e) {
			for _, sn := range rd.snaps {
				if simpleMatch(e, sn.Name) && !seen[sn] {
					seen[sn] = true
					doomed = append(doomed, sn)
				}
			}
			continue
		}
		sn, ok := rd.byName[e]
		if !ok {
			s.mu.Unlock()
			return errSnapshotMissing(repoName, e)
		}
		if !seen[sn] {
			seen[sn] = true
			doomed = append(doomed, sn)
		}
	}
	for _, sn := range doomed {
		if sn.State == stateInProgress && sn.abort == nil {
			s.mu.Unlock()
			return errConcurrentSnapshot(repoName, sn.Name, "cannot delete snapshot while it is being cloned")
		}
	}
	for _, sn := range doomed {
		if sn.State == stateInProgress && !sn.aborted {
			sn.aborted = true
			close(sn.abort)
		}
		rd.remove(sn)
	}
	s.mu.Unlock()
	finish := func() {
		for _, sn := range doomed {
			if sn.done != nil {
				<-sn.done
			}
			if err := rd.deleteFiles(sn.UUID); err != nil {
				s.log.Error("delete snapshot files", "snapshot", sn.Name, "err", err)
			}
		}
	}
	if wait {
		finish()
	} else {
		s.workers.Add(1)
		go func() {
			defer s.workers.Done()
			finish()
		}()
	}
	return c.json(http.StatusOK, object{{"acknowledged", true}})
}

package esemu

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// javaGroupRef matches Java's $n group references in a replacement.
var javaGroupRef = regexp.MustCompile(`\$(\d+)`)

// restorePlan is one index to restore: its snapshot copy and target name.
type restorePlan struct {
	from, to           string
	meta               persistedIndex
	metaPath, docsPath string
}

// restoreOptions are the parsed body of a restore request.
type restoreOptions struct {
	indices                 []string
	opts                    indicesOptions
	renamePattern, renameTo string
	includeGlobalState      bool
	// excludeAliases is include_aliases false (see restoredAliases).
	excludeAliases bool
	// indexSettings and ignoreSettings change the restored indices'
	// settings (see restoredSettings).
	indexSettings  object
	ignoreSettings []string
}

func parseRestoreBody(body object) (restoreOptions, *esError) {
	ro := restoreOptions{opts: indicesOptions{allowNoIndices: true, open: true, closed: true, hidden: true}}
	var err *esError
	for _, m := range body {
		switch m.Key {
		case "indices":
			ro.indices, err = stringList(m.Value, "malformed indices section, should be an array of strings")
		case "ignore_unavailable":
			ro.opts.ignoreUnavailable, err = boolValue(m.Value)
		case "allow_no_indices":
			ro.opts.allowNoIndices, err = boolValue(m.Value)
		case "include_global_state":
			ro.includeGlobalState, err = boolValue(m.Value)
		case "include_aliases":
			var include bool
			include, err = boolValue(m.Value)
			ro.excludeAliases = !include
		case "index_settings":
			o, ok := m.Value.(object)
			if !ok {
				return ro, errIllegalArgument("malformed index_settings section")
			}
			ro.indexSettings = o
		case "ignore_index_settings":
			if str, ok := m.Value.(string); ok {
				ro.ignoreSettings = splitList(str)
			} else {
				ro.ignoreSettings, err = stringList(m.Value, "malformed ignore_index_settings section, should be an array of strings")
			}
		case "rename_pattern", "rename_replacement":
			str, ok := m.Value.(string)
			if !ok {
				return ro, errIllegalArgument("malformed %s, should be a string", m.Key)
			}
			if m.Key == "rename_pattern" {
				ro.renamePattern = str
			} else {
				ro.renameTo = str
			}
		}
		if err != nil {
			return ro, err
		}
	}
	return ro, nil
}

func (c *call) restoreSnapshot() error {
	s := c.s
	repoName, snapName := c.r.PathValue("repo"), c.r.PathValue("snap")
	wait, err := c.boolParam("wait_for_completion", false)
	if err != nil {
		return err
	}
	body, err := c.bodyObject()
	if err != nil {
		return err
	}
	ro, err := parseRestoreBody(body)
	if err != nil {
		return err
	}
	var rename *regexp.Regexp
	if ro.renamePattern != "" {
		re, rerr := regexp.Compile(ro.renamePattern)
		if rerr != nil {
			return errIllegalArgument("invalid rename_pattern [%s]: %v", ro.renamePattern, rerr)
		}
		rename = re
	}
	replacement := javaGroupRef.ReplaceAllString(ro.renameTo, "$${$1}")

	s.docMu.Lock()
	defer s.docMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	repo := s.repoByName(repoName)
	if repo == nil {
		return errRepositoryMissing(repoName)
	}
	sn, ok := repo.data.byName[snapName]
	if !ok {
		return errSnapshotMissing(repoName, snapName)
	}
	id := snapName + "/" + sn.UUID
	if sn.State != stateSuccess && sn.State != statePartial {
		return errSnapshotRestore(repoName, id, fmt.Sprintf("unsupported snapshot state [%s]", sn.State))
	}
	if err := repo.data.check(); err != nil {
		return errSnapshotRestore(repoName, id, err.Error())
	}
	states := make([]indexState, len(sn.Indices))
	for i, d := range sn.Indices {
		states[i] = indexState{name: d.Name}
	}
	names, rerr := resolveIndices(states, ro.indices, ro.opts)
	if rerr != nil {
		return rerr
	}
	var plans []restorePlan
	targets := map[string]bool{}
	for _, n := range names {
		to := n
		if rename != nil {
			to = rename.ReplaceAllString(n, replacement)
		}
		if verr := validateIndexName(to); verr != nil {
			return verr
		}
		if targets[to] {
			return errSnapshotRestore(repoName, id, fmt.Sprintf("indices [%s] and [%s] are renamed into the same index [%s]", plans[len(plans)-1].from, n, to))
		}
		targets[to] = true
		if ex, exists := s.indices[to]; exists && !ex.closed {
			return errSnapshotRestore(repoName, id, fmt.Sprintf("cannot restore index [%s] because an open index with same name already exists in the cluster. Either close or delete the existing index or restore the index under a different name by providing a rename pattern and replacement name", to))
		}
		for _, f := range sn.Failures {
			if f.Index == n {
				return errSnapshotRestore(repoName, id, fmt.Sprintf("index [%s] wasn't fully snapshotted - cannot restore", n))
			}
		}
		p, perr := planRestore(repo.data, sn, n, to)
		if perr != nil {
			return errSnapshotRestore(repoName, id, perr.Error())
		}
		plans = append(plans, p)
	}
	if aerr := s.restoredAliases(plans, !ro.excludeAliases, repoName, id); aerr != nil {
		return aerr
	}
	if serr := restoredSettings(plans, ro.indexSettings, ro.ignoreSettings, repoName, id); serr != nil {
		return serr
	}
	shards, ferr := s.restoreLocked(plans)
	if ferr != nil {
		return errSnapshotRestore(repoName, id, s.redact(ferr.Error()))
	}
	s.noteRestored(repoName, snapName, sn.UUID, plans)
	if !wait {
		return c.json(http.StatusOK, object{{"accepted", true}})
	}
	restored := make([]string, len(plans))
	for i, p := range plans {
		restored[i] = p.to
	}
	return c.json(http.StatusOK, object{{"snapshot", object{{"snapshot", snapName}, {"indices", restored},
		{"shards", object{{"total", shards}, {"failed", 0}, {"successful", shards}}}}}})
}

// errCorrupt reports a snapshot data file whose content does not match its
// recorded size and checksum, naming the file within the repository.
type errCorrupt struct{ file string }

func (e *errCorrupt) Error() string {
	return "snapshot data file [" + e.file + "] is corrupt: its checksum does not match the snapshot's record"
}

// planRestore finds (and verifies) the data files of index n of the snapshot
// and reads its metadata.
func planRestore(rd *repoData, sn *snapshot, n, to string) (restorePlan, error) {
	p := restorePlan{from: n, to: to}
	dir := rd.dataDir(sn.UUID)
	rel := func(name string) string { return "indices/" + sn.UUID + "/" + name }
	if len(sn.Files) == 0 {
		// A record of the former format: files named by index, no checksums.
		if !validFileName(n) || n == "." || n == ".." {
			return p, fmt.Errorf("index [%s] has no readable data in the snapshot", n)
		}
		p.metaPath, p.docsPath = filepath.Join(dir, n+".json"), filepath.Join(dir, n+".ndjson")
	} else {
		var indexUUID string
		for _, d := range sn.Indices {
			if d.Name == n {
				indexUUID = d.UUID
			}
		}
		for _, f := range sn.Files {
			if f.Index != indexUUID {
				continue
			}
			path := filepath.Join(dir, f.name())
			if err := verifyFile(path, f); err != nil {
				var ce *errCorrupt
				if errors.As(err, &ce) {
					ce.file = rel(f.name())
				}
				return p, err
			}
			if f.Kind == fileMeta {
				p.metaPath = path
			} else {
				p.docsPath = path
			}
		}
		if p.metaPath == "" || p.docsPath == "" {
			return p, fmt.Errorf("index [%s] has no data files in the snapshot", n)
		}
	}
	meta, err := readIndexMeta(p.metaPath)
	if err != nil {
		return p, fmt.Errorf("failed to read index metadata of [%s]: %w", n, errors.Unwrap(err))
	}
	p.meta = meta
	return p, nil
}

// verifyFile checks a data file's size and SHA-256 against its record.
func verifyFile(path string, f snapshotFile) error {
	in, err := os.Open(path)
	if err != nil {
		return &errCorrupt{}
	}
	defer in.Close()
	h := sha256.New()
	n, err := io.Copy(h, in)
	if err != nil || n != f.Size || hex.EncodeToString(h.Sum(nil)) != f.SHA256 {
		return &errCorrupt{}
	}
	return nil
}

func readIndexMeta(path string) (persistedIndex, error) {
	var m persistedIndex
	b, err := os.ReadFile(path)
	if err != nil {
		return m, fmt.Errorf("read: %w", errors.New("missing"))
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("decode: %w", errors.New("garbled"))
	}
	return m, nil
}

// restoreLocked replaces (or creates) the target indices with the
// snapshot's copies in one transaction: either every index is restored, or
// nothing changes (a closed index being replaced stays as it was). s.mu and
// s.docMu must be held. It returns the shards restored.
func (s *Server) restoreLocked(plans []restorePlan) (int, error) {
	now := s.now().UnixMilli()
	fresh := make([]*index, len(plans))
	var replaced []*index
	for i, p := range plans {
		settings := map[string]string{}
		for k, v := range p.meta.Settings {
			switch k {
			case "index.uuid", "index.provided_name", "index.creation_date", "index.version.created":
			default:
				settings[k] = v
			}
		}
		uuid := newUUID()
		settings["index.uuid"] = uuid
		settings["index.provided_name"] = p.to
		settings["index.creation_date"] = strconv.FormatInt(now, 10)
		settings["index.version.created"] = strconv.Itoa(s.versionID())
		for k, v := range map[string]string{"index.number_of_shards": "1", "index.number_of_replicas": "1"} {
			if _, ok := settings[k]; !ok {
				settings[k] = v
			}
		}
		fresh[i] = &index{name: p.to, uuid: uuid, settings: settings, mappings: p.meta.Mappings, aliases: p.meta.Aliases,
			created: now, recovery: "SNAPSHOT", docStore: docStore{docs: map[string]docMeta{}}}
		if ex, ok := s.indices[p.to]; ok {
			replaced = append(replaced, ex)
		}
	}
	st := s.stateLocked()
	st.Indices = slices.DeleteFunc(st.Indices, func(pi persistedIndex) bool {
		return slices.ContainsFunc(replaced, func(ix *index) bool { return ix.uuid == pi.UUID })
	})
	for _, ix := range fresh {
		st.Indices = append(st.Indices, ix.meta())
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		docs := tx.Bucket(bucketDocs)
		for _, ex := range replaced {
			if err := docs.DeleteBucket([]byte(ex.uuid)); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
				return err
			}
			if err := tx.Bucket(bucketSeq).Delete([]byte(ex.uuid)); err != nil {
				return err
			}
		}
		for i, p := range plans {
			if err := importDocs(tx, fresh[i], p.docsPath); err != nil {
				return fmt.Errorf("restore documents of [%s]: %w", p.to, err)
			}
		}
		return putState(tx, st)
	})
	if err != nil {
		return 0, err
	}
	shards := 0
	for _, ix := range replaced {
		delete(s.indices, ix.name)
	}
	for _, ix := range fresh {
		s.indices[ix.name] = ix
		shards += ix.shards()
	}
	return shards, nil
}

// importDocs writes the documents of a snapshot's documents file into a new
// bucket for ix, filling its in-memory table.
func importDocs(tx *bolt.Tx, ix *index, path string) error {
	b, err := tx.Bucket(bucketDocs).CreateBucket([]byte(ix.uuid))
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return errors.New("the documents file is missing")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<16), maxBody+1024)
	for sc.Scan() {
		var dl docLine
		if err := json.Unmarshal(sc.Bytes(), &dl); err != nil || dl.ID == "" {
			return errors.New("the documents file is garbled")
		}
		m := docMeta{version: max(dl.Version, 1), seqNo: dl.SeqNo}
		v := encodeDoc(m, dl.Source)
		if err := b.Put([]byte(dl.ID), v); err != nil {
			return err
		}
		m.n = int32(len(v))
		if prev, ok := ix.docs[dl.ID]; ok {
			ix.size -= int64(prev.n)
		}
		ix.docs[dl.ID] = m
		ix.size += int64(m.n)
		ix.seqNo = max(ix.seqNo, m.seqNo+1)
	}
	if err := sc.Err(); err != nil {
		return errors.New("the documents file is unreadable")
	}
	return putSeqNo(tx, ix.uuid, ix.seqNo)
}

// cloneSnapshot copies (part of) a snapshot under a new name.
func (c *call) cloneSnapshot() error {
	s := c.s
	repoName, source := c.r.PathValue("repo"), c.r.PathValue("snap")
	target := resolveDateMath(c.r.PathValue("target"), s.now())
	body, err := c.bodyObject()
	if err != nil {
		return err
	}
	var patterns []string
	found := false
	for _, m := range body {
		if m.Key == "indices" {
			found = true
			if patterns, err = stringList(m.Value, "malformed indices section, should be an array of strings"); err != nil {
				return err
			}
		}
	}
	if !found {
		return errValidation("indices patterns are empty")
	}
	if err := validateSnapshotName(repoName, target); err != nil {
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
		// Elasticsearch refuses a clone into a readonly repository as it refuses a create.
		return errRepository(repoName, "cannot create snapshot in a readonly repository")
	}
	if cerr := rd.check(); cerr != nil {
		s.mu.Unlock()
		return errRepository(repoName, cerr.Error())
	}
	if ex, ok := rd.byName[target]; ok {
		s.mu.Unlock()
		if ex.State == stateInProgress {
			return errSnapshotNameInUse(repoName, target, "snapshot with the same name is already in-progress")
		}
		return errSnapshotNameInUse(repoName, target, "snapshot with the same name already exists")
	}
	src, ok := rd.byName[source]
	if !ok || src.State == stateInProgress {
		s.mu.Unlock()
		return errSnapshotMissing(repoName, source)
	}
	states := make([]indexState, len(src.Indices))
	for i, d := range src.Indices {
		states[i] = indexState{name: d.Name}
	}
	names, _ := resolveIndices(states, patterns, indicesOptions{ignoreUnavailable: true, allowNoIndices: true, open: true, closed: true, hidden: true})
	if len(names) == 0 {
		s.mu.Unlock()
		return errSnapshot(repoName, source+"/"+src.UUID, fmt.Sprintf("No indices in the source snapshot [%s/%s] matched requested pattern [%s]", source, src.UUID, strings.Join(patterns, ", ")))
	}
	now := s.now().UnixMilli()
	sn := &snapshot{snapshotRecord: src.snapshotRecord}
	sn.Name, sn.UUID, sn.Start, sn.State, sn.Reason = target, newUUID(), now, stateInProgress, ""
	sn.Indices, sn.Failures, sn.TotalShards, sn.Files = nil, []shardFailure{}, 0, nil
	var files []string
	for _, d := range src.Indices {
		for _, n := range names {
			if d.Name == n {
				sn.Indices = append(sn.Indices, d)
				sn.TotalShards += d.Shards
				if len(src.Files) == 0 && validFileName(n) && n != "." && n != ".." {
					files = append(files, n+".json", n+".ndjson")
				}
				for _, f := range src.Files {
					if f.Index == d.UUID {
						sn.Files = append(sn.Files, f)
						files = append(files, f.name())
					}
				}
			}
		}
	}
	rd.add(sn)
	s.mu.Unlock()

	cerr := cloneData(rd.dataDir(src.UUID), rd.dataDir(sn.UUID), files)
	s.mu.Lock()
	sn.End = max(s.now().UnixMilli(), now)
	sn.State = stateSuccess
	if cerr != nil {
		sn.State, sn.Reason = stateFailed, s.redact(cerr.Error())
	}
	rec := sn.snapshotRecord
	s.mu.Unlock()
	if err := rd.writeRecord(rec); err != nil {
		return err
	}
	if cerr != nil {
		return errSnapshot(repoName, target, s.redact(cerr.Error()))
	}
	return c.json(http.StatusOK, object{{"acknowledged", true}})
}

// cloneData copies the named data files of one snapshot to another.
func cloneData(from, to string, files []string) error {
	if err := os.MkdirAll(to, 0o755); err != nil {
		return fmt.Errorf("create clone data directory: %w", err)
	}
	for _, name := range files {
		f, err := os.Open(filepath.Join(from, name))
		if err != nil {
			return fmt.Errorf("open source data file [%s]: %w", name, errors.Unwrap(err))
		}
		_, err = copyFile(filepath.Join(to, name), f)
		f.Close()
		if err != nil {
			return fmt.Errorf("copy data file [%s]: %w", name, err)
		}
	}
	return syncDir(to)
}

package esemu

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// javaGroupRef matches Java's $n group references in a replacement.
var javaGroupRef = regexp.MustCompile(`\$(\d+)`)

// restorePlan is one index to restore: its snapshot copy and target name.
type restorePlan struct {
	from, to string
	meta     persistedIndex
}

// restoreOptions are the parsed body of a restore request.
type restoreOptions struct {
	indices                 []string
	opts                    indicesOptions
	renamePattern, renameTo string
	includeGlobalState      bool
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
	states := make([]indexState, len(sn.Indices))
	for i, d := range sn.Indices {
		states[i] = indexState{name: d.Name}
	}
	names, rerr := resolveIndices(states, ro.indices, ro.opts)
	if rerr != nil {
		return rerr
	}
	var plans []restorePlan
	for _, n := range names {
		to := n
		if rename != nil {
			to = rename.ReplaceAllString(n, replacement)
		}
		if verr := validateIndexName(to); verr != nil {
			return verr
		}
		if ex, exists := s.indices[to]; exists && !ex.closed {
			return errSnapshotRestore(repoName, id, fmt.Sprintf("cannot restore index [%s] because an open index with same name already exists in the cluster. Either close or delete the existing index or restore the index under a different name by providing a rename pattern and replacement name", to))
		}
		for _, f := range sn.Failures {
			if f.Index == n {
				return errSnapshotRestore(repoName, id, fmt.Sprintf("index [%s] wasn't fully snapshotted - cannot restore", n))
			}
		}
		meta, merr := readIndexMeta(filepath.Join(repo.data.dataDir(sn.UUID), n+".json"))
		if merr != nil {
			return errSnapshotRestore(repoName, id, "failed to read index metadata: "+merr.Error())
		}
		plans = append(plans, restorePlan{from: n, to: to, meta: meta})
	}
	shards := 0
	for _, p := range plans {
		if err := s.restoreIndexLocked(repo.data.dataDir(sn.UUID), p); err != nil {
			return errSnapshotRestore(repoName, id, err.Error())
		}
		shards += s.indices[p.to].shards()
	}
	go s.persistOrLog()
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

func readIndexMeta(path string) (persistedIndex, error) {
	var m persistedIndex
	b, err := os.ReadFile(path)
	if err != nil {
		return m, err
	}
	return m, json.Unmarshal(b, &m)
}

// restoreIndexLocked replaces (or creates) the target index with the
// snapshot's copy; s.mu must be held.
func (s *Server) restoreIndexLocked(dataDir string, p restorePlan) error {
	if ex, ok := s.indices[p.to]; ok {
		s.dropIndexLocked(ex)
	}
	settings := map[string]string{}
	for k, v := range p.meta.Settings {
		switch k {
		case "index.uuid", "index.provided_name", "index.creation_date", "index.version.created":
		default:
			settings[k] = v
		}
	}
	ix, err := s.newIndexLocked(p.to, settings)
	if err != nil {
		return err
	}
	ix.mappings, ix.aliases, ix.recovery = p.meta.Mappings, p.meta.Aliases, "SNAPSHOT"
	src, err := os.Open(filepath.Join(dataDir, p.from+".ndjson"))
	if err != nil {
		return fmt.Errorf("open snapshot data of [%s]: %w", p.from, err)
	}
	defer src.Close()
	ix.closeFile()
	if _, err := copyFile(s.indexFile(ix.uuid), src); err != nil {
		return fmt.Errorf("restore documents of [%s]: %w", p.to, err)
	}
	return ix.open(s.indexFile(ix.uuid))
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
	sn.Indices, sn.Failures, sn.TotalShards = nil, []shardFailure{}, 0
	for _, d := range src.Indices {
		for _, n := range names {
			if d.Name == n {
				sn.Indices = append(sn.Indices, d)
				sn.TotalShards += d.Shards
			}
		}
	}
	rd.add(sn)
	s.mu.Unlock()

	cerr := cloneData(rd.dataDir(src.UUID), rd.dataDir(sn.UUID), names)
	s.mu.Lock()
	sn.End = max(s.now().UnixMilli(), now)
	sn.State = stateSuccess
	if cerr != nil {
		sn.State, sn.Reason = stateFailed, cerr.Error()
	}
	rec := sn.snapshotRecord
	s.mu.Unlock()
	if err := rd.writeRecord(rec); err != nil {
		return err
	}
	if cerr != nil {
		return errSnapshot(repoName, target, cerr.Error())
	}
	return c.json(http.StatusOK, object{{"acknowledged", true}})
}

func cloneData(from, to string, names []string) error {
	if err := os.MkdirAll(to, 0o755); err != nil {
		return fmt.Errorf("create clone data directory: %w", err)
	}
	for _, n := range names {
		for _, ext := range []string{".json", ".ndjson"} {
			f, err := os.Open(filepath.Join(from, n+ext))
			if err != nil {
				return fmt.Errorf("open source data of [%s]: %w", n, err)
			}
			_, err = copyFile(filepath.Join(to, n+ext), f)
			f.Close()
			if err != nil {
				return fmt.Errorf("copy data of [%s]: %w", n, err)
			}
		}
	}
	return nil
}

package esemu

import (
	"bufio"
	"bytes"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Shard recovery: how each index's shards came to be, as GET _recovery and
// GET _cat/recovery report it. A restore is recorded with its repository
// and snapshot; as on a real node, that record lives in memory only (after
// a restart the index still reports a snapshot recovery, without its
// source).

const (
	recoveryParams    = "active_only detailed allow_no_indices expand_wildcards ignore_unavailable"
	catRecoveryParams = catCommonParams + " active_only bytes detailed index time"
)

// extState is the emulator's in-memory state beyond the cluster state:
// restore records, open scroll contexts and points in time. It has its own lock, taken
// after Server.mu when both are held.
type extState struct {
	mu       sync.Mutex
	restores map[string]RestoreRecord // by index uuid
	scrolls  map[string]*scrollContext
	pits     map[string]*pitContext
	scrollN  int64
}

// RestoreRecord is what the emulator remembers of how an index was
// restored: the source snapshot and the size recovered.
type RestoreRecord struct {
	// Index is the restored index's name, Source its name in the snapshot.
	Index, Source string
	// Repository, Snapshot and SnapshotUUID name the snapshot.
	Repository, Snapshot, SnapshotUUID string
	// Start and Stop are the restore's times, epoch millis.
	Start, Stop int64
	// Bytes is the size recovered; Docs the number of documents.
	Bytes int64
	Docs  int
}

// restoredAliases sets the aliases each restored index gets, following
// Elasticsearch: with include_aliases the snapshot's, otherwise none for a
// new index and the existing ones for a closed index being replaced. It
// refuses aliases that would clash with index names or give an alias a
// second write index, as Elasticsearch's cluster state validation does (the
// wording of those two refusals is inferred from its source, unconfirmed
// against a running node). s.mu must be held.
func (s *Server) restoredAliases(plans []restorePlan, include bool, repo, snapID string) *esError {
	targets := map[string]string{}
	for _, p := range plans {
		targets[p.to] = p.from
	}
	replaced := func(ix *index) bool { _, ok := targets[ix.name]; return ok }
	table := s.aliasTable()
	for i := range plans {
		p := &plans[i]
		if !include {
			p.meta.Aliases = nil
			if ex, ok := s.indices[p.to]; ok {
				p.meta.Aliases = ex.aliases
			}
			continue
		}
		as := parseAliasSet(p.meta.Aliases)
		for _, a := range as.names() {
			if from, ok := targets[a]; ok {
				return errSnapshotRestore(repo, snapID, "cannot rename index ["+from+"] into ["+a+"] because of conflict with an alias with the same name")
			}
			if ex, ok := s.indices[a]; ok && !replaced(ex) {
				return newError("illegal_state_exception", http.StatusInternalServerError,
					"index, alias, and data stream names need to be unique, but the following duplicates were found [%s (alias of [%s/_na_]) conflicts with index]", a, p.to)
			}
			if w := as[a].IsWriteIndex; w != nil && *w {
				if e, ok := table[a]; ok {
					for _, ix := range e.indices {
						if m := ix.aliasesOf()[a]; !replaced(ix) && m.IsWriteIndex != nil && *m.IsWriteIndex {
							return newError("illegal_state_exception", http.StatusInternalServerError,
								"alias [%s] has more than one write index [%s,%s]", a, ix.name, p.to)
						}
					}
				}
			}
		}
	}
	return nil
}

// unmodifiableOnRestore are the settings a restore may neither change nor
// remove.
var unmodifiableOnRestore = []string{"index.number_of_shards", "index.version.created", "index.uuid", "index.creation_date", "index.history.uuid"}

// restoredSettings applies a restore's index_settings and
// ignore_index_settings to the settings each restored index gets, with
// Elasticsearch's refusals of changes to the number of shards and the
// index's identity.
func restoredSettings(plans []restorePlan, set object, ignore []string, repo, snapID string) *esError {
	if len(set) == 0 && len(ignore) == 0 {
		return nil
	}
	flat := map[string]string{}
	if err := flattenSettings("", set, flat); err != nil {
		return err
	}
	for _, k := range sortedKeys(flat) {
		if slices.Contains(unmodifiableOnRestore, k) {
			return errSnapshotRestore(repo, snapID, "cannot modify setting ["+k+"] on restore")
		}
	}
	if err := validateIndexSettings(flat); err != nil {
		return err
	}
	var drop []string
	for _, k := range ignore {
		if !strings.HasPrefix(k, "index.") {
			k = "index." + k
		}
		if slices.Contains(unmodifiableOnRestore, k) {
			return errSnapshotRestore(repo, snapID, "cannot remove setting ["+k+"] on restore")
		}
		drop = append(drop, k)
	}
	for i := range plans {
		next := cloneMap(plans[i].meta.Settings)
		if next == nil {
			next = map[string]string{}
		}
		for k := range next {
			for _, d := range drop {
				if simpleMatch(d, k) {
					delete(next, k)
				}
			}
		}
		for k, v := range flat {
			next[k] = v
		}
		plans[i].meta.Settings = next
	}
	return nil
}

// noteRestored records the restore of plans for the recovery APIs; s.mu
// must be held.
func (s *Server) noteRestored(repo, snap, snapUUID string, plans []restorePlan) {
	now := s.now().UnixMilli()
	s.ext.mu.Lock()
	defer s.ext.mu.Unlock()
	if s.ext.restores == nil {
		s.ext.restores = map[string]RestoreRecord{}
	}
	for _, p := range plans {
		ix := s.indices[p.to]
		if ix == nil {
			continue
		}
		s.ext.restores[ix.uuid] = RestoreRecord{Index: ix.name, Source: p.from, Repository: repo, Snapshot: snap, SnapshotUUID: snapUUID,
			Start: ix.created, Stop: max(now, ix.created), Bytes: ix.storeSize(), Docs: ix.count()}
	}
}

// RestoreRecords returns, for each index (by name) restored since the
// server started, how it was restored.
func (s *Server) RestoreRecords() map[string]RestoreRecord {
	s.mu.RLock()
	defer s.mu.RUnlock()
	s.ext.mu.Lock()
	defer s.ext.mu.Unlock()
	out := map[string]RestoreRecord{}
	for _, ix := range s.indices {
		if r, ok := s.ext.restores[ix.uuid]; ok {
			out[ix.name] = r
		}
	}
	return out
}

// shardRecovery is one shard's recovery as the APIs report it.
type shardRecovery struct {
	index       string
	shard       int
	typ         string // EMPTY_STORE, SNAPSHOT
	start, stop int64
	repo, snap  string
	source      object
	bytes       int64
	files       int
}

// percent is the recovered share as Elasticsearch prints it: nothing to
// recover (an empty store) is 0.0%, everything recovered 100.0%.
func (r shardRecovery) percent() string {
	if r.files == 0 {
		return "0.0%"
	}
	return "100.0%"
}

// recoveriesLocked lists the recoveries of ixs; s.mu must be held.
func (s *Server) recoveriesLocked(ixs []*index) []shardRecovery {
	s.ext.mu.Lock()
	defer s.ext.mu.Unlock()
	var out []shardRecovery
	for _, ix := range ixs {
		if ix.closed {
			continue
		}
		rec, restored := s.ext.restores[ix.uuid]
		for i := 0; i < ix.shards(); i++ {
			r := shardRecovery{index: ix.name, shard: i, typ: ix.recovery, start: ix.created, stop: ix.created,
				repo: "n/a", snap: "n/a", source: object{}}
			if r.typ == "" {
				r.typ = "EMPTY_STORE"
			}
			if r.typ != "EMPTY_STORE" {
				// A shard recovered from a snapshot (or an existing store) copies its data.
				r.bytes, r.files = ix.storeSize(), 1
			}
			if restored {
				r.typ, r.stop, r.repo, r.snap = "SNAPSHOT", rec.Stop, rec.Repository, rec.Snapshot
				r.bytes, r.files = rec.Bytes, 1
				r.source = object{{"repository", rec.Repository}, {"snapshot", rec.Snapshot}, {"version", s.cfg.Version},
					{"index", rec.Source}, {"restoreUUID", rec.SnapshotUUID}}
			}
			out = append(out, r)
		}
	}
	return out
}

// recoveryIndices resolves the {index} path (every index when absent).
func (c *call) recoveryIndices() ([]*index, *esError) {
	return c.resolvePath(indicesOptions{allowNoIndices: true, open: true})
}

// indexRecovery is GET /_recovery and GET /{index}/_recovery.
func (c *call) indexRecovery() error {
	s := c.s
	activeOnly, err := c.boolParam("active_only", false)
	if err != nil {
		return err
	}
	s.mu.RLock()
	ixs, rerr := c.recoveryIndices()
	if rerr != nil {
		s.mu.RUnlock()
		return rerr
	}
	recs := s.recoveriesLocked(ixs)
	s.mu.RUnlock()
	out := object{}
	if activeOnly {
		// Every recovery of the emulator is done.
		return c.json(http.StatusOK, out)
	}
	byIndex := map[string][]any{}
	var order []string
	for _, r := range recs {
		if _, ok := byIndex[r.index]; !ok {
			order = append(order, r.index)
		}
		byIndex[r.index] = append(byIndex[r.index], object{
			{"id", r.shard}, {"type", r.typ}, {"stage", "DONE"}, {"primary", true},
			{"start_time_in_millis", r.start}, {"stop_time_in_millis", r.stop}, {"total_time_in_millis", r.stop - r.start},
			{"source", r.source},
			{"target", object{{"id", s.nodeID}, {"host", "127.0.0.1"}, {"transport_address", "127.0.0.1:9300"}, {"ip", "127.0.0.1"}, {"name", s.cfg.NodeName}}},
			{"index", object{
				{"size", object{{"total_in_bytes", r.bytes}, {"reused_in_bytes", 0}, {"recovered_in_bytes", r.bytes}, {"recovered_from_snapshot_in_bytes", 0}, {"percent", r.percent()}}},
				{"files", object{{"total", r.files}, {"reused", 0}, {"recovered", r.files}, {"percent", r.percent()}}},
				{"total_time_in_millis", r.stop - r.start}, {"source_throttle_time_in_millis", 0}, {"target_throttle_time_in_millis", 0},
			}},
			{"translog", object{{"recovered", 0}, {"total", 0}, {"percent", "100.0%"}, {"total_on_start", 0}, {"total_time_in_millis", 0}}},
			{"verify_index", object{{"check_index_time_in_millis", 0}, {"total_time_in_millis", 0}}},
		})
	}
	for _, n := range order {
		out = append(out, member{n, object{{"shards", byIndex[n]}}})
	}
	return c.json(http.StatusOK, out)
}

// catRecovery is GET /_cat/recovery and GET /_cat/recovery/{index}.
func (c *call) catRecovery() error {
	s := c.s
	activeOnly, err := c.boolParam("active_only", false)
	if err != nil {
		return err
	}
	t := catTable{cols: []catColumn{
		{name: "index", aliases: "i,idx", desc: "index name"},
		{name: "shard", aliases: "s,sh", desc: "shard name", numeric: true},
		{name: "start_time", aliases: "start", desc: "recovery start time", hidden: true},
		{name: "start_time_millis", aliases: "start_millis", desc: "recovery start time in epoch milliseconds", numeric: true, hidden: true},
		{name: "stop_time", aliases: "stop", desc: "recovery stop time", hidden: true},
		{name: "stop_time_millis", aliases: "stop_millis", desc: "recovery stop time in epoch milliseconds", numeric: true, hidden: true},
		{name: "time", aliases: "t,ti", desc: "recovery time", numeric: true},
		{name: "type", aliases: "ty", desc: "recovery type"},
		{name: "stage", aliases: "st", desc: "recovery stage"},
		{name: "source_host", aliases: "shost", desc: "source host"},
		{name: "source_node", aliases: "snode", desc: "source node name"},
		{name: "target_host", aliases: "thost", desc: "target host"},
		{name: "target_node", aliases: "tnode", desc: "target node name"},
		{name: "repository", aliases: "rep", desc: "repository"},
		{name: "snapshot", aliases: "snap", desc: "snapshot"},
		{name: "files", aliases: "f", desc: "number of files to recover", numeric: true},
		{name: "files_recovered", aliases: "fr", desc: "files recovered", numeric: true},
		{name: "files_percent", aliases: "fp", desc: "percent of files recovered"},
		{name: "files_total", aliases: "tf", desc: "total number of files", numeric: true},
		{name: "bytes", aliases: "b", desc: "number of bytes to recover", numeric: true},
		{name: "bytes_recovered", aliases: "br", desc: "bytes recovered", numeric: true},
		{name: "bytes_percent", aliases: "bp", desc: "percent of bytes recovered"},
		{name: "bytes_total", aliases: "tb", desc: "total number of bytes", numeric: true},
		{name: "translog_ops", aliases: "to", desc: "number of translog ops to recover", numeric: true},
		{name: "translog_ops_recovered", aliases: "tor", desc: "translog ops recovered", numeric: true},
		{name: "translog_ops_percent", aliases: "top", desc: "percent of translog ops recovered"},
	}}
	s.mu.RLock()
	ixs, rerr := c.recoveryIndices()
	if rerr != nil {
		s.mu.RUnlock()
		return rerr
	}
	recs := s.recoveriesLocked(ixs)
	s.mu.RUnlock()
	if activeOnly {
		recs = nil
	}
	for _, r := range recs {
		b, f, took := strconv.FormatInt(r.bytes, 10), strconv.Itoa(r.files), formatDuration(r.stop-r.start)
		if r.stop == r.start {
			took = "0s" // Elasticsearch's TimeValue prints zero as 0s
		}
		t.rows = append(t.rows, []string{r.index, strconv.Itoa(r.shard),
			formatDate(r.start), strconv.FormatInt(r.start, 10), formatDate(r.stop), strconv.FormatInt(r.stop, 10),
			took, lowerASCII(r.typ), "done", "n/a", "n/a", "127.0.0.1", s.cfg.NodeName,
			r.repo, r.snap, f, f, r.percent(), f, b, b, r.percent(), b, "0", "0", "100.0%"})
	}
	return c.respond(t)
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// SnapshotContent is what a snapshot holds, for a restore to plan with.
type SnapshotContent struct {
	// Indices are the snapshot's indices in its order.
	Indices []string
	// Aliases maps each index to the names of the aliases it had when the
	// snapshot was taken (empty for records of the former format that
	// cannot be read).
	Aliases map[string][]string
	// Docs maps each index to its number of documents in the snapshot.
	Docs map[string]int
}

// SnapshotContent reads which indices, aliases and document counts a
// finished snapshot holds. It reports false when the repository or the
// snapshot does not exist or the snapshot has not finished.
func (s *Server) SnapshotContent(repo, snap string) (SnapshotContent, bool) {
	s.mu.RLock()
	r := s.repoByName(repo)
	if r == nil {
		s.mu.RUnlock()
		return SnapshotContent{}, false
	}
	sn, ok := r.data.byName[snap]
	if !ok || sn.State == stateInProgress {
		s.mu.RUnlock()
		return SnapshotContent{}, false
	}
	rd, rec := r.data, sn.snapshotRecord
	s.mu.RUnlock()
	out := SnapshotContent{Aliases: map[string][]string{}, Docs: map[string]int{}}
	for _, d := range rec.Indices {
		out.Indices = append(out.Indices, d.Name)
		snCopy := &snapshot{snapshotRecord: rec}
		p, err := planRestore(rd, snCopy, d.Name, d.Name)
		if err != nil {
			continue
		}
		out.Aliases[d.Name] = parseAliasSet(p.meta.Aliases).names()
		out.Docs[d.Name] = countLines(p.docsPath)
	}
	return out, true
}

// countLines counts the documents (non-empty lines) of a snapshot's
// documents file.
func countLines(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<16), maxBody+1024)
	n := 0
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) > 0 {
			n++
		}
	}
	return n
}

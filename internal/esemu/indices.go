package esemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

const (
	createIndexParams = "wait_for_active_shards timeout master_timeout"
	getIndexParams    = "allow_no_indices expand_wildcards ignore_unavailable flat_settings include_defaults local master_timeout features"
	deleteIndexParams = "allow_no_indices expand_wildcards ignore_unavailable master_timeout timeout"
	openCloseParams   = "allow_no_indices expand_wildcards ignore_unavailable master_timeout timeout wait_for_active_shards"
)

// index is one index: metadata in the cluster state, documents in a file.
type index struct {
	name, uuid string
	settings   map[string]string // flat keys, e.g. "index.number_of_shards"
	mappings   json.RawMessage
	aliases    json.RawMessage
	closed     bool
	created    int64  // creation date, epoch millis
	recovery   string // EMPTY_STORE, or SNAPSHOT after a restore
	docStore
}

// meta is the index's entry in the cluster state.
func (ix *index) meta() persistedIndex {
	return persistedIndex{ix.name, ix.uuid, ix.settings, ix.mappings, ix.aliases, ix.closed, ix.created, ix.recovery}
}

// indexFromMeta makes an index, without documents, from its cluster state entry.
func indexFromMeta(pi persistedIndex) *index {
	return &index{name: pi.Name, uuid: pi.UUID, settings: pi.Settings, mappings: pi.Mappings, aliases: pi.Aliases,
		closed: pi.Closed, created: pi.Created, recovery: pi.Recovery, docStore: docStore{docs: map[string]docMeta{}}}
}

// load reads the index's documents from the database.
func (ix *index) load(docs, seqs *bolt.Bucket) error { return ix.docStore.load(ix.uuid, docs, seqs) }

func (ix *index) intSetting(key string, def int) int {
	if n, err := strconv.Atoi(ix.settings[key]); err == nil {
		return n
	}
	return def
}

func (ix *index) shards() int   { return ix.intSetting("index.number_of_shards", 1) }
func (ix *index) replicas() int { return ix.intSetting("index.number_of_replicas", 1) }
func (ix *index) hidden() bool  { return ix.settings["index.hidden"] == "true" }

func (ix *index) state() indexState {
	return indexState{name: ix.name, closed: ix.closed, hidden: ix.hidden()}
}

// indexStates lists indices for expression resolution; s.mu must be held.
func (s *Server) indexStates() []indexState {
	ixs := s.sortedIndices()
	out := make([]indexState, len(ixs))
	for i, ix := range ixs {
		out[i] = ix.state()
	}
	return out
}

// indexOptions reads ignore_unavailable, allow_no_indices and expand_wildcards
// over the given defaults.
func (c *call) indexOptions(def indicesOptions) (indicesOptions, *esError) {
	o := def
	var err *esError
	if o.ignoreUnavailable, err = c.boolParam("ignore_unavailable", def.ignoreUnavailable); err != nil {
		return o, err
	}
	if o.allowNoIndices, err = c.boolParam("allow_no_indices", def.allowNoIndices); err != nil {
		return o, err
	}
	if c.has("expand_wildcards") {
		if err := o.parseExpandWildcards(c.param("expand_wildcards")); err != nil {
			return o, err
		}
	}
	return o, nil
}

// resolvePath resolves the {index} path expression; s.mu must be held.
func (c *call) resolvePath(def indicesOptions) ([]*index, *esError) {
	o, err := c.indexOptions(def)
	if err != nil {
		return nil, err
	}
	names, err := c.s.resolveNames(splitList(c.r.PathValue("index")), o)
	if err != nil {
		return nil, err
	}
	out := make([]*index, len(names))
	for i, n := range names {
		out[i] = c.s.indices[n]
	}
	return out, nil
}

// flattenSettings turns a settings object into flat "index."-prefixed keys
// with string values, as Elasticsearch stores them.
func flattenSettings(prefix string, v any, out map[string]string) *esError {
	switch t := v.(type) {
	case object:
		for _, m := range t {
			k := m.Key
			if prefix != "" {
				k = prefix + "." + k
			}
			if err := flattenSettings(k, m.Value, out); err != nil {
				return err
			}
		}
		return nil
	case nil:
		return nil
	}
	if !strings.HasPrefix(prefix, "index.") {
		prefix = "index." + prefix
	}
	switch t := v.(type) {
	case string:
		out[prefix] = t
	case json.Number:
		out[prefix] = t.String()
	case bool:
		out[prefix] = strconv.FormatBool(t)
	default:
		b, _ := json.Marshal(t)
		out[prefix] = string(b)
	}
	return nil
}

// nestSettings renders flat settings as nested objects with sorted keys.
func nestSettings(flat map[string]string) object {
	keys := make([]string, 0, len(flat))
	for k := range flat {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	root := object{}
	for _, k := range keys {
		root = insertNested(root, strings.Split(k, "."), flat[k])
	}
	return root
}

func insertNested(o object, path []string, v string) object {
	if len(path) == 1 {
		return append(o, member{path[0], v})
	}
	for i, m := range o {
		if m.Key == path[0] {
			if sub, ok := m.Value.(object); ok {
				o[i].Value = insertNested(sub, path[1:], v)
				return o
			}
		}
	}
	return append(o, member{path[0], insertNested(object{}, path[1:], v)})
}

func rawOrEmpty(b json.RawMessage) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("{}")
	}
	return b
}

func (c *call) createIndex() error {
	s := c.s
	name := resolveDateMath(c.r.PathValue("index"), s.now())
	if err := validateIndexName(name); err != nil {
		return err
	}
	body, perr := c.bodyObject()
	if perr != nil {
		return perr
	}
	settings := map[string]string{}
	var mappings json.RawMessage
	var aliasesValue any
	for _, m := range body {
		switch m.Key {
		case "settings":
			if _, ok := m.Value.(object); !ok && m.Value != nil {
				return errIllegalArgument("malformed settings section, should be an object")
			}
			if err := flattenSettings("", m.Value, settings); err != nil {
				return err
			}
		case "mappings", "aliases":
			if _, ok := m.Value.(object); !ok && m.Value != nil {
				return errParse("Failed to parse content to map: [%s] must be an object", m.Key)
			}
			if m.Key == "aliases" {
				aliasesValue = m.Value
			} else if mappings, perr = parseMappings(m.Value); perr != nil {
				return perr
			}
		default:
			return errParse("unknown key [%s] for create index", m.Key)
		}
	}
	if verr := validateIndexSettings(settings); verr != nil {
		return verr
	}
	for _, k := range []string{"index.number_of_shards", "index.number_of_replicas"} {
		if v, ok := settings[k]; ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || (n == 0 && k == "index.number_of_shards") {
				return errIllegalArgument("Failed to parse value [%s] for setting [%s] must be >= %d", v, k, map[bool]int{true: 1, false: 0}[k == "index.number_of_shards"])
			}
		}
	}
	s.mu.Lock()
	if ex, ok := s.indices[name]; ok {
		s.mu.Unlock()
		return errResourceAlreadyExists(name, ex.uuid)
	}
	aliases, aerr := s.createAliasesLocked(name, aliasesValue)
	if aerr != nil {
		s.mu.Unlock()
		return aerr
	}
	_, err := s.newIndexLocked(name, settings, func(ix *index) { ix.mappings, ix.aliases = mappings, aliases })
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return c.json(http.StatusOK, object{{"acknowledged", true}, {"shards_acknowledged", true}, {"index", name}})
}

// newIndexLocked creates, registers and commits an empty index; init, if
// not nil, completes it before the commit. s.mu must be held for writing.
func (s *Server) newIndexLocked(name string, settings map[string]string, init func(*index)) (*index, error) {
	uuid := newUUID()
	now := s.now().UnixMilli()
	if settings == nil {
		settings = map[string]string{}
	}
	defaults := map[string]string{
		"index.number_of_shards":   "1",
		"index.number_of_replicas": "1",
	}
	for k, v := range defaults {
		if _, ok := settings[k]; !ok {
			settings[k] = v
		}
	}
	settings["index.uuid"] = uuid
	settings["index.provided_name"] = name
	settings["index.creation_date"] = strconv.FormatInt(now, 10)
	settings["index.version.created"] = strconv.Itoa(s.versionID())
	ix := &index{name: name, uuid: uuid, settings: settings, created: now, recovery: "EMPTY_STORE", docStore: docStore{docs: map[string]docMeta{}}}
	if init != nil {
		init(ix)
	}
	s.indices[name] = ix
	if err := s.saveStateLocked(); err != nil {
		delete(s.indices, name)
		return nil, err
	}
	return ix, nil
}

// dropIndicesLocked removes indices and their documents in one commit;
// s.mu must be held for writing and s.docMu too.
func (s *Server) dropIndicesLocked(ixs []*index) error {
	st := s.stateLocked()
	gone := map[string]bool{}
	for _, ix := range ixs {
		gone[ix.uuid] = true
	}
	st.Indices = slices.DeleteFunc(st.Indices, func(pi persistedIndex) bool { return gone[pi.UUID] })
	err := s.db.Update(func(tx *bolt.Tx) error {
		for _, ix := range ixs {
			if err := tx.Bucket(bucketDocs).DeleteBucket([]byte(ix.uuid)); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
				return err
			}
			if err := tx.Bucket(bucketSeq).Delete([]byte(ix.uuid)); err != nil {
				return err
			}
		}
		return putState(tx, st)
	})
	if err != nil {
		return fmt.Errorf("commit index deletion: %w", err)
	}
	for _, ix := range ixs {
		delete(s.indices, ix.name)
	}
	return nil
}

func (c *call) getIndex() error {
	s := c.s
	s.mu.RLock()
	ixs, err := c.resolvePath(indicesOptions{allowNoIndices: true, open: true, closed: true})
	if err != nil {
		s.mu.RUnlock()
		return err
	}
	out := make(object, 0, len(ixs))
	for _, ix := range ixs {
		out = append(out, member{ix.name, object{
			{"aliases", rawOrEmpty(ix.aliases)},
			{"mappings", rawOrEmpty(ix.mappings)},
			{"settings", nestSettings(ix.settings)},
		}})
	}
	s.mu.RUnlock()
	return c.json(http.StatusOK, out)
}

func (c *call) indexExists() error {
	s := c.s
	s.mu.RLock()
	ixs, err := c.resolvePath(indicesOptions{allowNoIndices: false, open: true, closed: true})
	s.mu.RUnlock()
	status := http.StatusOK
	if err != nil || len(ixs) == 0 {
		status = http.StatusNotFound
	}
	c.w.Header().Set("Content-Type", "application/json")
	c.w.WriteHeader(status)
	return nil
}

func (c *call) deleteIndex() error {
	s := c.s
	s.docMu.Lock()
	defer s.docMu.Unlock()
	s.mu.Lock()
	if err := s.checkDestructive(c.r.PathValue("index")); err != nil {
		s.mu.Unlock()
		return err
	}
	ixs, rerr := c.resolvePath(indicesOptions{allowNoIndices: true, open: true, closed: true, ignoreAliases: true})
	if rerr != nil {
		s.mu.Unlock()
		return rerr
	}
	err := s.dropIndicesLocked(ixs)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return c.json(http.StatusOK, object{{"acknowledged", true}})
}

func (c *call) closeIndex() error { return c.setClosed(true) }

func (c *call) openIndex() error { return c.setClosed(false) }

func (c *call) setClosed(closed bool) error {
	s := c.s
	s.docMu.Lock()
	defer s.docMu.Unlock()
	s.mu.Lock()
	def := indicesOptions{allowNoIndices: true, open: true}
	if !closed {
		def = indicesOptions{allowNoIndices: true, closed: true}
	}
	if closed {
		if err := s.checkDestructive(c.r.PathValue("index")); err != nil {
			s.mu.Unlock()
			return err
		}
	}
	ixs, err := c.resolvePath(def)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	states := object{}
	was := make([]bool, len(ixs))
	for i, ix := range ixs {
		was[i], ix.closed = ix.closed, closed
		states = append(states, member{ix.name, object{{"closed", true}}})
	}
	if err := s.saveStateLocked(); err != nil {
		for i, ix := range ixs {
			ix.closed = was[i]
		}
		s.mu.Unlock()
		return err
	}
	s.mu.Unlock()
	if closed {
		return c.json(http.StatusOK, object{{"acknowledged", true}, {"shards_acknowledged", true}, {"indices", states}})
	}
	return c.json(http.StatusOK, object{{"acknowledged", true}, {"shards_acknowledged", true}})
}

const refreshParams = "allow_no_indices expand_wildcards ignore_unavailable"

// refresh is accepted and does nothing: documents are visible at once.
func (c *call) refresh() error {
	s := c.s
	s.mu.RLock()
	n := 0
	if c.r.PathValue("index") != "" {
		ixs, err := c.resolvePath(indicesOptions{allowNoIndices: true, open: true})
		if err != nil {
			s.mu.RUnlock()
			return err
		}
		for _, ix := range ixs {
			n += ix.shards()
		}
	} else {
		for _, ix := range s.indices {
			if !ix.closed {
				n += ix.shards()
			}
		}
	}
	s.mu.RUnlock()
	return c.json(http.StatusOK, object{{"_shards", shardsHeader(n)}})
}

func shardsHeader(n int) object {
	return object{{"total", n}, {"successful", n}, {"failed", 0}}
}

package esemu

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"
)

const (
	docWriteParams = "if_primary_term if_seq_no op_type pipeline refresh routing timeout version version_type wait_for_active_shards require_alias require_data_stream"
	docGetParams   = "preference realtime refresh routing _source _source_excludes _source_includes stored_fields version version_type"
	bulkParams     = "pipeline refresh routing timeout wait_for_active_shards require_alias require_data_stream _source _source_excludes _source_includes list_executed_pipelines"
	countParams    = "allow_no_indices analyzer analyze_wildcard default_operator df expand_wildcards ignore_throttled ignore_unavailable lenient min_score preference q routing terminate_after"
)

// emptyStoreBytes is what an empty shard occupies, so sizes are never zero.
const emptyStoreBytes = 225

// maxIDBytes is the longest document id Elasticsearch accepts.
const maxIDBytes = 512

// docMeta is what is held in memory about the current version of a document;
// its source stays in the database.
type docMeta struct {
	version int64
	seqNo   int64
	n       int32 // stored size
}

// docStore is an index's documents: a bucket of the database named by the
// index uuid (key the id; value version, sequence number and source), and in
// memory the version of each live document. Changes go through
// Server.writeDocs, one transaction per request.
type docStore struct {
	docs  map[string]docMeta
	size  int64
	seqNo int64
}

// docLine is one line of a snapshot's documents file (and of the former
// on-disk format).
type docLine struct {
	ID      string          `json:"_id"`
	Version int64           `json:"_version,omitempty"`
	SeqNo   int64           `json:"_seq_no,omitempty"`
	Deleted bool            `json:"_deleted,omitempty"`
	Source  json.RawMessage `json:"_source,omitempty"`
}

// seqNoKey helpers: an index's next sequence number, by uuid in bucketSeq.
func putSeqNo(tx *bolt.Tx, uuid string, seq int64) error {
	b, err := tx.CreateBucketIfNotExists(bucketSeq)
	if err != nil {
		return err
	}
	return b.Put([]byte(uuid), binary.BigEndian.AppendUint64(nil, uint64(seq)))
}

// encodeDoc is the stored form of a document: version, sequence number, source.
func encodeDoc(m docMeta, src []byte) []byte {
	b := make([]byte, 16, 16+len(src))
	binary.BigEndian.PutUint64(b, uint64(m.version))
	binary.BigEndian.PutUint64(b[8:], uint64(m.seqNo))
	return append(b, src...)
}

// decodeDoc splits a stored document; the source aliases v.
func decodeDoc(v []byte) (docMeta, []byte, error) {
	if len(v) < 16 {
		return docMeta{}, nil, errors.New("stored document is truncated")
	}
	return docMeta{version: int64(binary.BigEndian.Uint64(v)), seqNo: int64(binary.BigEndian.Uint64(v[8:])), n: int32(len(v))}, v[16:], nil
}

// load rebuilds the in-memory table from the index's bucket.
func (d *docStore) load(uuid string, docs, seqs *bolt.Bucket) error {
	d.docs, d.size, d.seqNo = map[string]docMeta{}, 0, 0
	if seqs != nil {
		if v := seqs.Get([]byte(uuid)); len(v) == 8 {
			d.seqNo = int64(binary.BigEndian.Uint64(v))
		}
	}
	b := docs.Bucket([]byte(uuid))
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		m, _, err := decodeDoc(v)
		if err != nil {
			return fmt.Errorf("document [%s]: %w", k, err)
		}
		d.docs[string(k)] = m
		d.size += int64(m.n)
		d.seqNo = max(d.seqNo, m.seqNo+1)
		return nil
	})
}

func (d *docStore) count() int { return len(d.docs) }

func (d *docStore) storeSize() int64 { return emptyStoreBytes + d.size }

// docWrite is one planned change of a document: a new version, or a delete.
type docWrite struct {
	ix     *index
	id     string
	meta   docMeta
	src    json.RawMessage
	delete bool
}

// writeDocs commits planned changes in one transaction, then applies them to
// the in-memory tables. s.docMu must be held (it serialises document writers),
// s.mu must not: readers of the cluster and snapshot state go on meanwhile.
func (s *Server) writeDocs(ws []docWrite) error {
	if len(ws) == 0 {
		return nil
	}
	if s.beforeCommit != nil {
		s.beforeCommit()
	}
	seqs := map[*index]int64{}
	err := s.db.Update(func(tx *bolt.Tx) error {
		docs := tx.Bucket(bucketDocs)
		for _, w := range ws {
			b, err := docs.CreateBucketIfNotExists([]byte(w.ix.uuid))
			if err != nil {
				return err
			}
			if w.delete {
				err = b.Delete([]byte(w.id))
			} else {
				err = b.Put([]byte(w.id), encodeDoc(w.meta, w.src))
			}
			if err != nil {
				return fmt.Errorf("write document: %w", err)
			}
			seqs[w.ix] = max(seqs[w.ix], w.meta.seqNo+1)
		}
		for ix, seq := range seqs {
			if err := putSeqNo(tx, ix.uuid, seq); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("commit documents: %w", err)
	}
	s.mu.Lock()
	for _, w := range ws {
		d := &w.ix.docStore
		if prev, ok := d.docs[w.id]; ok {
			d.size -= int64(prev.n)
		}
		if w.delete {
			delete(d.docs, w.id)
		} else {
			w.meta.n = int32(16 + len(w.src))
			d.docs[w.id] = w.meta
			d.size += int64(w.meta.n)
		}
	}
	for ix, seq := range seqs {
		ix.seqNo = max(ix.seqNo, seq)
	}
	s.mu.Unlock()
	return nil
}

// source reads the current source of a document.
func (s *Server) source(ix *index, id string) (json.RawMessage, error) {
	var src json.RawMessage
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDocs).Bucket([]byte(ix.uuid))
		if b == nil {
			return errors.New("index bucket is missing")
		}
		v := b.Get([]byte(id))
		if v == nil {
			return errors.New("document is missing")
		}
		_, raw, err := decodeDoc(v)
		src = slices.Clone(raw)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read document: %w", err)
	}
	return src, nil
}

// writableIndex finds or auto-creates the target of a document write; s.mu must be held.
func (s *Server) writableIndex(name string) (*index, error) {
	ix, ok := s.indices[name]
	if !ok {
		if ax, aerr := s.aliasTarget(name, true); aerr != nil {
			return nil, aerr
		} else if ax != nil {
			return s.writableIndex(ax.name)
		}
		if err := validateIndexName(name); err != nil {
			return nil, err
		}
		return s.newIndexLocked(name, nil, nil)
	}
	if ix.closed {
		return nil, errIndexClosed(ix.name, ix.uuid)
	}
	return ix, nil
}

func compactSource(b []byte) (json.RawMessage, *esError) {
	v, err := decodeOrdered(b)
	if err != nil {
		return nil, parseJSONError(b, err)
	}
	if _, ok := v.(object); !ok {
		return nil, errParse("Failed to derive xcontent")
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return nil, parseJSONError(b, err)
	}
	return buf.Bytes(), nil
}

func writeResult(ix *index, id string, loc docMeta, result string) object {
	return object{{"_index", ix.name}, {"_id", id}, {"_version", loc.version}, {"result", result},
		{"_shards", object{{"total", 1 + ix.replicas()}, {"successful", 1}, {"failed", 0}}},
		{"_seq_no", loc.seqNo}, {"_primary_term", 1}}
}

func (c *call) indexDoc() error {
	s := c.s
	name, id := c.r.PathValue("index"), c.r.PathValue("id")
	if !c.hasBody() {
		return errValidation("source is missing", "content type is missing")
	}
	if len(id) > maxIDBytes {
		return errIDTooLong(id)
	}
	src, perr := compactSource(c.body)
	if perr != nil {
		return perr
	}
	if id == "" {
		id = newUUID()[:20]
	}
	opCreate := c.param("op_type") == "create"
	s.docMu.Lock()
	defer s.docMu.Unlock()
	s.mu.Lock()
	ix, err := s.writableIndex(name)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	prev, exists := ix.docs[id]
	if exists && opCreate {
		s.mu.Unlock()
		return errVersionConflict(ix, id, prev.version)
	}
	w := docWrite{ix: ix, id: id, meta: docMeta{version: prev.version + 1, seqNo: ix.seqNo}, src: src}
	s.mu.Unlock()
	if err := s.writeDocs([]docWrite{w}); err != nil {
		return err
	}
	status, result := http.StatusOK, "updated"
	if !exists {
		status, result = http.StatusCreated, "created"
	}
	return c.json(status, writeResult(ix, id, w.meta, result))
}

// errIDTooLong is Elasticsearch's validation error for an id over 512 bytes;
// the id itself is not echoed whole.
func errIDTooLong(id string) *esError {
	return errValidation(fmt.Sprintf("id [%s...] is too long, must be no longer than 512 bytes but was: %d", id[:32], len(id)))
}

func errVersionConflict(ix *index, id string, version int64) *esError {
	return newError("version_conflict_engine_exception", http.StatusConflict,
		"[%s]: version conflict, document already exists (current version [%d])", id, version).
		with("index_uuid", ix.uuid).with("shard", "0").with("index", ix.name)
}

func (c *call) getDoc() error {
	s := c.s
	name, id := c.r.PathValue("index"), c.r.PathValue("id")
	s.mu.RLock()
	ix, ok := s.indices[name]
	if !ok {
		if ax, aerr := s.aliasTarget(name, false); aerr != nil || ax != nil {
			ix, ok = ax, ax != nil
			if aerr != nil {
				s.mu.RUnlock()
				return aerr
			}
			name = ix.name
		}
	}
	if !ok {
		s.mu.RUnlock()
		return errIndexNotFound(name, "index_or_alias")
	}
	if ix.closed {
		s.mu.RUnlock()
		return errIndexClosed(ix.name, ix.uuid)
	}
	loc, found := ix.docs[id]
	s.mu.RUnlock()
	var src json.RawMessage
	if found {
		var err error
		if src, err = s.source(ix, id); err != nil {
			return err
		}
	}
	if !found {
		return c.json(http.StatusNotFound, object{{"_index", name}, {"_id", id}, {"found", false}})
	}
	return c.json(http.StatusOK, object{{"_index", name}, {"_id", id}, {"_version", loc.version},
		{"_seq_no", loc.seqNo}, {"_primary_term", 1}, {"found", true}, {"_source", src}})
}

// bulk applies NDJSON index, create and delete actions.
func (c *call) bulk() error {
	s := c.s
	defIndex := c.r.PathValue("index")
	lines := bytes.Split(c.body, []byte("\n"))
	type op struct {
		action, index, id string
		source            json.RawMessage
		err               *esError
	}
	var ops []op
	for i := 0; i < len(lines); i++ {
		line := bytes.TrimSpace(lines[i])
		if len(line) == 0 {
			continue
		}
		v, err := decodeOrdered(line)
		if err != nil {
			return parseJSONError(line, err)
		}
		act, ok := v.(object)
		if !ok || len(act) != 1 {
			return errIllegalArgument("Malformed action/metadata line [%d], expected START_OBJECT or END_OBJECT but found [%v]", i+1, v)
		}
		o := op{action: act[0].Key, index: defIndex}
		meta, ok := act[0].Value.(object)
		if !ok {
			return errIllegalArgument("Malformed action/metadata line [%d], expected START_OBJECT but found [%v]", i+1, act[0].Value)
		}
		for _, m := range meta {
			str, _ := m.Value.(string)
			switch m.Key {
			case "_index":
				o.index = str
			case "_id":
				o.id = str
			}
		}
		switch o.action {
		case "index", "create":
			i++
			if i >= len(lines) || len(bytes.TrimSpace(lines[i])) == 0 {
				return errIllegalArgument("The bulk request must be terminated by a newline [\\n]")
			}
			o.source, o.err = compactSource(bytes.TrimSpace(lines[i]))
			if o.id == "" {
				o.id = newUUID()[:20]
			}
		case "delete":
		case "update":
			i++
			o.err = errIllegalArgument("update actions are not supported by this server")
		default:
			return errIllegalArgument("Malformed action/metadata line [%d], expected field [create], [delete], [index] or [update] but found [%s]", i+1, o.action)
		}
		if o.index == "" {
			return errValidation("index is missing")
		}
		ops = append(ops, o)
	}
	if len(ops) == 0 {
		return errValidation("no requests added")
	}
	items := make([]any, 0, len(ops))
	hasErrors := false
	// Plan under the lock (index creation, versions), write without it.
	s.docMu.Lock()
	defer s.docMu.Unlock()
	pl := &bulkPlan{pending: map[*index]map[string]*docMeta{}, seq: map[*index]int64{}}
	var writes []docWrite
	results := make([]object, len(ops))
	errs := make([]*esError, len(ops))
	s.mu.Lock()
	for i, o := range ops {
		w, res, err := s.planBulkOp(pl, o.action, o.index, o.id, o.source, o.err)
		results[i], errs[i] = res, err
		if w != nil {
			writes = append(writes, *w)
		}
	}
	s.mu.Unlock()
	if err := s.writeDocs(writes); err != nil {
		return err
	}
	for i, o := range ops {
		res := results[i]
		if err := errs[i]; err != nil {
			hasErrors = true
			res = object{{"_index", o.index}, {"_id", o.id}, {"status", err.status}, {"error", json.RawMessage(err.appendObject(nil, true))}}
		}
		items = append(items, object{{o.action, res}})
	}
	return c.json(http.StatusOK, object{{"errors", hasErrors}, {"took", 1}, {"items", items}})
}

// bulkPlan tracks, during the planning of one bulk request, the versions its
// earlier actions give documents.
type bulkPlan struct {
	pending map[*index]map[string]*docMeta // nil value: deleted
	seq     map[*index]int64
}

// current is a document's version as planned so far.
func (p *bulkPlan) current(ix *index, id string) (docMeta, bool) {
	if m, ok := p.pending[ix][id]; ok {
		if m == nil {
			return docMeta{}, false
		}
		return *m, true
	}
	m, ok := ix.docs[id]
	return m, ok
}

func (p *bulkPlan) next(ix *index) int64 {
	n, ok := p.seq[ix]
	if !ok {
		n = ix.seqNo
	}
	p.seq[ix] = n + 1
	return n
}

func (p *bulkPlan) set(ix *index, id string, m *docMeta) {
	if p.pending[ix] == nil {
		p.pending[ix] = map[string]*docMeta{}
	}
	p.pending[ix][id] = m
}

// planBulkOp plans one bulk action; s.mu must be held.
func (s *Server) planBulkOp(p *bulkPlan, action, name, id string, src json.RawMessage, perr *esError) (*docWrite, object, *esError) {
	if perr != nil {
		return nil, nil, perr
	}
	if len(id) > maxIDBytes {
		return nil, nil, errIDTooLong(id)
	}
	if action == "delete" {
		ix, ok := s.indices[name]
		if !ok {
			ax, aerr := s.aliasTarget(name, true)
			if aerr != nil {
				return nil, nil, aerr
			}
			ix, ok = ax, ax != nil
		}
		if !ok {
			return nil, nil, errIndexNotFound(name, "index_or_alias")
		}
		if ix.closed {
			return nil, nil, errIndexClosed(ix.name, ix.uuid)
		}
		prev, existed := p.current(ix, id)
		m := docMeta{version: prev.version + 1, seqNo: p.next(ix)}
		if !existed {
			return nil, append(writeResult(ix, id, m, "not_found"), member{"status", http.StatusNotFound}), nil
		}
		p.set(ix, id, nil)
		return &docWrite{ix: ix, id: id, meta: m, delete: true}, append(writeResult(ix, id, m, "deleted"), member{"status", http.StatusOK}), nil
	}
	ix, err := s.writableIndex(name)
	if err != nil {
		var ee *esError
		if errors.As(err, &ee) {
			return nil, nil, ee
		}
		return nil, nil, errInternal(err)
	}
	prev, exists := p.current(ix, id)
	if exists && action == "create" {
		return nil, nil, errVersionConflict(ix, id, prev.version)
	}
	m := docMeta{version: prev.version + 1, seqNo: p.next(ix)}
	p.set(ix, id, &m)
	res, status := "updated", http.StatusOK
	if !exists {
		res, status = "created", http.StatusCreated
	}
	return &docWrite{ix: ix, id: id, meta: m, src: src}, append(writeResult(ix, id, m, res), member{"status", status}), nil
}

// formatBytes renders a byte count as Elasticsearch's ByteSizeValue does.
func formatBytes(n int64) string {
	units := []string{"b", "kb", "mb", "gb", "tb", "pb"}
	v, i := float64(n), 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if i == 0 {
		return strconv.FormatInt(n, 10) + "b"
	}
	s := strconv.FormatFloat(v, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0") + units[i]
}

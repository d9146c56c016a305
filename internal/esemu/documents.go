package esemu

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strconv"
	"strings"
)

const (
	docWriteParams = "if_primary_term if_seq_no op_type pipeline refresh routing timeout version version_type wait_for_active_shards require_alias require_data_stream"
	docGetParams   = "preference realtime refresh routing _source _source_excludes _source_includes stored_fields version version_type"
	bulkParams     = "pipeline refresh routing timeout wait_for_active_shards require_alias require_data_stream _source _source_excludes _source_includes list_executed_pipelines"
	countParams    = "allow_no_indices analyzer analyze_wildcard default_operator df expand_wildcards ignore_throttled ignore_unavailable lenient min_score preference q routing terminate_after"
)

// emptyStoreBytes is what an empty shard occupies, so sizes are never zero.
const emptyStoreBytes = 225

// docLoc locates the current version of a document in the index file.
type docLoc struct {
	off     int64
	n       int32
	version int64
	seqNo   int64
}

// docStore keeps an index's documents in an append-only NDJSON file; only
// the location of each live document is held in memory.
type docStore struct {
	file  *os.File
	docs  map[string]docLoc
	size  int64
	seqNo int64
}

// docLine is one line of an index file.
type docLine struct {
	ID      string          `json:"_id"`
	Version int64           `json:"_version,omitempty"`
	SeqNo   int64           `json:"_seq_no,omitempty"`
	Deleted bool            `json:"_deleted,omitempty"`
	Source  json.RawMessage `json:"_source,omitempty"`
}

// open opens (creating) the file and rebuilds the document table from it.
func (d *docStore) open(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("open index file: %w", err)
	}
	d.file, d.docs, d.size, d.seqNo = f, map[string]docLoc{}, 0, 0
	if err := d.scan(f); err != nil {
		f.Close()
		return fmt.Errorf("read index file %s: %w", path, err)
	}
	return nil
}

func (d *docStore) scan(r io.Reader) error {
	br := bufio.NewReaderSize(r, 1<<16)
	var off int64
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			var dl docLine
			if jerr := json.Unmarshal(line, &dl); jerr != nil {
				return fmt.Errorf("line at offset %d: %w", off, jerr)
			}
			if dl.Deleted {
				delete(d.docs, dl.ID)
			} else {
				d.docs[dl.ID] = docLoc{off: off, n: int32(len(line)), version: dl.Version, seqNo: dl.SeqNo}
			}
			d.seqNo = max(d.seqNo, dl.SeqNo+1)
			off += int64(len(line))
		}
		if errors.Is(err, io.EOF) {
			// A torn last line (crash while writing) is ignored.
			d.size = off
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func (d *docStore) closeFile() {
	if d.file != nil {
		d.file.Close()
		d.file = nil
	}
}

func (d *docStore) count() int { return len(d.docs) }

func (d *docStore) storeSize() int64 { return emptyStoreBytes + d.size }

// put writes a document version; it reports whether the document was created.
func (d *docStore) put(id string, source json.RawMessage) (docLoc, bool, error) {
	prev, exists := d.docs[id]
	loc := docLoc{off: d.size, version: prev.version + 1, seqNo: d.seqNo}
	line, err := json.Marshal(docLine{ID: id, Version: loc.version, SeqNo: loc.seqNo, Source: source})
	if err != nil {
		return docLoc{}, false, fmt.Errorf("encode document: %w", err)
	}
	line = append(line, '\n')
	if err := d.write(line); err != nil {
		return docLoc{}, false, err
	}
	loc.n = int32(len(line))
	d.docs[id] = loc
	return loc, !exists, nil
}

// remove deletes a document; it reports whether it existed.
func (d *docStore) remove(id string) (docLoc, bool, error) {
	prev, exists := d.docs[id]
	if !exists {
		return docLoc{}, false, nil
	}
	line, _ := json.Marshal(docLine{ID: id, Deleted: true, SeqNo: d.seqNo})
	if err := d.write(append(line, '\n')); err != nil {
		return docLoc{}, false, err
	}
	delete(d.docs, id)
	prev.version++
	return prev, true, nil
}

func (d *docStore) write(line []byte) error {
	if d.file == nil {
		return errors.New("index file is closed")
	}
	if _, err := d.file.Write(line); err != nil {
		return fmt.Errorf("append to index file: %w", err)
	}
	d.size += int64(len(line))
	d.seqNo++
	return nil
}

// source reads the current source of a document.
func (d *docStore) source(loc docLoc) (json.RawMessage, error) {
	buf := make([]byte, loc.n)
	if _, err := d.file.ReadAt(buf, loc.off); err != nil {
		return nil, fmt.Errorf("read document: %w", err)
	}
	var dl docLine
	if err := json.Unmarshal(buf, &dl); err != nil {
		return nil, fmt.Errorf("decode document: %w", err)
	}
	return dl.Source, nil
}

func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// writableIndex finds or auto-creates the target of a document write; s.mu must be held.
func (s *Server) writableIndex(name string) (*index, bool, error) {
	ix, ok := s.indices[name]
	if !ok {
		if err := validateIndexName(name); err != nil {
			return nil, false, err
		}
		nix, err := s.newIndexLocked(name, nil)
		return nix, true, err
	}
	if ix.closed {
		return nil, false, errIndexClosed(ix.name, ix.uuid)
	}
	return ix, false, nil
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

func writeResult(ix *index, id string, loc docLoc, result string) object {
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
	src, perr := compactSource(c.body)
	if perr != nil {
		return perr
	}
	if id == "" {
		id = newUUID()[:20]
	}
	opCreate := c.param("op_type") == "create"
	s.mu.Lock()
	ix, created, err := s.writableIndex(name)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	if prev, exists := ix.docs[id]; exists && opCreate {
		s.mu.Unlock()
		return errVersionConflict(ix, id, prev.version)
	}
	loc, isNew, err := ix.put(id, src)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if created {
		s.persistOrLog()
	}
	status, result := http.StatusOK, "updated"
	if isNew {
		status, result = http.StatusCreated, "created"
	}
	return c.json(status, writeResult(ix, id, loc, result))
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
		s.mu.RUnlock()
		return errIndexNotFound(name, "index_or_alias")
	}
	if ix.closed {
		s.mu.RUnlock()
		return errIndexClosed(ix.name, ix.uuid)
	}
	loc, found := ix.docs[id]
	var src json.RawMessage
	var err error
	if found {
		src, err = ix.source(loc)
	}
	s.mu.RUnlock()
	if err != nil {
		return err
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
	hasErrors, createdIndex := false, false
	s.mu.Lock()
	for _, o := range ops {
		res, err := s.applyBulkOp(o.action, o.index, o.id, o.source, o.err, &createdIndex)
		if err != nil {
			hasErrors = true
			res = object{{"_index", o.index}, {"_id", o.id}, {"status", err.status}, {"error", json.RawMessage(err.appendObject(nil, true))}}
		}
		items = append(items, object{{o.action, res}})
	}
	s.mu.Unlock()
	if createdIndex {
		s.persistOrLog()
	}
	return c.json(http.StatusOK, object{{"errors", hasErrors}, {"took", 1}, {"items", items}})
}

// applyBulkOp applies one bulk action; s.mu must be held.
func (s *Server) applyBulkOp(action, name, id string, src json.RawMessage, perr *esError, created *bool) (object, *esError) {
	if perr != nil {
		return nil, perr
	}
	if action == "delete" {
		ix, ok := s.indices[name]
		if !ok {
			return nil, errIndexNotFound(name, "index_or_alias")
		}
		if ix.closed {
			return nil, errIndexClosed(ix.name, ix.uuid)
		}
		loc, existed, err := ix.remove(id)
		if err != nil {
			return nil, errInternal(err)
		}
		res, status := "deleted", http.StatusOK
		if !existed {
			res, status = "not_found", http.StatusNotFound
		}
		return append(writeResult(ix, id, loc, res), member{"status", status}), nil
	}
	ix, made, err := s.writableIndex(name)
	if err != nil {
		var ee *esError
		if errors.As(err, &ee) {
			return nil, ee
		}
		return nil, errInternal(err)
	}
	*created = *created || made
	if prev, exists := ix.docs[id]; exists && action == "create" {
		return nil, errVersionConflict(ix, id, prev.version)
	}
	loc, isNew, err := ix.put(id, src)
	if err != nil {
		return nil, errInternal(err)
	}
	res, status := "updated", http.StatusOK
	if isNew {
		res, status = "created", http.StatusCreated
	}
	return append(writeResult(ix, id, loc, res), member{"status", status}), nil
}

func (c *call) count() error {
	s := c.s
	s.mu.RLock()
	ixs, err := c.resolvePath(indicesOptions{allowNoIndices: true, open: true})
	if err != nil {
		s.mu.RUnlock()
		return err
	}
	n, shards := 0, 0
	for _, ix := range ixs {
		if ix.closed {
			s.mu.RUnlock()
			return errIndexClosed(ix.name, ix.uuid)
		}
		n += ix.count()
		shards += ix.shards()
	}
	s.mu.RUnlock()
	return c.json(http.StatusOK, object{{"count", n},
		{"_shards", object{{"total", shards}, {"successful", shards}, {"skipped", 0}, {"failed", 0}}}})
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

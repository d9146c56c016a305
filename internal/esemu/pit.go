package esemu

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Points in time: POST /{index}/_pit opens one over the indices the
// expression selects, a search with "pit" reads those indices (and gets an
// implicit _shard_doc tiebreaker on its sort, for search_after), and
// DELETE /_pit closes it. A point in time here fixes the set of indices,
// not their content: documents written after it was opened are seen, where
// Elasticsearch would not show them.

const (
	openPITParams = "keep_alive ignore_unavailable expand_wildcards preference routing allow_partial_search_results max_concurrent_shard_requests"
	pitIDPrefix   = "esemu-pit:"
	shardDocSort  = "_shard_doc"
	maxOpenPITs   = 500
)

// pitContext is an open point in time.
type pitContext struct {
	uuids   []string // the indices, in the order they were selected
	exprs   []string // the expression that selected them (for alias filters)
	expires time.Time
}

// openPIT is POST /{index}/_pit.
func (c *call) openPIT() error {
	s := c.s
	if !c.has("keep_alive") {
		return errValidation("[keep_alive] is not specified")
	}
	keep, ok := parseTimeValue(c.param("keep_alive"))
	if !ok {
		return errParse("failed to parse setting [keep_alive] with value [%s] as a time value: unit is missing or unrecognized", c.param("keep_alive"))
	}
	s.mu.RLock()
	ixs, err := c.resolvePath(indicesOptions{allowNoIndices: true, open: true})
	if err != nil {
		s.mu.RUnlock()
		return err
	}
	pc := &pitContext{exprs: splitList(c.r.PathValue("index"))}
	shards := 0
	for _, ix := range ixs {
		if ix.closed {
			s.mu.RUnlock()
			return errIndexClosed(ix.name, ix.uuid)
		}
		pc.uuids = append(pc.uuids, ix.uuid)
		shards += ix.shards()
	}
	s.mu.RUnlock()
	s.ext.mu.Lock()
	s.sweepScrollsLocked()
	if len(s.ext.pits) >= maxOpenPITs {
		s.ext.mu.Unlock()
		return newError("too_many_scroll_contexts_exception", http.StatusTooManyRequests,
			"Trying to create too many point in time contexts. Must be less than or equal to: [%d].", maxOpenPITs)
	}
	if s.ext.pits == nil {
		s.ext.pits = map[string]*pitContext{}
	}
	s.ext.scrollN++
	id := base64.RawURLEncoding.EncodeToString([]byte(pitIDPrefix + strconv.FormatInt(s.ext.scrollN, 10) + ":" + newUUID()))
	pc.expires = s.now().Add(keep)
	s.ext.pits[id] = pc
	s.ext.mu.Unlock()
	return c.json(http.StatusOK, object{{"id", id},
		{"_shards", object{{"total", shards}, {"successful", shards}, {"skipped", 0}, {"failed", 0}}}})
}

// closePIT is DELETE /_pit.
func (c *call) closePIT() error {
	s := c.s
	body, err := c.bodyObject()
	if err != nil {
		return err
	}
	v, _ := body.get("id")
	id, _ := v.(string)
	if id == "" {
		return errValidation("point in time id must be provided")
	}
	if _, perr := parsePITID(id); perr != nil {
		return perr
	}
	s.ext.mu.Lock()
	_, ok := s.ext.pits[id]
	delete(s.ext.pits, id)
	s.ext.mu.Unlock()
	if !ok {
		return c.json(http.StatusNotFound, object{{"succeeded", true}, {"num_freed", 0}})
	}
	return c.json(http.StatusOK, object{{"succeeded", true}, {"num_freed", 1}})
}

func parsePITID(id string) (int64, *esError) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(id, "="))
	rest, ok := strings.CutPrefix(string(b), pitIDPrefix)
	if err != nil || !ok {
		return 0, errIllegalArgument("invalid id: [%s]", id)
	}
	n, _, _ := strings.Cut(rest, ":")
	v, perr := strconv.ParseInt(n, 10, 64)
	if perr != nil {
		return 0, errIllegalArgument("invalid id: [%s]", id)
	}
	return v, nil
}

// pitIndices returns the indices of an open point in time, extending its
// keep-alive; s.mu must be held.
func (s *Server) pitIndices(id string, keep time.Duration) ([]*index, []string, *esError) {
	n, err := parsePITID(id)
	if err != nil {
		return nil, nil, err
	}
	s.ext.mu.Lock()
	s.sweepScrollsLocked()
	pc, ok := s.ext.pits[id]
	if ok && keep > 0 {
		pc.expires = s.now().Add(keep)
	}
	s.ext.mu.Unlock()
	if !ok {
		missing := newError("search_context_missing_exception", http.StatusNotFound, "No search context found for id [%d]", n)
		e := newError("search_phase_execution_exception", http.StatusNotFound, "all shards failed").with("phase", "query")
		e.rawMeta = []member{{"grouped", true}, {"failed_shards", []any{object{{"shard", -1}, {"index", nil},
			{"reason", json.RawMessage(missing.appendObject(nil, true))}}}}}
		return nil, nil, e.causedBy(missing)
	}
	byUUID := make(map[string]*index, len(s.indices))
	for _, ix := range s.indices {
		byUUID[ix.uuid] = ix
	}
	var out []*index
	for _, u := range pc.uuids {
		if ix, ok := byUUID[u]; ok {
			out = append(out, ix)
		}
	}
	return out, pc.exprs, nil
}

// OpenPointsInTime reports the number of open points in time.
func (s *Server) OpenPointsInTime() int {
	s.ext.mu.Lock()
	defer s.ext.mu.Unlock()
	s.sweepScrollsLocked()
	return len(s.ext.pits)
}

package esemu

import (
	"cmp"
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

const getSnapshotsParams = "after from_sort_value ignore_unavailable include_repository index_details index_names master_timeout offset order size slm_policy_filter sort verbose"

var sortKeys = []string{"start_time", "name", "duration", "index_count", "shard_count", "failed_shard_count", "repository"}

// listed is one snapshot of a GET result with its repository.
type listed struct {
	sn   *snapshot
	repo string
}

// sortValue returns the numeric or string value of the sort key.
func (l listed) sortValue(key string) (int64, string) {
	switch key {
	case "name":
		return 0, l.sn.Name
	case "repository":
		return 0, l.repo
	case "duration":
		return l.sn.duration(), ""
	case "index_count":
		return int64(len(l.sn.Indices)), ""
	case "shard_count":
		return int64(l.sn.TotalShards), ""
	case "failed_shard_count":
		return int64(l.sn.failedShards()), ""
	}
	return l.sn.Start, ""
}

func numericKey(key string) bool { return key != "name" && key != "repository" }

// cursor is a position in the sort order: a sort value, a name and a repository.
type cursor struct {
	num        int64
	str        string
	name, repo string
}

func (l listed) cursor(key string) cursor {
	n, s := l.sortValue(key)
	return cursor{n, s, l.sn.Name, l.repo}
}

func compareCursor(a, b cursor) int {
	if c := cmp.Compare(a.num, b.num); c != 0 {
		return c
	}
	if c := strings.Compare(a.str, b.str); c != 0 {
		return c
	}
	if c := strings.Compare(a.name, b.name); c != 0 {
		return c
	}
	return strings.Compare(a.repo, b.repo)
}

func (cu cursor) encode(key string) string {
	v := cu.str
	if numericKey(key) {
		v = strconv.FormatInt(cu.num, 10)
	}
	return base64.URLEncoding.EncodeToString([]byte(v + "," + cu.repo + "," + cu.name))
}

func decodeCursor(key, s string) (cursor, *esError) {
	bad := errIllegalArgument("invalid ?after parameter [%s]", s)
	raw, err := base64.URLEncoding.DecodeString(s)
	if err != nil {
		if raw, err = base64.RawURLEncoding.DecodeString(s); err != nil {
			return cursor{}, bad
		}
	}
	parts := strings.Split(string(raw), ",")
	if len(parts) != 3 {
		return cursor{}, bad
	}
	cu := cursor{str: parts[0], repo: parts[1], name: parts[2]}
	if numericKey(key) {
		n, err := strconv.ParseInt(parts[0], 10, 64)
		if err != nil {
			return cursor{}, bad
		}
		cu.num, cu.str = n, ""
	}
	return cu, nil
}

// getQuery is the parsed query of a get snapshots request.
type getQuery struct {
	view              infoView
	ignoreUnavailable bool
	sort, order       string
	size, offset      int
	after             *cursor
	from              *cursor
}

func (c *call) parseGetQuery() (getQuery, *esError) {
	q := getQuery{view: infoView{human: c.has("human") && c.param("human") != "false"}}
	var err *esError
	bools := []struct {
		name string
		def  bool
		dst  *bool
	}{
		{"verbose", true, &q.view.verbose}, {"index_names", true, &q.view.indexNames},
		{"include_repository", true, &q.view.includeRepo}, {"index_details", false, &q.view.indexDetails},
		{"ignore_unavailable", false, &q.ignoreUnavailable},
	}
	for _, b := range bools {
		if *b.dst, err = c.boolParam(b.name, b.def); err != nil {
			return q, err
		}
	}
	q.sort = cmp.Or(c.param("sort"), "start_time")
	if !slices.Contains(sortKeys, q.sort) {
		return q, errIllegalArgument("unknown sort key [%s]", q.sort)
	}
	q.order = cmp.Or(c.param("order"), "asc")
	if q.order != "asc" && q.order != "desc" {
		return q, errIllegalArgument("Unknown SortOrder [%s]", q.order)
	}
	if q.size, err = c.intParam("size", -1); err != nil {
		return q, err
	}
	if q.offset, err = c.intParam("offset", 0); err != nil {
		return q, err
	}
	var msgs []string
	if q.size == 0 || q.size < -1 {
		msgs = append(msgs, "size must be -1 or greater than 0")
	}
	after, from, slm := c.param("after"), c.param("from_sort_value"), c.param("slm_policy_filter")
	if !q.view.verbose {
		checks := []struct {
			bad bool
			msg string
		}{
			{q.sort != "start_time", "can't use non-default sort with verbose=false"},
			{q.size > 0, "can't use size limit with verbose=false"},
			{q.offset > 0, "can't use offset with verbose=false"},
			{after != "", "can't use after with verbose=false"},
			{q.order != "asc", "can't use non-default sort order with verbose=false"},
			{slm != "", "can't use slm policy filter with verbose=false"},
			{from != "", "can't use from_sort_value with verbose=false"},
		}
		for _, ch := range checks {
			if ch.bad {
				msgs = append(msgs, ch.msg)
			}
		}
	} else if after != "" && q.offset > 0 {
		msgs = append(msgs, "can't use after and offset simultaneously")
	} else if after != "" && from != "" {
		msgs = append(msgs, "can't use after and from_sort_value simultaneously")
	}
	if len(msgs) > 0 {
		return q, errValidation(msgs...)
	}
	if q.offset < 0 {
		return q, errIllegalArgument("offset must be >= 0")
	}
	if after != "" {
		cu, err := decodeCursor(q.sort, after)
		if err != nil {
			return q, err
		}
		q.after = &cu
	}
	if from != "" {
		cu := cursor{str: from}
		if numericKey(q.sort) {
			n, perr := strconv.ParseInt(from, 10, 64)
			if perr != nil {
				return q, errIllegalArgument("failed to parse from_sort_value [%s] for sort [%s]", from, q.sort)
			}
			cu = cursor{num: n}
		}
		q.from = &cu
	}
	return q, nil
}

func (c *call) getSnapshots() error {
	s := c.s
	q, err := c.parseGetQuery()
	if err != nil {
		return err
	}
	sel := newNameSelector(splitList(c.r.PathValue("snap")))
	s.mu.RLock()
	defer s.mu.RUnlock()
	repos, err := s.selectRepositories(c.r.PathValue("repo"))
	if err != nil {
		return err
	}
	var items []listed
	for _, r := range repos {
		rd := r.data
		if !q.ignoreUnavailable {
			for _, n := range sel.required {
				if _, ok := rd.byName[n]; !ok {
					return errSnapshotMissing(r.name, n)
				}
			}
		}
		// The order in which snapshots are collected does not matter: they are
		// sorted below on a key that is unique to each.
		candidates := rd.snaps
		if prefix, ok := sel.namePrefix(); ok {
			candidates = rd.withPrefix(prefix)
		}
		for _, sn := range candidates {
			running := sn.State == stateInProgress
			if sel.onlyCurrent() && !running {
				continue
			}
			if sel.matches(sn.Name, running) {
				items = append(items, listed{sn, r.name})
			}
		}
	}
	desc := q.order == "desc"
	if q.from != nil {
		kept := items[:0]
		for _, it := range items {
			n, str := it.sortValue(q.sort)
			c := cmp.Compare(n, q.from.num) + strings.Compare(str, q.from.str)
			if (!desc && c >= 0) || (desc && c <= 0) {
				kept = append(kept, it)
			}
		}
		items = kept
	}
	total := len(items)
	keys := make([]cursor, len(items))
	order := make([]int, len(items))
	for i, it := range items {
		keys[i] = it.cursor(q.sort)
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		r := compareCursor(keys[a], keys[b])
		if desc {
			return -r
		}
		return r
	})
	start := 0
	if q.after != nil {
		start = len(order)
		for i, idx := range order {
			r := compareCursor(keys[idx], *q.after)
			if desc {
				r = -r
			}
			if r > 0 {
				start = i
				break
			}
		}
	}
	start = min(start+q.offset, len(order))
	end := len(order)
	if q.size > 0 && start+q.size < end {
		end = start + q.size
	}
	page := order[start:end]
	remaining := len(order) - end
	b := make([]byte, 0, 64+len(page)*700)
	b = append(b, `{"snapshots":[`...)
	for i, idx := range page {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendSnapshotJSON(b, items[idx].sn, items[idx].repo, q.view)
	}
	b = append(b, ']')
	if remaining > 0 && len(page) > 0 {
		b = append(b, `,"next":`...)
		b = appendString(b, keys[page[len(page)-1]].encode(q.sort))
	}
	b = append(b, `,"total":`...)
	b = strconv.AppendInt(b, int64(total), 10)
	b = append(b, `,"remaining":`...)
	b = strconv.AppendInt(b, int64(remaining), 10)
	b = append(b, '}')
	c.raw(http.StatusOK, b)
	return nil
}

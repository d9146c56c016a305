package esemu

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	catCommonParams       = "format h help s v local master_timeout"
	catIndicesParams      = catCommonParams + " bytes expand_wildcards health include_unloaded_segments pri time"
	catRepositoriesParams = catCommonParams
	catSnapshotsParams    = catCommonParams + " ignore_unavailable time"
)

// catColumn describes one column of a _cat table.
type catColumn struct {
	name    string
	aliases string // comma separated
	desc    string
	numeric bool
	hidden  bool // not shown unless asked for with h
}

// catTable is a _cat response before formatting.
type catTable struct {
	cols []catColumn
	rows [][]string
}

func (t catTable) column(name string) int {
	for i, col := range t.cols {
		if col.name == name || slices.Contains(strings.Split(col.aliases, ","), name) {
			return i
		}
	}
	return -1
}

// respond formats the table as Elasticsearch's _cat APIs do: help, h, s, v,
// and format=json.
func (c *call) respond(t catTable) error {
	if help, err := c.boolParam("help", false); err != nil {
		return err
	} else if help {
		var sb strings.Builder
		for _, col := range t.cols {
			sb.WriteString(col.name + " | " + col.aliases + " | " + col.desc + "\n")
		}
		c.text(http.StatusOK, alignPipes(sb.String()))
		return nil
	}
	type sel struct {
		idx  int
		name string
	}
	var show []sel
	if h := c.param("h"); h != "" {
		for _, n := range splitList(h) {
			for i, col := range t.cols {
				if simpleMatch(n, col.name) || (!isWildcard(n) && t.column(n) == i) {
					show = append(show, sel{i, cmp.Or(map[bool]string{true: col.name}[isWildcard(n)], n)})
				}
			}
		}
	} else {
		for i, col := range t.cols {
			if !col.hidden {
				show = append(show, sel{i, col.name})
			}
		}
	}
	for _, key := range slices.Backward(splitList(c.param("s"))) {
		name, dir, _ := strings.Cut(key, ":")
		ci := t.column(name)
		if ci < 0 {
			return errIllegalArgument("Unable to sort by unknown sort key `%s`", name)
		}
		desc := dir == "desc"
		slices.SortStableFunc(t.rows, func(a, b []string) int {
			r := strings.Compare(a[ci], b[ci])
			if t.cols[ci].numeric {
				x, _ := strconv.ParseFloat(a[ci], 64)
				y, _ := strconv.ParseFloat(b[ci], 64)
				r = cmp.Compare(x, y)
			}
			if desc {
				return -r
			}
			return r
		})
	}
	if c.param("format") == "json" {
		out := make([]any, 0, len(t.rows))
		for _, row := range t.rows {
			o := make(object, 0, len(show))
			for _, sc := range show {
				var v any = row[sc.idx]
				if row[sc.idx] == "" {
					v = nil
				}
				o = append(o, member{sc.name, v})
			}
			out = append(out, o)
		}
		return c.json(http.StatusOK, out)
	}
	v, err := c.boolParam("v", false)
	if err != nil {
		return err
	}
	var lines [][]string
	if v {
		hdr := make([]string, len(show))
		for i, sc := range show {
			hdr[i] = sc.name
		}
		lines = append(lines, hdr)
	}
	for _, row := range t.rows {
		line := make([]string, len(show))
		for i, sc := range show {
			line[i] = row[sc.idx]
		}
		lines = append(lines, line)
	}
	widths := make([]int, len(show))
	for _, l := range lines {
		for i, cell := range l {
			widths[i] = max(widths[i], len(cell))
		}
	}
	var sb strings.Builder
	for _, l := range lines {
		for i, cell := range l {
			if i > 0 {
				sb.WriteByte(' ')
			}
			pad := strings.Repeat(" ", widths[i]-len(cell))
			if t.cols[show[i].idx].numeric {
				sb.WriteString(pad + cell)
			} else {
				sb.WriteString(cell + pad)
			}
		}
		sb.WriteByte('\n')
	}
	c.text(http.StatusOK, sb.String())
	return nil
}

// alignPipes pads the first two fields of "a | b | c" lines to equal widths.
func alignPipes(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	var w [2]int
	parts := make([][]string, len(lines))
	for i, l := range lines {
		parts[i] = strings.SplitN(l, " | ", 3)
		for j := 0; j < 2 && j < len(parts[i]); j++ {
			w[j] = max(w[j], len(parts[i][j]))
		}
	}
	var sb strings.Builder
	for _, p := range parts {
		for j := range p {
			if j < 2 {
				sb.WriteString(p[j] + strings.Repeat(" ", w[j]-len(p[j])) + " | ")
			} else {
				sb.WriteString(p[j])
			}
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}

// byteUnits are the units accepted by the bytes parameter.
var byteUnits = map[string]int64{"b": 1, "kb": 1 << 10, "mb": 1 << 20, "gb": 1 << 30, "tb": 1 << 40, "pb": 1 << 50}

func (c *call) sizeCell(n int64) (string, *esError) {
	u := c.param("bytes")
	if u == "" {
		return formatBytes(n), nil
	}
	div, ok := byteUnits[u]
	if !ok {
		return "", errIllegalArgument("failed to parse setting [bytes] with value [%s]", u)
	}
	return strconv.FormatInt(n/div, 10), nil
}

func (c *call) catIndices() error {
	s := c.s
	t := catTable{cols: []catColumn{
		{name: "health", aliases: "h", desc: "current health status"},
		{name: "status", aliases: "s", desc: "open/close status"},
		{name: "index", aliases: "i,idx", desc: "index name"},
		{name: "uuid", aliases: "id,uuid", desc: "index uuid"},
		{name: "pri", aliases: "p,shards.primary,shardsPrimary", desc: "number of primary shards", numeric: true},
		{name: "rep", aliases: "r,shards.replica,shardsReplica", desc: "number of replica shards", numeric: true},
		{name: "docs.count", aliases: "dc,docsCount", desc: "available docs", numeric: true},
		{name: "docs.deleted", aliases: "dd,docsDeleted", desc: "deleted docs", numeric: true},
		{name: "store.size", aliases: "ss,storeSize", desc: "store size of primaries & replicas", numeric: true},
		{name: "pri.store.size", desc: "store size of primaries", numeric: true},
		{name: "dataset.size", desc: "total size of dataset", numeric: true},
		{name: "creation.date", aliases: "cd", desc: "index creation date (millisecond value)", numeric: true, hidden: true},
		{name: "creation.date.string", aliases: "cds", desc: "index creation date (as string)", hidden: true},
	}}
	s.mu.RLock()
	o, err := c.indexOptions(indicesOptions{allowNoIndices: true, open: true, closed: true, hidden: true})
	if err != nil {
		s.mu.RUnlock()
		return err
	}
	names, err := s.resolveNames(splitList(c.r.PathValue("index")), o)
	if err != nil {
		s.mu.RUnlock()
		return err
	}
	health := c.param("health")
	for _, n := range names {
		ix := s.indices[n]
		h := "green"
		if ix.replicas() > 0 {
			h = "yellow"
		}
		if health != "" && health != h {
			continue
		}
		status, docs, deleted := "open", strconv.Itoa(ix.count()), "0"
		var size, pri, ds string
		if ix.closed {
			status, docs, deleted = "close", "", ""
		} else {
			if size, err = c.sizeCell(ix.storeSize()); err != nil {
				s.mu.RUnlock()
				return err
			}
			pri, ds = size, size
		}
		t.rows = append(t.rows, []string{h, status, ix.name, ix.uuid, strconv.Itoa(ix.shards()), strconv.Itoa(ix.replicas()),
			docs, deleted, size, pri, ds, strconv.FormatInt(ix.created, 10), formatDate(ix.created)})
	}
	s.mu.RUnlock()
	return c.respond(t)
}

func (c *call) catRepositories() error {
	t := catTable{cols: []catColumn{
		{name: "id", aliases: "id,repoId", desc: "unique repository id"},
		{name: "type", aliases: "t,type", desc: "repository type"},
	}}
	c.s.mu.RLock()
	for _, r := range c.s.repos {
		t.rows = append(t.rows, []string{r.name, r.typ})
	}
	c.s.mu.RUnlock()
	return c.respond(t)
}

func (c *call) catSnapshots() error {
	s := c.s
	t := catTable{cols: []catColumn{
		{name: "id", aliases: "id,snapshot", desc: "unique snapshot"},
		{name: "repository", aliases: "re,repo", desc: "repository name"},
		{name: "status", aliases: "s,status", desc: "snapshot name"},
		{name: "start_epoch", aliases: "ste,startEpoch", desc: "start time in seconds since 1970-01-01 00:00:00", numeric: true},
		{name: "start_time", aliases: "sti,startTime", desc: "start time in HH:MM:SS"},
		{name: "end_epoch", aliases: "ete,endEpoch", desc: "end time in seconds since 1970-01-01 00:00:00", numeric: true},
		{name: "end_time", aliases: "eti,endTime", desc: "end time in HH:MM:SS"},
		{name: "duration", aliases: "dur,duration", desc: "duration", numeric: true},
		{name: "indices", aliases: "i,indices", desc: "number of indices", numeric: true},
		{name: "successful_shards", aliases: "ss,successful_shards", desc: "number of successful shards", numeric: true},
		{name: "failed_shards", aliases: "fs,failed_shards", desc: "number of failed shards", numeric: true},
		{name: "total_shards", aliases: "ts,total_shards", desc: "number of total shards", numeric: true},
		{name: "reason", aliases: "r,reason", desc: "reason for failures", hidden: true},
	}}
	ignore, err := c.boolParam("ignore_unavailable", false)
	if err != nil {
		return err
	}
	s.mu.RLock()
	repos, rerr := s.selectRepositories(c.r.PathValue("repo"))
	if rerr != nil && !ignore {
		s.mu.RUnlock()
		return rerr
	}
	now := s.now().UnixMilli()
	for _, r := range repos {
		for _, sn := range r.data.snaps {
			dur := sn.duration()
			if sn.State == stateInProgress {
				dur = max(0, now-sn.Start)
			}
			successful := sn.TotalShards - sn.failedShards()
			if sn.State == stateInProgress {
				successful = 0
			}
			clock := func(ms int64) string { return time.UnixMilli(ms).UTC().Format("15:04:05") }
			t.rows = append(t.rows, []string{sn.Name, r.name, sn.State,
				strconv.FormatInt(sn.Start/1000, 10), clock(sn.Start),
				strconv.FormatInt(sn.End/1000, 10), clock(sn.End), formatDuration(dur),
				strconv.Itoa(len(sn.Indices)), strconv.Itoa(successful), strconv.Itoa(sn.failedShards()),
				strconv.Itoa(sn.TotalShards), sn.Reason})
		}
	}
	s.mu.RUnlock()
	return c.respond(t)
}

package esemu

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

// Index aliases, as Elasticsearch 8 keeps them: each index's metadata holds
// its aliases (name → filter, routing, is_write_index, is_hidden); an alias
// name shares the namespace of index names; index expressions resolve aliases
// to their indices except where Elasticsearch ignores aliases (index
// deletion).

const (
	aliasesParams    = "master_timeout timeout"
	getAliasesParams = "allow_no_indices expand_wildcards ignore_unavailable local master_timeout"
)

// aliasMeta is one alias of one index.
type aliasMeta struct {
	Filter        json.RawMessage `json:"filter,omitempty"`
	IndexRouting  string          `json:"index_routing,omitempty"`
	SearchRouting string          `json:"search_routing,omitempty"`
	IsWriteIndex  *bool           `json:"is_write_index,omitempty"`
	IsHidden      *bool           `json:"is_hidden,omitempty"`
}

// aliasSet is the aliases of one index by name.
type aliasSet map[string]aliasMeta

// parseAliasSet reads an index's stored aliases; damaged entries are dropped.
func parseAliasSet(raw json.RawMessage) aliasSet {
	if len(raw) == 0 {
		return aliasSet{}
	}
	var as aliasSet
	if err := json.Unmarshal(raw, &as); err != nil || as == nil {
		return aliasSet{}
	}
	return as
}

// names lists the aliases sorted.
func (as aliasSet) names() []string {
	out := make([]string, 0, len(as))
	for n := range as {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// render is the aliases as an object sorted by name, the stored and the
// rendered form.
func (as aliasSet) render() object {
	o := make(object, 0, len(as))
	for _, n := range as.names() {
		o = append(o, member{n, as[n]})
	}
	return o
}

// raw encodes the set for storage; an empty set is nil.
func (as aliasSet) raw() json.RawMessage {
	if len(as) == 0 {
		return nil
	}
	b, _ := json.Marshal(as.render())
	return b
}

// aliasesOf returns the parsed aliases of an index.
func (ix *index) aliasesOf() aliasSet { return parseAliasSet(ix.aliases) }

// aliasEntry is one alias of the cluster with its indices in natural order.
type aliasEntry struct {
	indices []*index
	hidden  bool
}

// aliasTable maps every alias to its indices; s.mu must be held.
func (s *Server) aliasTable() map[string]*aliasEntry {
	out := map[string]*aliasEntry{}
	for _, ix := range s.sortedIndices() {
		if len(ix.aliases) == 0 {
			continue
		}
		for n, m := range ix.aliasesOf() {
			e := out[n]
			if e == nil {
				e = &aliasEntry{}
				out[n] = e
			}
			e.indices = append(e.indices, ix)
			if m.IsHidden != nil && *m.IsHidden {
				e.hidden = true
			}
		}
	}
	return out
}

// writeIndex is the index an alias writes to: the one marked is_write_index,
// or its only index unless that one is marked false.
func (e *aliasEntry) writeIndex(alias string) *index {
	var only *index
	for _, ix := range e.indices {
		m := ix.aliasesOf()[alias]
		if m.IsWriteIndex != nil {
			if *m.IsWriteIndex {
				return ix
			}
			continue
		}
		if len(e.indices) == 1 {
			only = ix
		}
	}
	return only
}

// errAliasNotSupported is Elasticsearch's refusal of an alias where only
// concrete indices are accepted (index deletion, for one).
func errAliasNotSupported(expr string) *esError {
	return errIllegalArgument("The provided expression [%s] matches an alias, specify the corresponding concrete indices instead.", expr)
}

func errInvalidAliasName(name, desc string) *esError {
	return newError("invalid_alias_name_exception", http.StatusBadRequest, "Invalid alias name [%s]: %s", name, desc)
}

// errAliasesNotFound is the answer to removing aliases that do not exist.
func errAliasesNotFound(names []string) *esError {
	id := strings.Join(names, ",")
	return newError("aliases_not_found_exception", http.StatusNotFound, "aliases [%s] missing", id).
		with("resource.type", "aliases").with("resource.id", id)
}

// validateAliasName applies Elasticsearch's rules for alias names: those of
// index names except that upper case is allowed.
func validateAliasName(name string) *esError {
	if strings.TrimSpace(name) == "" {
		return errIllegalArgument("alias name is required")
	}
	if err := validateIndexName(strings.ToLower(name)); err != nil {
		desc, _ := strings.CutPrefix(err.reason, "Invalid index name ["+strings.ToLower(name)+"], ")
		return errInvalidAliasName(name, desc)
	}
	return nil
}

// resolveNames resolves index expressions as Elasticsearch does, aliases
// included: a name or wildcard that matches an alias stands for the alias's
// indices; a wildcard expands matching aliases to their indices at once,
// while an explicit alias name is expanded at the end (an exclusion of the
// alias's name removes it, one of an index name does not). With o.ignoreAliases an alias name is refused (or
// skipped under ignore_unavailable) and wildcards do not match aliases.
// s.mu must be held.
func (s *Server) resolveNames(exprs []string, o indicesOptions) ([]string, *esError) {
	states := s.indexStates()
	aliases := s.aliasTable()
	if len(aliases) == 0 || len(exprs) == 0 || (len(exprs) == 1 && (exprs[0] == "_all" || exprs[0] == "*")) {
		return resolveIndices(states, exprs, o)
	}
	byName := make(map[string]indexState, len(states))
	for _, st := range states {
		byName[st.name] = st
	}
	type resource struct {
		name     string
		alias    bool
		explicit bool
	}
	var res []resource
	seen := map[string]bool{}
	add := func(r resource) {
		if !seen[r.name] {
			seen[r.name] = true
			res = append(res, r)
		}
	}
	wildcardSeen := false
	for _, e := range exprs {
		switch {
		case strings.HasPrefix(e, "-") && wildcardSeen:
			p := e[1:]
			res = slices.DeleteFunc(res, func(r resource) bool {
				if simpleMatch(p, r.name) {
					delete(seen, r.name)
					return true
				}
				return false
			})
		case isWildcard(e) || e == "_all":
			wildcardSeen = true
			matched := false
			for _, st := range states {
				if (e == "_all" || simpleMatch(e, st.name)) && o.expands(st) {
					add(resource{name: st.name})
					matched = true
				}
			}
			if !o.ignoreAliases && e != "_all" {
				for _, n := range sortedKeys(aliases) {
					if simpleMatch(e, n) && (!aliases[n].hidden || o.hidden) {
						// A wildcard expands a matching alias to its indices at
						// once, so later exclusions apply to those indices.
						for _, ix := range aliases[n].indices {
							if o.expands(ix.state()) {
								add(resource{name: ix.name})
								matched = true
							}
						}
					}
				}
			}
			if !matched && !o.allowNoIndices {
				return nil, errIndexNotFound(e, "index_expression")
			}
		default:
			if _, ok := byName[e]; ok {
				add(resource{name: e, explicit: true})
				continue
			}
			if _, ok := aliases[e]; ok {
				if !o.ignoreAliases {
					add(resource{name: e, alias: true, explicit: true})
				} else if !o.ignoreUnavailable {
					return nil, errAliasNotSupported(e)
				}
				continue
			}
			if !o.ignoreUnavailable {
				return nil, errIndexNotFound(e, "index_or_alias")
			}
		}
	}
	var out []string
	in := map[string]bool{}
	for _, r := range res {
		if !r.alias {
			if !in[r.name] {
				in[r.name] = true
				out = append(out, r.name)
			}
			continue
		}
		for _, ix := range aliases[r.name].indices {
			if !r.explicit && !o.expands(ix.state()) {
				continue
			}
			if !in[ix.name] {
				in[ix.name] = true
				out = append(out, ix.name)
			}
		}
	}
	if len(out) == 0 && !o.allowNoIndices {
		return nil, errIndexNotFound(strings.Join(exprs, ","), "index_expression")
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// parseAliasDefinition reads one alias body of a create-index request or an
// add action into m.
func parseAliasDefinition(alias string, v any, m *aliasMeta) *esError {
	o, ok := v.(object)
	if !ok && v != nil {
		return errIllegalArgument("alias [%s] must be an object", alias)
	}
	for _, f := range o {
		switch f.Key {
		case "filter":
			if _, ok := f.Value.(object); !ok {
				return errIllegalArgument("failed to parse filter for alias [%s]", alias)
			}
			m.Filter, _ = json.Marshal(f.Value)
		case "routing", "index_routing", "search_routing":
			r := scalarString(f.Value)
			if f.Key != "search_routing" {
				if strings.Contains(r, ",") {
					return errIllegalArgument("alias [%s] has several index routing values associated with it", alias)
				}
				m.IndexRouting = r
			}
			if f.Key != "index_routing" {
				m.SearchRouting = r
			}
		case "is_write_index", "is_hidden":
			b, err := boolValue(f.Value)
			if err != nil {
				return err
			}
			if f.Key == "is_write_index" {
				m.IsWriteIndex = &b
			} else {
				m.IsHidden = &b
			}
		case "index", "indices", "alias", "aliases", "must_exist":
			// Action targets, read by the caller.
		default:
			// Elasticsearch's wording for an unknown field of an alias
			// definition (unconfirmed against a running node).
			return errIllegalArgument("Unsupported field [%s]", f.Key)
		}
	}
	return nil
}

// scalarString renders a JSON scalar as Elasticsearch reads it into a string.
func scalarString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		return t.String()
	case bool:
		if t {
			return "true"
		}
		return "false"
	}
	return ""
}

// parseCreateAliases reads the aliases section of a create-index body and
// checks it against the cluster; s.mu must be held.
func (s *Server) parseCreateAliases(v any) (aliasSet, *esError) {
	as := aliasSet{}
	o, ok := v.(object)
	if !ok {
		return as, nil
	}
	for _, a := range o {
		if err := validateAliasName(a.Key); err != nil {
			return nil, err
		}
		var m aliasMeta
		if err := parseAliasDefinition(a.Key, a.Value, &m); err != nil {
			return nil, err
		}
		as[a.Key] = m
	}
	return as, nil
}

// checkAliasesLocked validates new aliases of index name against the
// cluster: no alias may be named as an index, and (with writers) an alias
// has at most one write index. s.mu must be held.
func (s *Server) checkAliasesLocked(name string, as aliasSet, writers bool) *esError {
	table := s.aliasTable()
	for _, n := range as.names() {
		if n == name {
			return newError("invalid_alias_name_exception", http.StatusBadRequest,
				"Invalid alias name [%s], an index or data stream exists with the same name as the alias", n).
				with("index_uuid", "_na_").with("index", name)
		}
		if ex, ok := s.indices[n]; ok {
			return newError("invalid_alias_name_exception", http.StatusBadRequest,
				"Invalid alias name [%s], an index or data stream exists with the same name as the alias", n).
				with("index_uuid", ex.uuid).with("index", name)
		}
		if w := as[n].IsWriteIndex; writers && w != nil && *w {
			if e, ok := table[n]; ok {
				for _, ix := range e.indices {
					if m := ix.aliasesOf()[n]; ix.name != name && m.IsWriteIndex != nil && *m.IsWriteIndex {
						return newError("illegal_state_exception", http.StatusInternalServerError,
							"alias [%s] has more than one write index [%s,%s]", n, ix.name, name)
					}
				}
			}
		}
	}
	return nil
}

// aliasAction is one entry of a POST /_aliases request.
type aliasAction struct {
	kind      string // add, remove, remove_index
	indices   []string
	aliases   []string
	meta      aliasMeta
	mustExist *bool
}

func parseAliasActions(body object) ([]aliasAction, *esError) {
	var acts []aliasAction
	for _, m := range body {
		if m.Key != "actions" {
			return nil, errParse("Unknown key for a START_ARRAY in [%s].", m.Key)
		}
		list, ok := m.Value.([]any)
		if !ok {
			if o, isObj := m.Value.(object); isObj {
				list = []any{o}
			} else {
				return nil, errParse("[aliases] failed to parse field [actions]")
			}
		}
		for _, item := range list {
			o, ok := item.(object)
			if !ok || len(o) != 1 {
				return nil, errIllegalArgument("[aliases] failed to parse field [actions]")
			}
			a := aliasAction{kind: o[0].Key}
			switch a.kind {
			case "add", "remove", "remove_index":
			default:
				return nil, errIllegalArgument("[aliases] failed to parse field [actions]").
					causedBy(newError("x_content_parse_exception", http.StatusBadRequest, "[alias_action] unknown field [%s]", a.kind))
			}
			def, ok := o[0].Value.(object)
			if !ok {
				return nil, errIllegalArgument("[aliases] failed to parse field [actions]")
			}
			for _, f := range def {
				switch f.Key {
				case "index", "alias":
					str, _ := f.Value.(string)
					if f.Key == "index" {
						a.indices = append(a.indices, str)
					} else {
						a.aliases = append(a.aliases, str)
					}
				case "indices", "aliases":
					l, err := stringList(f.Value, "["+f.Key+"] must be an array of strings")
					if err != nil {
						return nil, err
					}
					if f.Key == "indices" {
						a.indices = append(a.indices, l...)
					} else {
						a.aliases = append(a.aliases, l...)
					}
				case "must_exist":
					b, err := boolValue(f.Value)
					if err != nil {
						return nil, err
					}
					a.mustExist = &b
				}
			}
			if err := parseAliasDefinition(strings.Join(a.aliases, ","), def, &a.meta); err != nil {
				return nil, err
			}
			acts = append(acts, a)
		}
	}
	var msgs []string
	if len(acts) == 0 {
		msgs = append(msgs, "Must specify at least one alias action")
	}
	for _, a := range acts {
		if a.mustExist != nil && a.kind != "remove" {
			return nil, errIllegalArgument("[must_exist] is unsupported for [%s]", strings.ToUpper(a.kind))
		}
		if len(a.indices) == 0 {
			msgs = append(msgs, "One of [index/indices] is required")
		}
		if a.kind != "remove_index" && len(a.aliases) == 0 {
			msgs = append(msgs, "One of [alias/aliases] is required")
		}
		if a.kind == "remove_index" && len(a.aliases) > 0 {
			msgs = append(msgs, "[aliases] is unsupported for [REMOVE_INDEX]")
		}
	}
	if len(msgs) > 0 {
		return nil, errValidation(msgs...)
	}
	return acts, nil
}

// updateAliases is POST /_aliases.
func (c *call) updateAliases() error {
	body, err := c.bodyObject()
	if err != nil {
		return err
	}
	if body == nil {
		return errValidation("Must specify at least one alias action")
	}
	acts, err := parseAliasActions(body)
	if err != nil {
		return err
	}
	if err := c.s.applyAliasActions(acts); err != nil {
		return err
	}
	return c.json(http.StatusOK, object{{"acknowledged", true}, {"errors", false}})
}

// applyAliasActions applies alias actions atomically: all of them, or none.
func (s *Server) applyAliasActions(acts []aliasAction) error {
	s.docMu.Lock()
	defer s.docMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	next := map[*index]aliasSet{}
	setOf := func(ix *index) aliasSet {
		if as, ok := next[ix]; ok {
			return as
		}
		as := ix.aliasesOf()
		next[ix] = as
		return as
	}
	var drop []*index
	for _, a := range acts {
		// Alias actions name concrete indices (or patterns of them): an
		// alias in their index expression is refused, as Elasticsearch's
		// aliases request ignores aliases.
		opts := indicesOptions{open: true, ignoreAliases: true}
		names, rerr := s.resolveNames(a.indices, opts)
		if rerr != nil {
			return rerr
		}
		switch a.kind {
		case "add":
			for _, al := range a.aliases {
				if verr := validateAliasName(al); verr != nil {
					return verr
				}
				for _, n := range names {
					setOf(s.indices[n])[al] = a.meta
				}
			}
		case "remove":
			removed := false
			var missing []string
			for _, al := range a.aliases {
				found := false
				for _, n := range names {
					as := setOf(s.indices[n])
					for _, have := range as.names() {
						if simpleMatch(al, have) || al == "_all" {
							delete(as, have)
							found = true
						}
					}
				}
				if !found {
					missing = append(missing, al)
				}
				removed = removed || found
			}
			if (a.mustExist != nil && *a.mustExist && len(missing) > 0) || !removed {
				return errAliasesNotFound(missing)
			}
		case "remove_index":
			for _, n := range names {
				drop = append(drop, s.indices[n])
			}
		}
	}
	for ix, as := range next {
		if slices.Contains(drop, ix) {
			continue
		}
		for _, n := range as.names() {
			// An index removed by this request no longer holds its name.
			if ex, ok := s.indices[n]; ok && !slices.Contains(drop, ex) {
				return newError("invalid_alias_name_exception", http.StatusBadRequest,
					"Invalid alias name [%s], an index or data stream exists with the same name as the alias", n).
					with("index_uuid", ex.uuid).with("index", ix.name)
			}
		}
	}
	final := map[*index]aliasSet{}
	for _, ix := range s.indices {
		if slices.Contains(drop, ix) {
			continue
		}
		if as, ok := next[ix]; ok {
			final[ix] = as
		} else if len(ix.aliases) > 0 {
			final[ix] = ix.aliasesOf()
		}
	}
	if err := checkWriteIndexes(final); err != nil {
		return err
	}
	prev := map[*index]json.RawMessage{}
	for ix, as := range next {
		prev[ix] = ix.aliases
		ix.aliases = as.raw()
	}
	restore := func() {
		for ix, raw := range prev {
			ix.aliases = raw
		}
	}
	if len(drop) > 0 {
		if err := s.dropIndicesLocked(drop); err != nil {
			restore()
			return err
		}
		return nil
	}
	if err := s.saveStateLocked(); err != nil {
		restore()
		return err
	}
	return nil
}

// checkWriteIndexes refuses an alias with two write indices.
func checkWriteIndexes(next map[*index]aliasSet) *esError {
	writers := map[string][]string{}
	for ix, as := range next {
		for n, m := range as {
			if m.IsWriteIndex != nil && *m.IsWriteIndex {
				writers[n] = append(writers[n], ix.name)
			}
		}
	}
	for _, n := range sortedKeys(writers) {
		if w := writers[n]; len(w) > 1 {
			slices.Sort(w)
			return newError("illegal_state_exception", http.StatusInternalServerError,
				"alias [%s] has more than one write index [%s]", n, strings.Join(w, ","))
		}
	}
	return checkHiddenConsistent(next)
}

// checkHiddenConsistent refuses an alias hidden on some of its indices only.
func checkHiddenConsistent(sets map[*index]aliasSet) *esError {
	hidden, shown := map[string][]string{}, map[string][]string{}
	for ix, as := range sets {
		for n, m := range as {
			if m.IsHidden != nil && *m.IsHidden {
				hidden[n] = append(hidden[n], ix.name)
			} else {
				shown[n] = append(shown[n], ix.name)
			}
		}
	}
	for _, n := range sortedKeys(hidden) {
		if len(shown[n]) > 0 {
			h, v := hidden[n], shown[n]
			slices.Sort(h)
			slices.Sort(v)
			return newError("illegal_state_exception", http.StatusInternalServerError,
				"alias [%s] has is_hidden set to true on indices [%s] but does not have is_hidden set to true on indices [%s]; alias must have the same is_hidden setting on all indices",
				n, strings.Join(h, ","), strings.Join(v, ","))
		}
	}
	return nil
}

// putAlias is PUT|POST /{index}/_alias/{name}.
func (c *call) putAlias() error {
	body, err := c.bodyObject()
	if err != nil {
		return err
	}
	a := aliasAction{kind: "add", indices: splitList(c.r.PathValue("index")), aliases: splitList(c.r.PathValue("name"))}
	if perr := parseAliasDefinition(c.r.PathValue("name"), body, &a.meta); perr != nil {
		return perr
	}
	if aerr := c.s.applyAliasActions([]aliasAction{a}); aerr != nil {
		return aerr
	}
	return c.json(http.StatusOK, object{{"acknowledged", true}})
}

// deleteAlias is DELETE /{index}/_alias/{name}.
func (c *call) deleteAlias() error {
	a := aliasAction{kind: "remove", indices: splitList(c.r.PathValue("index")), aliases: splitList(c.r.PathValue("name"))}
	if err := c.s.applyAliasActions([]aliasAction{a}); err != nil {
		return err
	}
	return c.json(http.StatusOK, object{{"acknowledged", true}})
}

// getAliases is GET|HEAD /_alias, /_alias/{name}, /{index}/_alias and
// /{index}/_alias/{name}: without names every selected index is listed (with
// empty aliases where it has none); with names only the matching aliases,
// and names that match nothing make the answer a 404 that still lists what
// was found.
func (c *call) getAliases() error {
	s := c.s
	names := splitList(c.r.PathValue("name"))
	s.mu.RLock()
	var ixs []*index
	if c.r.PathValue("index") != "" {
		var err *esError
		if ixs, err = c.resolvePath(indicesOptions{allowNoIndices: true, open: true, closed: true}); err != nil {
			s.mu.RUnlock()
			return err
		}
	} else {
		for _, ix := range s.sortedIndices() {
			if !ix.hidden() {
				ixs = append(ixs, ix)
			}
		}
	}
	sel := newNameSelector(names)
	if len(names) == 1 && names[0] == "_all" {
		sel = newNameSelector(nil)
	}
	out := object{}
	matched := map[string]bool{}
	for _, ix := range ixs {
		as := ix.aliasesOf()
		found := object{}
		for _, n := range as.names() {
			if len(names) == 0 || sel.matches(n, false) {
				found = append(found, member{n, as[n]})
				matched[n] = true
			}
		}
		if len(names) == 0 || len(found) > 0 {
			out = append(out, member{ix.name, object{{"aliases", found}}})
		}
	}
	s.mu.RUnlock()
	var missing []string
	for _, n := range sel.required {
		if !matched[n] {
			missing = append(missing, n)
		}
	}
	if c.r.Method == http.MethodHead {
		status := http.StatusOK
		if len(missing) > 0 || (len(names) > 0 && len(matched) == 0) {
			status = http.StatusNotFound
		}
		c.w.Header().Set("Content-Type", "application/json")
		c.w.WriteHeader(status)
		return nil
	}
	if len(missing) > 0 {
		msg := "alias [" + missing[0] + "] missing"
		if len(missing) > 1 {
			msg = "aliases [" + strings.Join(missing, ",") + "] missing"
		}
		return c.json(http.StatusNotFound, append(object{{"error", msg}, {"status", http.StatusNotFound}}, out...))
	}
	return c.json(http.StatusOK, out)
}

const catAliasesParams = catCommonParams + " expand_wildcards"

// catAliases is GET /_cat/aliases[/{name}].
func (c *call) catAliases() error {
	s := c.s
	names := splitList(c.r.PathValue("name"))
	sel := newNameSelector(names)
	t := catTable{cols: []catColumn{
		{name: "alias", aliases: "a", desc: "alias name"},
		{name: "index", aliases: "i,idx", desc: "index alias points to"},
		{name: "filter", aliases: "f,fi", desc: "filter"},
		{name: "routing.index", aliases: "ri,routingIndex", desc: "index routing"},
		{name: "routing.search", aliases: "rs,routingSearch", desc: "search routing"},
		{name: "is_write_index", aliases: "w,isWriteIndex", desc: "write index"},
	}}
	s.mu.RLock()
	for _, ix := range s.sortedIndices() {
		as := ix.aliasesOf()
		for _, n := range as.names() {
			if len(names) > 0 && !sel.matches(n, false) {
				continue
			}
			m := as[n]
			filter, w := "-", "-"
			if len(m.Filter) > 0 {
				filter = "*"
			}
			if m.IsWriteIndex != nil {
				w = map[bool]string{true: "true", false: "false"}[*m.IsWriteIndex]
			}
			t.rows = append(t.rows, []string{n, ix.name, filter, dash(m.IndexRouting), dash(m.SearchRouting), w})
		}
	}
	s.mu.RUnlock()
	return c.respond(t)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// createAliasesLocked checks a new index's name against the aliases of the
// cluster and reads the aliases of its create request; s.mu must be held.
func (s *Server) createAliasesLocked(name string, v any) (json.RawMessage, *esError) {
	if _, ok := s.aliasTable()[name]; ok {
		return nil, errInvalidIndexName(name, "already exists as alias")
	}
	as, err := s.parseCreateAliases(v)
	if err != nil {
		return nil, err
	}
	if err := s.checkAliasesLocked(name, as, true); err != nil {
		return nil, err
	}
	return as.raw(), nil
}

// aliasTarget is the index a single-document operation on alias name goes
// to: for a read the alias's only index, for a write its write index. It
// returns nil and no error when name is not an alias. s.mu must be held.
func (s *Server) aliasTarget(name string, write bool) (*index, *esError) {
	e, ok := s.aliasTable()[name]
	if !ok {
		return nil, nil
	}
	if write {
		if ix := e.writeIndex(name); ix != nil {
			return ix, nil
		}
		return nil, errIllegalArgument("no write index is defined for alias [%s]. The write index may be explicitly disabled using is_write_index=false or the alias points to multiple indices without one being designated as a write index", name)
	}
	if len(e.indices) > 1 {
		names := make([]string, len(e.indices))
		for i, ix := range e.indices {
			names[i] = ix.name
		}
		return nil, errIllegalArgument("alias [%s] has more than one index associated with it [%s], can't execute a single index op", name, strings.Join(names, ", "))
	}
	return e.indices[0], nil
}

// aliasFilters returns, for each searched index reached only through
// explicitly named aliases that all have a filter, the filter to apply
// (their disjunction), as Elasticsearch applies alias filters to searches. A
// filter with a query this server does not evaluate is refused rather than
// ignored. s.mu must be held.
func (s *Server) aliasFilters(exprs []string, ixs []*index) (map[*index]queryNode, *esError) {
	table := s.aliasTable()
	if len(table) == 0 {
		return nil, nil
	}
	var named []string
	direct := map[string]bool{}
	for _, e := range exprs {
		if _, ok := table[e]; ok {
			named = append(named, e)
		} else {
			// Index names, wildcards and _all reach indices directly.
			direct[e] = true
		}
	}
	if len(named) == 0 {
		return nil, nil
	}
	out := map[*index]queryNode{}
	for _, ix := range ixs {
		reached := len(direct) > 0 && s.reachedDirectly(ix, direct)
		if reached {
			continue
		}
		var ors []queryNode
		unfiltered := false
		for _, a := range named {
			m, ok := ix.aliasesOf()[a]
			if !ok {
				continue
			}
			if len(m.Filter) == 0 {
				unfiltered = true
				break
			}
			v, err := decodeStored(m.Filter)
			if err != nil {
				return nil, errInternal(err)
			}
			q, qerr := parseQuery(v)
			if qerr != nil {
				return nil, errIllegalArgument("the filter of alias [%s] uses a query this server does not evaluate", a).causedBy(qerr)
			}
			ors = append(ors, q)
		}
		if !unfiltered && len(ors) > 0 {
			out[ix] = boolQuery{should: ors, minShould: 1}
		}
	}
	return out, nil
}

// reachedDirectly reports whether an expression other than an alias name
// selects the index.
func (s *Server) reachedDirectly(ix *index, exprs map[string]bool) bool {
	for e := range exprs {
		if e == ix.name || e == "_all" || e == "*" || (isWildcard(e) && simpleMatch(e, ix.name)) {
			return true
		}
	}
	return false
}

// hasFilteredAliases reports whether any alias has a filter.
func (s *Server) hasFilteredAliases() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, ix := range s.indices {
		for _, m := range ix.aliasesOf() {
			if len(m.Filter) > 0 {
				return true
			}
		}
	}
	return false
}

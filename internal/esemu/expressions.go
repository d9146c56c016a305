package esemu

import (
	"strings"
)

// simpleMatch reports whether s matches pattern, where '*' matches any run of
// characters (Elasticsearch's Regex.simpleMatch).
// It allocates nothing: a GET of snapshots matches every snapshot name of a
// repository against the pattern on each request.
func simpleMatch(pattern, s string) bool {
	star := strings.IndexByte(pattern, '*')
	if star < 0 {
		return pattern == s
	}
	if !strings.HasPrefix(s, pattern[:star]) {
		return false
	}
	s = s[star:]
	rest := pattern[star+1:]
	for {
		// Each part between two stars is found at its first place after the
		// previous one; the part after the last star must end s.
		star = strings.IndexByte(rest, '*')
		if star < 0 {
			return strings.HasSuffix(s, rest)
		}
		i := strings.Index(s, rest[:star])
		if i < 0 {
			return false
		}
		s = s[i+star:]
		rest = rest[star+1:]
	}
}

func isWildcard(s string) bool { return strings.Contains(s, "*") }

// splitList splits a comma list, dropping empty entries.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	out := make([]string, 0, strings.Count(s, ",")+1)
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// indicesOptions mirrors Elasticsearch's IndicesOptions for expression resolution.
type indicesOptions struct {
	ignoreUnavailable bool
	allowNoIndices    bool
	open, closed      bool
	hidden            bool
	// ignoreAliases refuses alias names and keeps wildcards to indices, as
	// index deletion does (see resolveNames).
	ignoreAliases bool
}

// indexState is what expression resolution needs to know about one index.
type indexState struct {
	name           string
	closed, hidden bool
}

func (o indicesOptions) expands(st indexState) bool {
	if st.hidden && !o.hidden {
		return false
	}
	if st.closed {
		return o.closed
	}
	return o.open
}

// parseExpandWildcards reads expand_wildcards into o.
func (o *indicesOptions) parseExpandWildcards(v string) *esError {
	o.open, o.closed, o.hidden = false, false, false
	for _, p := range splitList(v) {
		switch p {
		case "open":
			o.open = true
		case "closed":
			o.closed = true
		case "hidden":
			o.hidden = true
		case "all":
			o.open, o.closed, o.hidden = true, true, true
		case "none":
		default:
			return errIllegalArgument("No valid expand wildcard value [%s]", p)
		}
	}
	return nil
}

// resolveIndices resolves index expressions against the existing indices (in
// their natural order), following Elasticsearch: comma lists, '*' wildcards,
// '-' exclusions after a wildcard, _all, ignore_unavailable and allow_no_indices.
func resolveIndices(all []indexState, exprs []string, o indicesOptions) ([]string, *esError) {
	byName := make(map[string]indexState, len(all))
	for _, st := range all {
		byName[st.name] = st
	}
	var result []string
	in := map[string]bool{}
	add := func(n string) {
		if !in[n] {
			in[n] = true
			result = append(result, n)
		}
	}
	if len(exprs) == 0 || (len(exprs) == 1 && (exprs[0] == "_all" || exprs[0] == "*")) {
		for _, st := range all {
			if o.expands(st) {
				add(st.name)
			}
		}
		if len(result) == 0 && !o.allowNoIndices {
			return nil, errIndexNotFound(strings.Join(append([]string{}, exprs...), ","), "index_expression")
		}
		return result, nil
	}
	wildcardSeen := false
	for _, e := range exprs {
		switch {
		case strings.HasPrefix(e, "-") && wildcardSeen:
			p := e[1:]
			kept := result[:0]
			for _, n := range result {
				if simpleMatch(p, n) {
					delete(in, n)
				} else {
					kept = append(kept, n)
				}
			}
			result = kept
		case isWildcard(e) || e == "_all":
			wildcardSeen = true
			matched := false
			for _, st := range all {
				if (e == "_all" || simpleMatch(e, st.name)) && o.expands(st) {
					add(st.name)
					matched = true
				}
			}
			if !matched && !o.allowNoIndices {
				return nil, errIndexNotFound(e, "index_expression")
			}
		default:
			if _, ok := byName[e]; ok {
				add(e)
			} else if !o.ignoreUnavailable {
				return nil, errIndexNotFound(e, "index_or_alias")
			}
		}
	}
	if len(result) == 0 && !o.allowNoIndices {
		return nil, errIndexNotFound(strings.Join(exprs, ","), "index_expression")
	}
	return result, nil
}

// nameSelector selects names (snapshots, repositories) by Elasticsearch's
// rules: _all or * select everything, '*' patterns include, '-' entries after
// a wildcard exclude, _current selects running snapshots, and plain names are
// included and required.
type nameSelector struct {
	all      bool
	current  bool
	includes []string
	excludes []string
	required []string
}

func newNameSelector(entries []string) nameSelector {
	var s nameSelector
	if len(entries) == 0 || (len(entries) == 1 && (strings.EqualFold(entries[0], "_all") || entries[0] == "*")) {
		s.all = true
		return s
	}
	wildcardSeen := false
	for _, e := range entries {
		switch {
		case e == "_current":
			s.current = true
		case strings.HasPrefix(e, "-") && wildcardSeen:
			s.excludes = append(s.excludes, e[1:])
		case isWildcard(e):
			wildcardSeen = true
			s.includes = append(s.includes, e)
		default:
			s.includes = append(s.includes, e)
			s.required = append(s.required, e)
		}
	}
	return s
}

// namePrefix returns the literal start every selected name has, when the
// selector is one name or one pattern (without _current): only names that
// start with it need to be matched. ok is false when any name may be selected.
func (s nameSelector) namePrefix() (prefix string, ok bool) {
	if s.all || s.current || len(s.includes) != 1 {
		return "", false
	}
	p := s.includes[0]
	if i := strings.IndexByte(p, '*'); i >= 0 {
		p = p[:i]
	}
	return p, p != ""
}

// onlyCurrent reports whether the selector asks for running snapshots only.
func (s nameSelector) onlyCurrent() bool {
	return s.current && len(s.includes) == 0
}

// matches reports whether name is selected; running tells whether the named
// snapshot is in progress (for _current).
func (s nameSelector) matches(name string, running bool) bool {
	if s.all {
		return true
	}
	for _, x := range s.excludes {
		if simpleMatch(x, name) {
			return false
		}
	}
	if s.current && running {
		return true
	}
	for _, p := range s.includes {
		if simpleMatch(p, name) {
			return true
		}
	}
	return false
}

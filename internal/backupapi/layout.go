package backupapi

import (
	"slices"
	"strings"
)

// Index describes one index of the web applications, as Camunda's index descriptors do.
type Index struct {
	Component string // "operate", "tasklist" or "camunda"
	Name      string // e.g. "list-view"
	Version   string // the schema version in the index name, e.g. "8.3.0"
	// Template is true for index templates, whose archived (dated) indices are named
	// <full name><date> beside the main index.
	Template bool
	// Optional indices may be absent; a backup of a cluster without them leaves them out.
	Optional bool
}

// FullName is the index's name in Elasticsearch for an index prefix:
// [<prefix>-]<component>-<name>-<version>_ .
func (ix Index) FullName(prefix string) string {
	p := ""
	if strings.TrimSpace(prefix) != "" {
		p = prefix + "-"
	}
	return p + ix.Component + "-" + ix.Name + "-" + ix.Version + "_"
}

// PartSpec is one part of a layout: the main indices of a priority group, or (Dated) the
// archived indices of the group's templates.
type PartSpec struct {
	Group int // index into Layout.Groups
	Dated bool
}

// Layout is the order in which a Camunda version snapshots its indices: priority groups of
// indices, and the parts that are taken from them one after another.
type Layout struct {
	Version string
	Groups  [][]Index
	Order   []PartSpec
}

// Part is one snapshot of a backup, before it is taken: the index expressions to send and
// what the presence check needs to know about them.
type Part struct {
	// Indices are the expressions sent in the snapshot request, in order: names, or for dated
	// parts pairs of "<main>*" and "-<main>" (every index of the template but the main one).
	Indices []string
	// Required are the concrete names that must exist.
	Required []string
	// Optional are the concrete names that may be absent (left out of the request if so).
	Optional []string
	// Dated is true for parts made of wildcard/exclusion pairs; the part is skipped when no
	// index matches them.
	Dated bool
}

// Parts returns the candidate parts of the layout for an index prefix, in order.
func (l Layout) Parts(prefix string) []Part {
	parts := make([]Part, 0, len(l.Order))
	for _, spec := range l.Order {
		var p Part
		for _, ix := range l.Groups[spec.Group] {
			name := ix.FullName(prefix)
			switch {
			case spec.Dated && ix.Template:
				p.Dated = true
				p.Indices = append(p.Indices, name+"*", "-"+name)
			case spec.Dated:
			case ix.Optional:
				p.Indices = append(p.Indices, name)
				p.Optional = append(p.Optional, name)
			default:
				p.Indices = append(p.Indices, name)
				p.Required = append(p.Required, name)
			}
		}
		if len(p.Indices) > 0 {
			parts = append(parts, p)
		}
	}
	return parts
}

// PresenceExpressions returns the expressions whose expansion tells which indices of the
// parts exist: every concrete name and every wildcard, without the exclusions (in one
// request an exclusion would also drop the main index named by an earlier part).
func PresenceExpressions(parts []Part) []string {
	var out []string
	for _, p := range parts {
		for _, e := range p.Indices {
			if !strings.HasPrefix(e, "-") {
				out = append(out, e)
			}
		}
	}
	return out
}

// Plan decides, from the indices that exist, which parts a backup takes. Optional names that
// are absent are left out of their part; a part left with nothing to snapshot is skipped (a
// dated part when no archived index exists). When required indices are absent the plan fails
// with ErrMissingIndices naming all of them, across every part.
func Plan(parts []Part, existing []string) ([]Part, error) {
	have := make(map[string]bool, len(existing))
	for _, name := range existing {
		have[name] = true
	}
	var missing []string
	planned := make([]Part, 0, len(parts))
	for _, p := range parts {
		for _, name := range p.Required {
			if !have[name] {
				missing = append(missing, name)
			}
		}
		if p.Dated {
			if anyArchived(p, existing) {
				planned = append(planned, p)
			}
			continue
		}
		kept := p
		kept.Indices = slices.DeleteFunc(slices.Clone(p.Indices), func(name string) bool {
			return slices.Contains(p.Optional, name) && !have[name]
		})
		if len(kept.Indices) > 0 {
			planned = append(planned, kept)
		}
	}
	if len(missing) > 0 {
		return nil, MissingIndices(missing)
	}
	return planned, nil
}

// anyArchived reports whether an existing index matches one of the part's "<main>*" wildcards
// without being that main index.
func anyArchived(p Part, existing []string) bool {
	for _, e := range p.Indices {
		main, ok := strings.CutSuffix(e, "*")
		if !ok {
			continue
		}
		for _, name := range existing {
			if name != main && strings.HasPrefix(name, main) {
				return true
			}
		}
	}
	return false
}

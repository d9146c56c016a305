package esemu

import (
	"slices"
	"testing"
)

// TestSimpleMatch checks the '*' matching of snapshot, repository and index names.
func TestSimpleMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"abc", "abc", true},
		{"abc", "abcd", false},
		{"", "", true},
		{"*", "", true},
		{"*", "anything", true},
		{"camunda_webapps_1_*", "camunda_webapps_1_8.8.0_part_1_of_5", true},
		{"camunda_webapps_1_*", "camunda_webapps_12_8.8.0_part_1_of_5", false},
		{"a*b", "ab", true},
		{"a*a", "a", false},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "acb", false},
		{"*b*", "abc", true},
		{"**", "x", true},
		{"a*bb", "abb", true},
		{"*_of_5", "part_1_of_5", true},
		{"*_of_5", "part_1_of_6", false},
	} {
		if got := simpleMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("simpleMatch(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

// TestNameSelectorPrefix checks which selectors narrow a listing to one name prefix.
func TestNameSelectorPrefix(t *testing.T) {
	for _, tc := range []struct {
		expr   string
		prefix string
		ok     bool
	}{
		{"camunda_webapps_1_*", "camunda_webapps_1_", true},
		{"snap-1", "snap-1", true},
		{"snap*,-snap-2", "snap", true},
		{"*", "", false},
		{"_all", "", false},
		{"", "", false},
		{"*-x", "", false},
		{"a*,b*", "", false},
		{"_current", "", false},
		{"a*,_current", "", false},
	} {
		prefix, ok := newNameSelector(splitList(tc.expr)).namePrefix()
		if prefix != tc.prefix || ok != tc.ok {
			t.Errorf("namePrefix of %q = %q, %v; want %q, %v", tc.expr, prefix, ok, tc.prefix, tc.ok)
		}
	}
}

// TestRepoDataNameOrder keeps the name index in step with adds and removes, a
// second snapshot of one name included, and finds every name of a prefix.
func TestRepoDataNameOrder(t *testing.T) {
	rd := &repoData{byName: map[string]*snapshot{}}
	snap := func(name string, start int64) *snapshot {
		return &snapshot{snapshotRecord: snapshotRecord{Name: name, Start: start}}
	}
	b12 := snap("b_12_part", 1)
	a1 := snap("a_1_part", 2)
	b1x := snap("b_1_x", 3)
	b1y := snap("b_1_y", 4)
	b1xAgain := snap("b_1_x", 5)
	c := snap("c", 6)
	for _, sn := range []*snapshot{b12, c, b1y, a1, b1x, b1xAgain} {
		rd.add(sn)
	}
	names := func(l []*snapshot) []string {
		var out []string
		for _, sn := range l {
			out = append(out, sn.Name)
		}
		return out
	}
	check := func(prefix string, want ...string) {
		t.Helper()
		if got := names(rd.withPrefix(prefix)); !slices.Equal(got, want) {
			t.Errorf("withPrefix(%q) = %v, want %v", prefix, got, want)
		}
	}
	check("b_1_", "b_1_x", "b_1_x", "b_1_y")
	check("b_1", "b_12_part", "b_1_x", "b_1_x", "b_1_y")
	check("a", "a_1_part")
	check("c", "c")
	check("d")
	check("", "a_1_part", "b_12_part", "b_1_x", "b_1_x", "b_1_y", "c")

	rd.remove(b1x)
	if got := rd.withPrefix("b_1_x"); len(got) != 1 || got[0] != b1xAgain {
		t.Errorf("after removing the first b_1_x, withPrefix kept %v, want only the second", names(got))
	}
	rd.remove(c)
	rd.remove(a1)
	check("", "b_12_part", "b_1_x", "b_1_y")
	if len(rd.snaps) != 3 {
		t.Errorf("snaps has %d snapshots after three removes of six, want 3", len(rd.snaps))
	}
}

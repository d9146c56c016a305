package backupapi

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestCamunda88Parts(t *testing.T) {
	parts := Camunda88.Parts("")
	if len(parts) != 7 {
		t.Fatalf("Camunda 8.8 has %d candidate parts, want 7", len(parts))
	}
	want := [][]string{
		{"operate-import-position-8.3.0_", "tasklist-import-position-8.2.0_"},
		{"operate-list-view-8.3.0_", "tasklist-task-8.8.0_"},
		{"operate-list-view-8.3.0_*", "-operate-list-view-8.3.0_", "tasklist-task-8.8.0_*", "-tasklist-task-8.8.0_"},
		{"operate-batch-operation-1.0.0_", "operate-operation-8.4.1_"},
	}
	for i, w := range want {
		if !slices.Equal(parts[i].Indices, w) {
			t.Errorf("part %d = %v, want %v", i+1, parts[i].Indices, w)
		}
	}
	counts := []int{2, 2, 4, 2, 13, 24, 14}
	for i, n := range counts {
		if got := len(parts[i].Indices); got != n {
			t.Errorf("part %d has %d expressions, want %d", i+1, got, n)
		}
	}
	if !parts[2].Dated || !parts[5].Dated || parts[4].Dated {
		t.Errorf("dated parts are 3 and 6 only")
	}
	if got := len(Camunda88.Indices("")); got != 33 {
		t.Errorf("Camunda 8.8 has %d main indices, want 33", got)
	}
	if slices.Contains(Camunda88.Indices(""), "operate-user-1.2.0_") {
		t.Errorf("operate-user is not an 8.8.0 index")
	}
	if !slices.Contains(parts[4].Indices, "camunda-correlated-message-subscription-8.8.0_") || !slices.Contains(parts[6].Indices, "camunda-usage-metric-tu-8.8.0_") {
		t.Errorf("8.8.0 indices are missing from parts 5 and 7")
	}
}

func TestLayoutIndexPrefix(t *testing.T) {
	parts := Camunda88.Parts("prod")
	if got := parts[0].Indices[0]; got != "prod-operate-import-position-8.3.0_" {
		t.Errorf("prefixed name = %q", got)
	}
	if got := parts[2].Indices[:2]; !slices.Equal(got, []string{"prod-operate-list-view-8.3.0_*", "-prod-operate-list-view-8.3.0_"}) {
		t.Errorf("prefixed dated pair = %v", got)
	}
	for _, p := range []string{"", " ", "\t"} {
		if got := Camunda88.Parts(p)[0].Indices[0]; got != "operate-import-position-8.3.0_" {
			t.Errorf("blank prefix %q gives %q", p, got)
		}
	}
}

func TestPresenceExpressionsDropExclusions(t *testing.T) {
	exprs := PresenceExpressions(Camunda88.Parts(""))
	for _, e := range exprs {
		if strings.HasPrefix(e, "-") {
			t.Fatalf("presence expressions contain exclusion %q", e)
		}
	}
	if got := len(exprs); got != 33+2+12 {
		t.Fatalf("%d presence expressions, want 47 (33 names and 14 wildcards)", got)
	}
}

func TestPlan(t *testing.T) {
	all := Camunda88.Indices("")
	withArchive := append(slices.Clone(all), "operate-list-view-8.3.0_2025-01-15", "operate-variable-8.3.0_2025-01-15")
	onlyFirstArchive := append(slices.Clone(all), "tasklist-task-8.8.0_2025-01-15")
	tests := []struct {
		desc     string
		existing []string
		parts    int
		missing  string
	}{
		{"no archived indices: 5 parts", all, 5, ""},
		{"archived indices of both kinds: 7 parts", withArchive, 7, ""},
		{"archived tasks only: 6 parts", onlyFirstArchive, 6, ""},
		{"missing required indices are all named", slices.DeleteFunc(slices.Clone(all), func(s string) bool {
			return s == "operate-import-position-8.3.0_" || s == "camunda-user-8.8.0_"
		}), 0, "Missing indices: [operate-import-position-8.3.0_, camunda-user-8.8.0_]"},
		{"nothing exists", nil, 0, "Missing indices: [operate-import-position-8.3.0_, tasklist-import-position-8.2.0_, "},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			plan, err := Plan(Camunda88.Parts(""), tt.existing)
			if tt.missing != "" {
				if !errors.Is(err, ErrMissingIndices) || !strings.HasPrefix(err.Error(), tt.missing) {
					t.Fatalf("Plan() error = %v, want ErrMissingIndices %q", err, tt.missing)
				}
				return
			}
			if err != nil || len(plan) != tt.parts {
				t.Fatalf("Plan() = %d parts, %v; want %d", len(plan), err, tt.parts)
			}
			for _, p := range plan {
				if len(p.Indices) == 0 {
					t.Fatalf("a planned part has no indices: Elasticsearch would snapshot every index")
				}
			}
		})
	}
}

func TestPlanOptionalIndices(t *testing.T) {
	layout := Layout{
		Groups: [][]Index{
			{{Component: "a", Name: "x", Version: "1"}, {Component: "a", Name: "opt", Version: "1", Optional: true}},
			{{Component: "b", Name: "only-optional", Version: "1", Optional: true}},
		},
		Order: []PartSpec{{Group: 0}, {Group: 1}},
	}
	plan, err := Plan(layout.Parts(""), []string{"a-x-1_"})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan) != 1 || !slices.Equal(plan[0].Indices, []string{"a-x-1_"}) {
		t.Fatalf("plan = %+v: an absent optional index is left out, a part of absent optional indices is skipped", plan)
	}
	plan, _ = Plan(layout.Parts(""), []string{"a-x-1_", "a-opt-1_", "b-only-optional-1_"})
	if len(plan) != 2 || len(plan[0].Indices) != 2 {
		t.Fatalf("plan = %+v: present optional indices are kept", plan)
	}
}

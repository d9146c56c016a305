package esemu

import (
	"cmp"
	"fmt"
	"strings"
	"testing"
)

// TestSnapshotGetSortKeys lists snapshots by every sort key Elasticsearch has, in both orders,
// from a sort value and page by page: ties break on the snapshot name, then the repository.
func TestSnapshotGetSortKeys(t *testing.T) {
	tg := newTarget(t)
	tg.setupRepo("sort_r1")
	tg.setupRepo("sort_r2")
	for name, shards := range map[string]int{"sort_a": 1, "sort_b": 2, "sort_c": 3} {
		tg.must(200, "PUT", "/"+name, map[string]any{"settings": map[string]any{"number_of_shards": shards, "number_of_replicas": 0}})
		t.Cleanup(func() { tg.do("DELETE", "/"+name, nil) })
	}
	if tg.srv != nil {
		// One shard of c-first fails: the only snapshot with a failed shard.
		tg.srv.Faults().FailSnapshots("c-first", "PARTIAL", "shard lost")
	}
	// Taken in this order, each key orders them differently:
	//   start_time: c-first, a-second, b-third
	//   name: a-second, b-third, c-first
	//   index_count (1, 3, 1): b-third, c-first, a-second
	//   shard_count (1, 6, 3): c-first, b-third, a-second
	for _, s := range []struct{ repo, name, indices string }{
		{"sort_r1", "c-first", "sort_a"},
		{"sort_r1", "a-second", "sort_a,sort_b,sort_c"},
		{"sort_r1", "b-third", "sort_c"},
		{"sort_r2", "a-other", "sort_b"},
	} {
		tg.must(200, "PUT", "/_snapshot/"+s.repo+"/"+s.name+"?wait_for_completion=true",
			map[string]any{"indices": s.indices, "partial": true})
	}
	list := func(query string) (names []string, next string) {
		t.Helper()
		r := tg.must(200, "GET", "/_snapshot/sort_r1/*?"+query, nil)
		for _, s := range r.body["snapshots"].([]any) {
			names = append(names, s.(map[string]any)["snapshot"].(string))
		}
		next, _ = r.body["next"].(string)
		return names, next
	}
	tests := []struct{ query, want string }{
		{"sort=start_time", "c-first,a-second,b-third"},
		{"", "c-first,a-second,b-third"}, // start_time is the default
		{"sort=start_time&order=desc", "b-third,a-second,c-first"},
		{"sort=name", "a-second,b-third,c-first"},
		{"sort=index_count", "b-third,c-first,a-second"},
		{"sort=index_count&order=desc", "a-second,c-first,b-third"},
		{"sort=shard_count", "c-first,b-third,a-second"},
		{"sort=shard_count&from_sort_value=3", "b-third,a-second"},
		{"sort=shard_count&order=desc&from_sort_value=3", "b-third,c-first"},
		{"sort=index_count&size=2", "b-third,c-first"},
		{"sort=index_count&size=2&offset=1", "c-first,a-second"},
		{"sort=repository", "a-second,b-third,c-first"}, // one repository: by name
	}
	if tg.srv != nil {
		tests = append(tests,
			struct{ query, want string }{"sort=failed_shard_count", "a-second,b-third,c-first"},
			struct{ query, want string }{"sort=failed_shard_count&order=desc", "c-first,b-third,a-second"},
		)
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			if got, _ := list(tc.query); strings.Join(got, ",") != tc.want {
				t.Fatalf("got %v, want %s", got, tc.want)
			}
		})
	}

	t.Run("duration follows the reported durations", func(t *testing.T) {
		for _, order := range []string{"asc", "desc"} {
			r := tg.must(200, "GET", "/_snapshot/sort_r1/*?sort=duration&order="+order, nil)
			type item struct {
				name string
				took float64
			}
			var got []item
			for _, s := range r.body["snapshots"].([]any) {
				m := s.(map[string]any)
				got = append(got, item{m["snapshot"].(string), m["duration_in_millis"].(float64)})
			}
			for i := 1; i < len(got); i++ {
				c := cmp.Or(cmp.Compare(got[i-1].took, got[i].took), strings.Compare(got[i-1].name, got[i].name))
				if (order == "asc" && c > 0) || (order == "desc" && c < 0) {
					t.Fatalf("order=%s: %v is out of order", order, got)
				}
			}
		}
	})

	t.Run("repositories in name order", func(t *testing.T) {
		r := tg.must(200, "GET", "/_snapshot/sort_r2,sort_r1/*?sort=repository", nil)
		var got []string
		for _, s := range r.body["snapshots"].([]any) {
			m := s.(map[string]any)
			got = append(got, fmt.Sprint(m["repository"], "/", m["snapshot"]))
		}
		want := "sort_r1/a-second,sort_r1/b-third,sort_r1/c-first,sort_r2/a-other"
		if strings.Join(got, ",") != want {
			t.Fatalf("got %v, want %s", got, want)
		}
	})

	t.Run("cursor paging by a numeric key", func(t *testing.T) {
		var seen []string
		query := "sort=shard_count&size=1"
		for range 10 {
			names, next := list(query)
			seen = append(seen, names...)
			if next == "" {
				break
			}
			query = "sort=shard_count&size=1&after=" + next
		}
		if strings.Join(seen, ",") != "c-first,b-third,a-second" {
			t.Fatalf("pages: %v", seen)
		}
	})
}

package reliability

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// loadClients is the number of concurrent clients of TestConcurrentClients.
const loadClients = 64

// loadDuration is how long TestConcurrentClients sends requests: RELIABILITY_LOAD_DURATION
// (a Go duration), 30s by default.
func loadDuration(t *testing.T) time.Duration {
	t.Helper()
	v := os.Getenv("RELIABILITY_LOAD_DURATION")
	if v == "" {
		return 30 * time.Second
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		t.Fatalf("RELIABILITY_LOAD_DURATION=%q is not a positive duration", v)
	}
	return d
}

// The statuses the contract allows each operation under this load: a create may meet another
// backup still running, a get or delete may come before its backup exists or after it is gone.
var allowedStatuses = map[string][]int{
	"create": {http.StatusOK, http.StatusBadRequest},
	"get":    {http.StatusOK, http.StatusNotFound},
	"list":   {http.StatusOK},
	"delete": {http.StatusNoContent, http.StatusNotFound},
}

// loadLog collects what the clients saw.
type loadLog struct {
	mu        sync.Mutex
	counts    map[string]int        // "op status" → requests
	completed map[backupapi.ID]bool // backups seen COMPLETED and not deleted since
	problems  []string
}

func (l *loadLog) record(op string, a answer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.counts[fmt.Sprintf("%s %d", op, a.Status)]++
	if !slices.Contains(allowedStatuses[op], a.Status) {
		l.problems = append(l.problems, fmt.Sprintf("%s answered %d: %s", op, a.Status, a.Body))
	}
	if op == "create" && a.Status == http.StatusBadRequest && a.Message != "Another backup is running at the moment" {
		l.problems = append(l.problems, "create refused for another reason than a running backup: "+a.Message)
	}
}

func (l *loadLog) problem(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.problems = append(l.problems, fmt.Sprintf(format, args...))
}

func (l *loadLog) setCompleted(id backupapi.ID, done bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if done {
		l.completed[id] = true
	} else {
		delete(l.completed, id)
	}
}

// TestConcurrentClients runs 64 clients against the reference server for the load duration,
// each on backup ids of its own, mixing creates, gets, lists and deletes. Every answer must be
// one the contract gives (no 5xx at all: Elasticsearch is healthy), a backup reported
// COMPLETED must hold every part in Elasticsearch, and afterwards every completed backup that
// was not deleted is restored with the standard restore API and has all its documents.
func TestConcurrentClients(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	duration := loadDuration(t)
	log := &loadLog{counts: map[string]int{}, completed: map[backupapi.ID]bool{}}
	deadline := time.Now().Add(duration)

	var wg sync.WaitGroup
	for c := range loadClients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(c), 1))
			// Client c owns the ids c+1, c+1+64, c+1+128, ...
			for id := backupapi.ID(c + 1); time.Now().Before(deadline); id += loadClients {
				runClient(t, s, log, rng, id, deadline)
			}
		})
	}
	wg.Wait()

	log.mu.Lock()
	defer log.mu.Unlock()
	t.Logf("%d clients for %s: %v", loadClients, duration, log.counts)
	for _, p := range log.problems {
		t.Error(p)
	}
	if log.counts["create 200"] == 0 {
		t.Fatal("no backup was created under load")
	}
	ids := make([]backupapi.ID, 0, len(log.completed))
	for id := range log.completed {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	t.Logf("restoring the %d completed backups that were not deleted", len(ids))
	for _, id := range ids {
		checkRestorable(t, s, id)
	}
}

// runClient takes one turn of a client on backup id: it tries to create it, reads it and the
// list while it runs, waits for it to finish, and sometimes deletes it.
func runClient(t *testing.T, s *stack, log *loadLog, rng *rand.Rand, id backupapi.ID, deadline time.Time) {
	one := "/actuator/backupHistory/" + id.String()
	call := func(op, method, path, body string) (answer, bool) {
		a, err := request(s.api.URL, method, path, body)
		if err != nil {
			log.problem("%s of backup %s: %v", op, id, err)
			return a, false
		}
		log.record(op, a)
		return a, true
	}
	a, ok := call("create", http.MethodPost, "/actuator/backupHistory", `{"backupId": `+id.String()+`}`)
	if !ok {
		return
	}
	created := a.Status == http.StatusOK
	for time.Now().Before(deadline) {
		op, path := "get", one
		if rng.IntN(4) == 0 {
			op, path = "list", "/actuator/backupHistory?pattern="+id.String()
		}
		if a, ok = call(op, http.MethodGet, path, ""); !ok {
			return
		}
		if !created || a.Status != http.StatusOK {
			if created && op == "get" {
				log.problem("backup %s was created, then get answered %d: %s", id, a.Status, a.Body)
			}
			return
		}
		b, err := readState(op, a.Body)
		if err != nil {
			log.problem("%s of backup %s: %v", op, id, err)
			return
		}
		if !b.State.Terminal() {
			continue
		}
		if b.State != backupapi.StateCompleted {
			log.problem("backup %s ended %s under load: %s", id, b.State, b.FailureReason)
			return
		}
		truth, err := s.driver.Get(t.Context(), id)
		if err != nil || truth.State != backupapi.StateCompleted || len(truth.Snapshots) != len(b.Snapshots) {
			log.problem("backup %s reported COMPLETED with %d parts; Elasticsearch holds %v (%v)", id, len(b.Snapshots), truth.Snapshots, err)
			return
		}
		log.setCompleted(id, true)
		if rng.IntN(3) == 0 {
			if a, ok = call("delete", http.MethodDelete, one, ""); !ok {
				return
			}
			if a.Status != http.StatusNoContent {
				log.problem("delete of completed backup %s answered %d: %s", id, a.Status, a.Body)
				return
			}
			log.setCompleted(id, false)
			if a, ok = call("get", http.MethodGet, one, ""); ok && a.Status != http.StatusNotFound {
				log.problem("backup %s deleted, then get answered %d: %s", id, a.Status, a.Body)
			}
		}
		return
	}
}

// readState reads the backup of a get answer, or the only backup of a list answer.
func readState(op, body string) (backupapi.Backup, error) {
	var b backupapi.Backup
	if op == "get" {
		return b, b.UnmarshalJSON([]byte(body))
	}
	var list []backupapi.Backup
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		return b, err
	}
	if len(list) != 1 {
		return b, fmt.Errorf("the list of one backup has %d entries: %s", len(list), body)
	}
	return list[0], nil
}

// checkRestorable restores every part of the backup into renamed indices and checks that
// each index of the data set comes back with its documents, then removes the copies.
func checkRestorable(t *testing.T, s *stack, id backupapi.ID) {
	t.Helper()
	b, err := s.driver.Get(t.Context(), id)
	if err != nil || b.State != backupapi.StateCompleted {
		t.Errorf("backup %s before its restore: %s, %v", id, b.State, err)
		return
	}
	es := s.be.ES
	for _, name := range b.SnapshotNames() {
		res, err := es.Snapshot.Restore(repo, name,
			es.Snapshot.Restore.WithWaitForCompletion(true),
			es.Snapshot.Restore.WithBody(strings.NewReader(
				`{"include_global_state":false,"rename_pattern":"(.+)","rename_replacement":"restored-$1"}`)))
		if err != nil {
			t.Fatalf("restore %s: %v", name, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.IsError() {
			t.Errorf("restore %s of backup %s: %s %s", name, id, res.Status(), body)
			return
		}
	}
	res, err := es.Cat.Indices(es.Cat.Indices.WithIndex("restored-*"), es.Cat.Indices.WithFormat("json"),
		es.Cat.Indices.WithH("index", "docs.count"))
	if err != nil {
		t.Fatal(err)
	}
	var restored []struct {
		Index string `json:"index"`
		Docs  string `json:"docs.count"`
	}
	err = json.NewDecoder(res.Body).Decode(&restored)
	res.Body.Close()
	if err != nil {
		t.Fatalf("read the restored indices: %v", err)
	}
	got := map[string]string{}
	copies := make([]string, 0, len(restored))
	for _, r := range restored {
		got[strings.TrimPrefix(r.Index, "restored-")] = r.Docs
		copies = append(copies, r.Index)
	}
	for _, index := range s.indices {
		if got[index] != "3" {
			t.Errorf("backup %s: index %s restored with %q documents, want 3", id, index, got[index])
		}
	}
	s.be.DeleteIndices(t, copies...) // by name: Elasticsearch refuses wildcard deletes by default
}

package server_test

import (
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// TestZeebeConcurrentTakes: 50 takes with growing ids sent at once. Every answer is 202 or
// 409; the latest checkpoint is the largest accepted id; every refused id is below an
// accepted one (so a 409 was right); every accepted backup completes.
func TestZeebeConcurrentTakes(t *testing.T) {
	f := newZeebe(t, func(c *server.ZeebeConfig) { c.BackupDuration = 5 * time.Millisecond })
	const n = 50
	statuses := make([]int, n+1)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for id := 1; id <= n; id++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			statuses[id] = do(t, http.MethodPost, f.url+"/actuator/backupRuntime", `{"backupId": `+strconv.Itoa(id)+`}`).status
		}()
	}
	close(start)
	wg.Wait()
	var accepted []int
	for id := 1; id <= n; id++ {
		switch statuses[id] {
		case http.StatusAccepted:
			accepted = append(accepted, id)
		case http.StatusConflict:
		default:
			t.Fatalf("backup %d answered %d", id, statuses[id])
		}
	}
	if len(accepted) == 0 {
		t.Fatal("no take was accepted")
	}
	largest := accepted[len(accepted)-1]
	if got := f.z.LatestCheckpoint(); got != backupapi.ID(largest) {
		t.Fatalf("latest checkpoint %d, want the largest accepted id %d", got, largest)
	}
	for id := 1; id <= n; id++ {
		if statuses[id] == http.StatusConflict && id > largest {
			t.Fatalf("backup %d got 409 although no accepted id is as large", id)
		}
	}
	for _, id := range accepted {
		f.waitRuntime(t, strconv.Itoa(id), backupapi.StateCompleted)
	}
	t.Logf("%d of %d takes accepted", len(accepted), n)
}

package provider

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// countingClient is a backupapi.Client over a map of backups that counts its calls.
type countingClient struct {
	mu      sync.Mutex
	backups map[backupapi.ID]backupapi.Backup
	// listed, when not nil, is what List answers instead of the map (a list taken earlier).
	listed       []backupapi.Backup
	gets, lists  int
	listErr      error
	deletes      int
	beforeReturn func() // runs inside List before it returns
}

func (c *countingClient) Create(context.Context, backupapi.ID) ([]string, error) { return nil, nil }

func (c *countingClient) Get(_ context.Context, id backupapi.ID) (backupapi.Backup, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gets++
	b, ok := c.backups[id]
	if !ok {
		return b, &backupapi.Error{Kind: backupapi.ErrNotFound, Message: "no backup " + id.String()}
	}
	return b, nil
}

func (c *countingClient) List(context.Context, backupapi.ListOptions) ([]backupapi.Backup, error) {
	c.mu.Lock()
	c.lists++
	var out []backupapi.Backup
	if c.listed != nil {
		out = c.listed
	} else {
		for _, b := range c.backups {
			out = append(out, b)
		}
	}
	hook, err := c.beforeReturn, c.listErr
	c.mu.Unlock()
	if hook != nil {
		hook()
	}
	return out, err
}

func (c *countingClient) Delete(_ context.Context, id backupapi.ID) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.deletes++
	delete(c.backups, id)
	return nil
}

func completedBackups(n int) map[backupapi.ID]backupapi.Backup {
	m := map[backupapi.ID]backupapi.Backup{}
	for i := 1; i <= n; i++ {
		id := backupapi.ID(i)
		var parts []backupapi.Snapshot
		for p := 1; p <= 3; p++ {
			md := backupapi.Metadata{BackupID: id, Version: "8.8.0", PartNo: p, PartCount: 3}
			parts = append(parts, backupapi.Snapshot{Name: md.SnapshotName(), State: backupapi.SnapshotSuccess, Metadata: md})
		}
		m[id] = backupapi.Backup{ID: id, State: backupapi.StateCompleted, Snapshots: parts}
	}
	return m
}

// TestRefreshCache reads backups as a refresh does and checks which requests answer them.
func TestRefreshCache(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// setup prepares the client and the cache before the reads of ids.
		setup     func(c *countingClient, rc *refreshCache, clock *time.Time)
		ids       []backupapi.ID
		wantGets  int
		wantLists int
		// wantState, when set, is the state every read must return.
		wantState backupapi.State
		wantErr   error
		// wantPartOrder checks that every backup's snapshots are in part order.
		wantPartOrder bool
	}{
		{
			name: "a plan of many backups lists once", ids: idsUpTo(50),
			wantGets: refreshListAfter, wantLists: 1, wantState: backupapi.StateCompleted,
		},
		{
			name: "a plan of few backups keeps its GETs", ids: idsUpTo(refreshListAfter),
			wantGets: refreshListAfter, wantLists: 0, wantState: backupapi.StateCompleted,
		},
		{
			name: "a running backup is read with a GET",
			setup: func(c *countingClient, _ *refreshCache, _ *time.Time) {
				for id, b := range c.backups {
					b.State = backupapi.StateInProgress
					c.backups[id] = b
				}
			},
			ids: idsUpTo(10), wantGets: 10, wantLists: 1, wantState: backupapi.StateInProgress,
		},
		{
			name: "a broken backup is read with a GET",
			setup: func(c *countingClient, _ *refreshCache, _ *time.Time) {
				for id, b := range c.backups {
					b.State = backupapi.StateIncomplete
					c.backups[id] = b
				}
			},
			ids: idsUpTo(10), wantGets: 10, wantLists: 1, wantState: backupapi.StateIncomplete,
		},
		{
			name: "parts listed newest first are answered in part order",
			setup: func(c *countingClient, _ *refreshCache, _ *time.Time) {
				for _, b := range c.backups {
					b.Snapshots = slices.Clone(b.Snapshots)
					slices.Reverse(b.Snapshots)
					c.listed = append(c.listed, b)
				}
			},
			ids: idsUpTo(10), wantGets: refreshListAfter, wantLists: 1, wantState: backupapi.StateCompleted, wantPartOrder: true,
		},
		{
			name: "a backup missing from the list is confirmed by a GET",
			setup: func(c *countingClient, _ *refreshCache, _ *time.Time) {
				c.listed = []backupapi.Backup{}
				delete(c.backups, 5)
			},
			ids: []backupapi.ID{1, 2, 3, 4, 5}, wantGets: 5, wantLists: 1, wantErr: backupapi.ErrNotFound,
		},
		{
			name: "a failed list leaves the reads to GETs and is not retried at once",
			setup: func(c *countingClient, _ *refreshCache, _ *time.Time) {
				c.listErr = errors.New("connection refused")
			},
			ids: idsUpTo(20), wantGets: 20, wantLists: 1, wantState: backupapi.StateCompleted,
		},
		{
			name: "a list that overlapped a write is not kept",
			setup: func(c *countingClient, rc *refreshCache, _ *time.Time) {
				c.beforeReturn = func() { _ = rc.Delete(ctx, 99) }
			},
			ids: idsUpTo(20), wantGets: 20, wantLists: 1, wantState: backupapi.StateCompleted,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &countingClient{backups: completedBackups(50)}
			clock := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
			rc := newRefreshCache(c)
			rc.now = func() time.Time { return clock }
			if tt.setup != nil {
				tt.setup(c, rc, &clock)
			}
			for _, id := range tt.ids {
				b, err := rc.RefreshGet(ctx, id)
				if tt.wantErr != nil && id == tt.ids[len(tt.ids)-1] {
					if !errors.Is(err, tt.wantErr) {
						t.Errorf("backup %s: error %v, want %v", id, err, tt.wantErr)
					}
					continue
				}
				if err != nil || b.ID != id || (tt.wantState != "" && b.State != tt.wantState) {
					t.Errorf("backup %s: %+v, %v", id, b, err)
				}
				if want := c.backups[id].SnapshotNames(); tt.wantPartOrder && !slices.Equal(b.SnapshotNames(), want) {
					t.Errorf("backup %s: snapshots %v, want %v", id, b.SnapshotNames(), want)
				}
			}
			if c.gets != tt.wantGets || c.lists != tt.wantLists {
				t.Errorf("%d GETs and %d lists, want %d and %d", c.gets, c.lists, tt.wantGets, tt.wantLists)
			}
		})
	}
}

// TestRefreshCacheForgets checks that a write empties the cache and that a list answers only
// for refreshTTL: later reads use GETs (and may list again).
func TestRefreshCacheForgets(t *testing.T) {
	ctx := context.Background()
	c := &countingClient{backups: completedBackups(20)}
	clock := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	rc := newRefreshCache(c)
	rc.now = func() time.Time { return clock }
	for _, id := range idsUpTo(10) {
		if _, err := rc.RefreshGet(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if c.lists != 1 {
		t.Fatalf("%d lists, want 1", c.lists)
	}
	if err := rc.Delete(ctx, 10); err != nil {
		t.Fatal(err)
	}
	gets := c.gets
	if _, err := rc.RefreshGet(ctx, 10); !errors.Is(err, backupapi.ErrNotFound) {
		t.Errorf("backup 10 after its delete: %v, want not found", err)
	}
	if _, err := rc.RefreshGet(ctx, 9); err != nil || c.gets != gets+2 {
		t.Errorf("after a delete the reads use GETs: %d GETs, want %d (%v)", c.gets-gets, 2, err)
	}
	clock = clock.Add(refreshTTL)
	gets, lists := c.gets, c.lists
	for _, id := range idsUpTo(9) {
		if _, err := rc.RefreshGet(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if c.lists != lists+1 || c.gets != gets+refreshListAfter {
		t.Errorf("a refresh after the list expired: %d GETs and %d lists, want %d and 1", c.gets-gets, c.lists-lists, refreshListAfter)
	}
}

// idsUpTo are the backup ids 1 to n.
func idsUpTo(n int) []backupapi.ID {
	var out []backupapi.ID
	for i := 1; i <= n; i++ {
		out = append(out, backupapi.ID(i))
	}
	return out
}

// TestRefreshCacheConcurrentReads reads as terraform refreshes, ten at a time: every read
// gets its own backup, and the backups are listed once.
func TestRefreshCacheConcurrentReads(t *testing.T) {
	c := &countingClient{backups: completedBackups(100)}
	rc := newRefreshCache(c)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	sem := make(chan struct{}, 10)
	for _, id := range idsUpTo(100) {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			b, err := rc.RefreshGet(context.Background(), id)
			if err == nil && (b.ID != id || !slices.Equal(b.SnapshotNames(), c.backups[id].SnapshotNames())) {
				err = errors.New("backup " + id.String() + " read as " + b.ID.String())
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if c.lists != 1 || c.gets > 20 {
		t.Errorf("%d lists and %d GETs, want 1 list and few GETs", c.lists, c.gets)
	}
}

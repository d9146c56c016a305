package provider

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// A terraform plan refreshes every camunda_webapp_backup of a configuration, one Read each,
// within a moment. refreshCache answers those Reads from one list of every backup instead of
// one request each, once a few Reads have come in a short time (a plan of one or two backups
// keeps its single GETs: a list of a repository of many backups would cost more).
//
// What keeps it correct:
//   - it is filled and used only within one provider process, for refreshTTL after the list;
//   - any write through the provider process (create, delete) empties it, and a list that
//     overlapped a write is not kept;
//   - only COMPLETED backups are answered from it, their snapshots put in part order: Camunda's
//     list gives a backup's parts newest first and applies its state rules to them in that
//     order, so a backup in any other state (running, or broken, which plans a replacement)
//     is read with a GET, as is one whose part numbers are not all known;
//   - it never reports a backup as not found: a backup missing from the list is read with a
//     GET, which decides whether it leaves the state.
//
// Every other caller (data sources, the procedures) reads through Get, which is never cached.

// Limits of the refresh cache.
const (
	// refreshTTL is how long a list answers Reads.
	refreshTTL = 5 * time.Second
	// refreshListAfter is how many Reads within refreshTTL make the next one list.
	refreshListAfter = 3
)

// refreshCache is a backupapi.Client whose RefreshGet answers from a short-lived list.
type refreshCache struct {
	backupapi.Client
	now func() time.Time

	mu sync.Mutex
	// generation counts writes; a list started in another generation is not kept.
	generation uint64
	backups    map[backupapi.ID]backupapi.Backup
	listed     time.Time // when backups was listed; zero: no list
	listing    bool      // a list is under way
	tried      time.Time // when the last list started
	reads      []time.Time
}

var _ backupapi.Client = (*refreshCache)(nil)

// newRefreshCache wraps c.
func newRefreshCache(c backupapi.Client) *refreshCache {
	return &refreshCache{Client: c, now: time.Now}
}

// Create starts backup id, emptying the cache.
func (c *refreshCache) Create(ctx context.Context, id backupapi.ID) ([]string, error) {
	c.invalidate()
	defer c.invalidate()
	return c.Client.Create(ctx, id)
}

// Delete deletes backup id, emptying the cache.
func (c *refreshCache) Delete(ctx context.Context, id backupapi.ID) error {
	c.invalidate()
	defer c.invalidate()
	return c.Client.Delete(ctx, id)
}

func (c *refreshCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generation++
	c.backups, c.listed = nil, time.Time{}
}

// RefreshGet returns backup id for a refresh: from the cache when it holds the backup
// finished, otherwise with a GET. It may list every backup first (see refreshCache).
func (c *refreshCache) RefreshGet(ctx context.Context, id backupapi.ID) (backupapi.Backup, error) {
	if b, ok := c.cached(id); ok {
		return b, nil
	}
	if c.shouldList() {
		c.list(ctx)
		if b, ok := c.cached(id); ok {
			return b, nil
		}
	}
	return c.Get(ctx, id)
}

// cached returns backup id from a current list, when the list has it COMPLETED.
func (c *refreshCache) cached(id backupapi.ID) (backupapi.Backup, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.backups == nil || c.now().Sub(c.listed) >= refreshTTL {
		return backupapi.Backup{}, false
	}
	b, ok := c.backups[id]
	return b, ok
}

// shouldList counts a Read and reports whether this one lists: enough Reads came within
// refreshTTL, no list is under way, and none started within refreshTTL.
func (c *refreshCache) shouldList() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	recent := c.reads[:0]
	for _, t := range c.reads {
		if now.Sub(t) < refreshTTL {
			recent = append(recent, t)
		}
	}
	c.reads = append(recent, now)
	if len(c.reads) > refreshListAfter+1 {
		// Only whether more than refreshListAfter Reads came matters: keep the latest.
		c.reads = append(c.reads[:0], c.reads[len(c.reads)-refreshListAfter-1:]...)
	}
	if c.listing || len(c.reads) <= refreshListAfter || (!c.tried.IsZero() && now.Sub(c.tried) < refreshTTL) {
		return false
	}
	c.listing, c.tried = true, now
	return true
}

// list fills the cache with every backup. A failed list leaves it empty: the Reads go on
// with GETs.
func (c *refreshCache) list(ctx context.Context) {
	c.mu.Lock()
	generation, started := c.generation, c.now()
	c.mu.Unlock()
	all, err := c.List(ctx, backupapi.ListOptions{Verbose: true})
	c.mu.Lock()
	defer c.mu.Unlock()
	c.listing = false
	if err != nil || generation != c.generation {
		return
	}
	c.backups = make(map[backupapi.ID]backupapi.Backup, len(all))
	for _, b := range all {
		if b, ok := inPartOrder(b); ok && b.State == backupapi.StateCompleted {
			c.backups[b.ID] = b
		}
	}
	c.listed = started
}

// inPartOrder is b with its snapshots ordered by part number; false when a part number is
// unknown.
func inPartOrder(b backupapi.Backup) (backupapi.Backup, bool) {
	for _, s := range b.Snapshots {
		if s.Metadata.PartNo < 1 {
			return b, false
		}
	}
	b.Snapshots = slices.Clone(b.Snapshots)
	slices.SortStableFunc(b.Snapshots, func(x, y backupapi.Snapshot) int { return cmp.Compare(x.Metadata.PartNo, y.Metadata.PartNo) })
	return b, true
}

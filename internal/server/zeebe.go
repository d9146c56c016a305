package server

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// Defaults of the emulated Zeebe.
const (
	DefaultPartitions          = 3
	DefaultZeebeBackupDuration = 2 * time.Second
	DefaultBrokerVersion       = "8.8.0"
)

// ZeebeConfig configures the emulated Zeebe: a one-broker cluster (node 0) that leads every
// partition. It holds no process data: it reproduces the management API (checkpoints,
// backups, exporting control) and the layout of the filesystem backup store.
type ZeebeConfig struct {
	// Partitions is the partition count; default DefaultPartitions.
	Partitions int
	// BackupDuration is how long each partition's backup runs after the checkpoint;
	// 0: DefaultZeebeBackupDuration; negative: none.
	BackupDuration time.Duration
	// BrokerVersion is the version written into manifests; default DefaultBrokerVersion.
	BrokerVersion string
	// StateDir keeps the broker state that survives restarts (each partition's latest
	// checkpoint, its .exporterPaused file). Empty: in memory only.
	StateDir string
	// StorePath is the base path of the filesystem backup store
	// (camunda.data.backup.filesystem.base-path). Empty: no store (store NONE), and every
	// backup call answers 400.
	StorePath string
	// Faults are the injected faults; nil: none.
	Faults *Faults
	// Logger receives the emulator's logs; nil discards them.
	Logger *slog.Logger
	// now is the clock; nil: time.Now.
	now func() time.Time
}

// nodeID is the emulated broker's node id.
const nodeID = 0

// gatewayStatus is the HTTP status an error of the emulated gateway answers with, where the
// error kind alone does not tell it (502, 503 and 504 are all ErrUnavailable).
type gatewayStatus int

func (s gatewayStatus) Error() string { return strconv.Itoa(int(s)) }

func gatewayError(status int, format string, args ...any) error {
	return backupapi.Unavailable(gatewayStatus(status), format, args...)
}

// statusOf is the status of an error of the emulated components.
func statusOf(err error) int {
	var gs gatewayStatus
	if errors.As(err, &gs) {
		return int(gs)
	}
	return backupapi.HTTPStatus(err)
}

// partitionState is what a partition keeps in its runtime state.
type partitionState struct {
	CheckpointID       int64 `json:"checkpointId"`
	CheckpointPosition int64 `json:"checkpointPosition"`
	// Position is the emulated log's last position (it grows with every checkpoint).
	Position int64 `json:"position"`
}

// Zeebe is the emulated Zeebe cluster. It implements backupapi.ZeebeBackups and
// backupapi.Exporting. Safe for concurrent use.
type Zeebe struct {
	cfg    ZeebeConfig
	faults *Faults
	log    *slog.Logger

	mu         sync.Mutex
	partitions []partitionState
	phases     []backupapi.ExporterPhase
	running    map[backupapi.ID]context.CancelFunc
	closed     bool
	wg         sync.WaitGroup
}

var (
	_ backupapi.ZeebeBackups = (*Zeebe)(nil)
	_ backupapi.Exporting    = (*Zeebe)(nil)
)

// NewZeebe starts the emulated Zeebe: it loads the persisted state and fails the backups this
// node left IN_PROGRESS (as a new leader does after a restart).
func NewZeebe(cfg ZeebeConfig) (*Zeebe, error) {
	if cfg.Partitions == 0 {
		cfg.Partitions = DefaultPartitions
	}
	if cfg.Partitions < 0 || cfg.Partitions > 1000 {
		return nil, fmt.Errorf("the partition count must be between 1 and 1000, got %d", cfg.Partitions)
	}
	if cfg.BackupDuration == 0 {
		cfg.BackupDuration = DefaultZeebeBackupDuration
	}
	if cfg.BrokerVersion == "" {
		cfg.BrokerVersion = DefaultBrokerVersion
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	z := &Zeebe{cfg: cfg, faults: cfg.Faults, log: cfg.Logger, running: map[backupapi.ID]context.CancelFunc{},
		partitions: make([]partitionState, cfg.Partitions), phases: make([]backupapi.ExporterPhase, cfg.Partitions)}
	if z.faults == nil {
		z.faults = &Faults{}
	}
	for i := range z.phases {
		z.phases[i] = backupapi.PhaseExporting
		z.partitions[i].Position = 1
	}
	if err := z.load(); err != nil {
		return nil, err
	}
	if err := z.failInterrupted(); err != nil {
		return nil, err
	}
	return z, nil
}

// Faults returns the injected faults, to change them.
func (z *Zeebe) Faults() *Faults { return z.faults }

// Partitions is the partition count.
func (z *Zeebe) Partitions() int { return z.cfg.Partitions }

// Close stops the running backups (they stay IN_PROGRESS in the store, and are failed at
// the next start, as after a leader change) and waits for their workers.
func (z *Zeebe) Close() error {
	z.mu.Lock()
	z.closed = true
	for _, cancel := range z.running {
		cancel()
	}
	z.mu.Unlock()
	z.wg.Wait()
	return nil
}

// LatestCheckpoint is the largest latest checkpoint of the partitions (0: none yet).
func (z *Zeebe) LatestCheckpoint() backupapi.ID {
	z.mu.Lock()
	defer z.mu.Unlock()
	var latest int64
	for _, p := range z.partitions {
		latest = max(latest, p.CheckpointID)
	}
	return backupapi.ID(latest)
}

// statePath is the file of the partitions' checkpoint state.
func (z *Zeebe) statePath() string { return filepath.Join(z.cfg.StateDir, "checkpoints.json") }

// pausedPath is a partition's .exporterPaused file, in the partition's data directory as
// Zeebe keeps it.
func (z *Zeebe) pausedPath(partition int) string {
	return filepath.Join(z.cfg.StateDir, "partitions", strconv.Itoa(partition), ".exporterPaused")
}

// load reads the persisted checkpoints and exporter phases.
func (z *Zeebe) load() error {
	if z.cfg.StateDir == "" {
		return nil
	}
	data, err := os.ReadFile(z.statePath())
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return fmt.Errorf("read the Zeebe state: %w", err)
	default:
		var saved map[string]partitionState
		if err := json.Unmarshal(data, &saved); err != nil {
			return fmt.Errorf("read the Zeebe state %s: %w", z.statePath(), err)
		}
		for i := range z.partitions {
			if p, ok := saved[strconv.Itoa(i+1)]; ok {
				z.partitions[i] = p
			}
		}
	}
	for i := range z.phases {
		content, err := os.ReadFile(z.pausedPath(i + 1))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("read the exporter state of partition %d: %w", i+1, err)
		}
		if z.phases[i], err = backupapi.ParsePausedFile(string(content)); err != nil {
			return fmt.Errorf("partition %d: %w", i+1, err)
		}
	}
	return nil
}

// saveLocked persists the checkpoints; z.mu is held.
func (z *Zeebe) saveLocked() error {
	if z.cfg.StateDir == "" {
		return nil
	}
	saved := make(map[string]partitionState, len(z.partitions))
	for i, p := range z.partitions {
		saved[strconv.Itoa(i+1)] = p
	}
	data, err := json.Marshal(saved)
	if err != nil {
		return fmt.Errorf("encode the Zeebe state: %w", err)
	}
	return writeFileAtomic(z.statePath(), data)
}

// gatewayCheck applies the faults every backup call meets at the gateway.
func (z *Zeebe) gatewayCheck() error {
	f := z.faults.Get()
	switch {
	case f.ZeebeMissingPartitions > 0:
		found := max(z.cfg.Partitions-f.ZeebeMissingPartitions, 0)
		return gatewayError(502, "Expected to send request to all %d partitions, but found only %d partitions in topology.", z.cfg.Partitions, found)
	case f.ZeebeUnreachable:
		return gatewayError(502, "Failed to send request from gateway to broker.Connection refused: broker 0")
	case f.ZeebeTimeout:
		return gatewayError(504, "Request from gateway to broker timed out. Request timed out after PT15S")
	}
	if z.cfg.StorePath == "" {
		return backupapi.ZeebeNoStore()
	}
	return nil
}

// Take takes runtime backup id: every partition creates the checkpoint when id is greater
// than its latest, and the combined answer follows Zeebe's gateway. On success each
// partition's backup runs in the background for the configured duration; the IN_PROGRESS
// manifests are written before Take returns (Zeebe writes them a moment later, so its GET
// can briefly answer 404: ours does not).
func (z *Zeebe) Take(_ context.Context, id backupapi.ID) error {
	if id <= 0 {
		return backupapi.Invalidf(backupapi.MsgZeebeInvalidID)
	}
	if err := z.gatewayCheck(); err != nil {
		return err
	}
	f := z.faults.Get()
	if f.ZeebeDiskFull {
		return gatewayError(503, "Cannot accept requests for partition 1. Broker is out of disk space")
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.closed {
		return gatewayError(502, "Failed to send request from gateway to broker.The broker is shutting down")
	}
	replies := make([]backupapi.CheckpointReply, len(z.partitions))
	before := slices.Clone(z.partitions)
	for i := range z.partitions {
		p := &z.partitions[i]
		if backupapi.AcceptsCheckpoint(backupapi.ID(p.CheckpointID), id) {
			p.Position += 2 // the checkpoint record, after the records since the last one
			p.CheckpointID, p.CheckpointPosition = int64(id), p.Position
			replies[i] = backupapi.CheckpointReply{Created: true, CheckpointID: id}
		} else {
			replies[i] = backupapi.CheckpointReply{CheckpointID: backupapi.ID(p.CheckpointID)}
		}
	}
	err := backupapi.CombineCheckpointReplies(id, replies)
	if serr := z.saveLocked(); serr != nil {
		z.partitions = before
		return backupapi.Internal(serr, "Failed to persist the checkpoint of backup %d", int64(id))
	}
	if err != nil {
		return err
	}
	now := z.cfg.now().UTC()
	if f.ZeebeScaling {
		// The checkpoint is created, so the id is used up, and the backup is recorded FAILED.
		for i := range z.partitions {
			m := z.newManifest(i+1, id, now)
			m.fail(backupapi.MsgZeebeScalingReason, now)
			if err := z.writeManifest(m); err != nil {
				z.log.Error("write manifest", "backup", id, "partition", i+1, "err", err)
			}
		}
		return &backupapi.Error{Kind: backupapi.ErrConflict, Message: backupapi.MsgZeebeScaling}
	}
	ctx, cancel := context.WithCancel(context.Background())
	z.running[id] = cancel
	for i := range z.partitions {
		m := z.newManifest(i+1, id, now)
		if err := z.writeManifest(m); err != nil {
			m.fail(err.Error(), now)
			z.log.Error("write manifest", "backup", id, "partition", i+1, "err", err)
			continue
		}
		z.wg.Add(1)
		go z.runPartitionBackup(ctx, m, f.FailPartitions)
	}
	z.log.Info("zeebe backup scheduled", "backup", id, "partitions", len(z.partitions))
	return nil
}

// runPartitionBackup is one partition's backup after the checkpoint: it waits the backup's
// duration, copies the (emulated) snapshot and segments and marks the manifest COMPLETED,
// or FAILED when a fault says so. A delete or shutdown stops it.
func (z *Zeebe) runPartitionBackup(ctx context.Context, m *manifest, failures map[int]string) {
	defer z.wg.Done()
	if d := z.cfg.BackupDuration; d > 0 {
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	if ctx.Err() != nil {
		return
	}
	now := z.cfg.now().UTC()
	if reason, failed := failures[m.ID.PartitionID]; failed {
		if reason == "" {
			reason = "java.io.IOException: No space left on device"
		}
		m.fail(reason, now)
	} else if err := z.writeContents(m); err != nil {
		m.fail(err.Error(), now)
	} else {
		m.StatusCode, m.ModifiedAt = "COMPLETED", now
	}
	if err := z.writeManifest(m); err != nil {
		z.log.Error("write manifest", "backup", m.ID.CheckpointID, "partition", m.ID.PartitionID, "err", err)
	}
	z.finishLocked(backupapi.ID(m.ID.CheckpointID))
	z.log.Info("zeebe partition backup finished", "backup", m.ID.CheckpointID, "partition", m.ID.PartitionID, "state", m.StatusCode)
}

// finishLocked forgets a running backup once none of its partitions runs any more.
func (z *Zeebe) finishLocked(id backupapi.ID) {
	for p := 1; p <= z.cfg.Partitions; p++ {
		if m, err := z.readManifest(p, id); err == nil && m.StatusCode == "IN_PROGRESS" {
			return
		}
	}
	if cancel, ok := z.running[id]; ok {
		cancel()
		delete(z.running, id)
	}
}

// failInterrupted marks FAILED every backup this node left IN_PROGRESS, as Zeebe does after
// a leader change.
func (z *Zeebe) failInterrupted() error {
	if z.cfg.StorePath == "" {
		return nil
	}
	now := z.cfg.now().UTC()
	for p := 1; p <= z.cfg.Partitions; p++ {
		ids, err := z.storedIDs(p)
		if err != nil {
			return err
		}
		for _, id := range ids {
			m, err := z.readManifest(p, id)
			if err != nil || m.StatusCode != "IN_PROGRESS" {
				continue
			}
			m.fail(backupapi.MsgZeebeCancelledReason, now)
			if err := z.writeManifest(m); err != nil {
				return err
			}
		}
	}
	return nil
}

// partitionStatus is partition p's entry of backup id (DOES_NOT_EXIST when it has none).
// Several nodes may have written one (backups by an earlier leader): the gateway keeps the
// best, COMPLETED > IN_PROGRESS > FAILED.
func (z *Zeebe) partitionStatus(p int, id backupapi.ID) (backupapi.PartitionBackup, error) {
	manifests, err := z.readManifests(p, id)
	if err != nil {
		return backupapi.PartitionBackup{}, backupapi.Internal(err, "%s", err.Error())
	}
	entries := make([]backupapi.PartitionBackup, len(manifests))
	for i, m := range manifests {
		entries[i] = m.status()
	}
	if best, ok := backupapi.BestPartitionEntry(entries); ok {
		return best, nil
	}
	return backupapi.PartitionBackup{PartitionID: p, State: backupapi.StateDoesNotExist}, nil
}

// Get returns runtime backup id, one entry per partition; ErrNotFound when no partition
// has it.
func (z *Zeebe) Get(_ context.Context, id backupapi.ID) (backupapi.RuntimeBackup, error) {
	if err := z.gatewayCheck(); err != nil {
		return backupapi.RuntimeBackup{}, err
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	details := make([]backupapi.PartitionBackup, z.cfg.Partitions)
	for p := 1; p <= z.cfg.Partitions; p++ {
		d, err := z.partitionStatus(p, id)
		if err != nil {
			return backupapi.RuntimeBackup{}, err
		}
		details[p-1] = d
	}
	b := backupapi.NewRuntimeBackup(id, details)
	if b.State == backupapi.StateDoesNotExist {
		return b, backupapi.ZeebeNotFound(id)
	}
	return b, nil
}

// List returns the runtime backups whose id starts with prefix (every one for ""), with
// list entries (fewer fields than Get), ordered by id, descending (ours: Zeebe's order is
// unspecified).
func (z *Zeebe) List(_ context.Context, prefix string) ([]backupapi.RuntimeBackup, error) {
	if err := z.gatewayCheck(); err != nil {
		return nil, err
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	seen := map[backupapi.ID]bool{}
	for p := 1; p <= z.cfg.Partitions; p++ {
		ids, err := z.storedIDs(p)
		if err != nil {
			return nil, backupapi.Internal(err, "%s", err.Error())
		}
		for _, id := range ids {
			if backupapi.MatchesRuntimePrefix(id, prefix) {
				seen[id] = true
			}
		}
	}
	out := make([]backupapi.RuntimeBackup, 0, len(seen))
	for id := range seen {
		details := make([]backupapi.PartitionBackup, z.cfg.Partitions)
		for p := 1; p <= z.cfg.Partitions; p++ {
			d, err := z.partitionStatus(p, id)
			if err != nil {
				return nil, err
			}
			details[p-1] = d.ForList()
		}
		out = append(out, backupapi.NewRuntimeBackup(id, details))
	}
	slices.SortFunc(out, func(a, b backupapi.RuntimeBackup) int { return cmp.Compare(b.ID, a.ID) })
	return out, nil
}

// Delete removes every partition's store entries of backup id (a running backup is stopped
// first); an unknown id is not an error. The checkpoint state is untouched: the id stays
// used.
func (z *Zeebe) Delete(_ context.Context, id backupapi.ID) error {
	if err := z.gatewayCheck(); err != nil {
		return err
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	if cancel, ok := z.running[id]; ok {
		cancel()
		delete(z.running, id)
	}
	for p := 1; p <= z.cfg.Partitions; p++ {
		if err := z.deleteEntries(p, id); err != nil {
			return backupapi.Internal(err, "%s", err.Error())
		}
	}
	z.log.Info("zeebe backup deleted", "backup", id)
	return nil
}

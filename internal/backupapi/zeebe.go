package backupapi

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// StateDoesNotExist is the state of a Zeebe runtime backup (or of one partition's part of it)
// that no partition knows. Zeebe's GET of one backup answers it as 404.
const StateDoesNotExist State = "DOES_NOT_EXIST"

// ZeebeTimeLayout is how Zeebe prints times: ISO-8601 in UTC with a Z and as many fraction
// digits as needed (Java's ISO formatter trims trailing zeros in groups of three; Go's
// RFC3339Nano trims every trailing zero, which reads the same).
const ZeebeTimeLayout = time.RFC3339Nano

// PartitionBackup is one partition's part of a Zeebe runtime backup, as the gateway reports
// it. Which fields are set depends on the state (see MarshalJSON).
type PartitionBackup struct {
	PartitionID int
	// State is StateInProgress, StateCompleted, StateFailed or StateDoesNotExist.
	State         State
	FailureReason string
	CreatedAt     time.Time
	LastUpdatedAt time.Time
	// SnapshotID is empty when the partition had no snapshot yet (the field is then omitted).
	SnapshotID         string
	CheckpointPosition int64
	BrokerVersion      string
}

// RuntimeBackup is a Zeebe runtime backup: the checkpoint of one id across every partition.
type RuntimeBackup struct {
	ID            ID
	State         State
	FailureReason string
	// Details has one entry per partition of the topology, in the topology's order.
	Details []PartitionBackup
}

// AggregateRuntimeState is the overall state of a runtime backup from its partitions' states,
// Zeebe's rule in its order: any FAILED → FAILED (with one sentence per failed partition as
// the reason); IN_PROGRESS or COMPLETED together with DOES_NOT_EXIST → INCOMPLETE; any
// IN_PROGRESS → IN_PROGRESS; any DOES_NOT_EXIST → DOES_NOT_EXIST; else COMPLETED. No
// partition at all is DOES_NOT_EXIST.
func AggregateRuntimeState(parts []PartitionBackup) (State, string) {
	var failed, running, done, missing bool
	var reason strings.Builder
	for _, p := range parts {
		switch p.State {
		case StateFailed:
			failed = true
			why := p.FailureReason
			if why == "" {
				why = "Unknown reason"
			}
			fmt.Fprintf(&reason, "Backup on partition %d failed due to %s. ", p.PartitionID, why)
		case StateInProgress:
			running = true
		case StateCompleted:
			done = true
		default:
			missing = true
		}
	}
	switch {
	case failed:
		return StateFailed, reason.String()
	case (running || done) && missing:
		return StateIncomplete, ""
	case running:
		return StateInProgress, ""
	case missing || len(parts) == 0:
		return StateDoesNotExist, ""
	default:
		return StateCompleted, ""
	}
}

// NewRuntimeBackup builds the runtime backup of id from one entry per partition of the
// topology (in its order), deriving the overall state.
func NewRuntimeBackup(id ID, details []PartitionBackup) RuntimeBackup {
	state, reason := AggregateRuntimeState(details)
	return RuntimeBackup{ID: id, State: state, FailureReason: reason, Details: details}
}

// partitionRank orders the entries of one partition that several nodes wrote: the gateway
// keeps the best, COMPLETED > IN_PROGRESS > FAILED > DOES_NOT_EXIST.
func partitionRank(s State) int {
	switch s {
	case StateCompleted:
		return 3
	case StateInProgress:
		return 2
	case StateFailed:
		return 1
	default:
		return 0
	}
}

// BestPartitionEntry returns the entry the gateway keeps among several entries of one
// partition (backups by different nodes); ok is false when there is none.
func BestPartitionEntry(entries []PartitionBackup) (best PartitionBackup, ok bool) {
	for i, e := range entries {
		if i == 0 || partitionRank(e.State) > partitionRank(best.State) {
			best, ok = e, true
		}
	}
	return best, ok
}

// ForList returns the entry as Zeebe's list answers it: only partitionId, state,
// failureReason (FAILED) createdAt and brokerVersion.
func (p PartitionBackup) ForList() PartitionBackup {
	return PartitionBackup{PartitionID: p.PartitionID, State: p.State, FailureReason: p.FailureReason, CreatedAt: p.CreatedAt, BrokerVersion: p.BrokerVersion}
}

// partitionJSON is the wire form of a partition entry; absent fields are omitted, in Zeebe's
// key order. brokerId is never written: Zeebe 8.8's gateway drops it.
type partitionJSON struct {
	PartitionID        int    `json:"partitionId"`
	State              State  `json:"state"`
	FailureReason      string `json:"failureReason,omitempty"`
	CreatedAt          string `json:"createdAt,omitempty"`
	LastUpdatedAt      string `json:"lastUpdatedAt,omitempty"`
	SnapshotID         string `json:"snapshotId,omitempty"`
	CheckpointPosition *int64 `json:"checkpointPosition,omitempty"`
	BrokerVersion      string `json:"brokerVersion,omitempty"`
}

// MarshalJSON writes the entry as Zeebe does: DOES_NOT_EXIST has only partitionId and state;
// FAILED has no checkpointPosition and no brokerVersion; failureReason only on FAILED.
func (p PartitionBackup) MarshalJSON() ([]byte, error) {
	w := partitionJSON{PartitionID: p.PartitionID, State: p.State}
	if p.State != StateDoesNotExist {
		w.CreatedAt, w.LastUpdatedAt, w.SnapshotID = zeebeTime(p.CreatedAt), zeebeTime(p.LastUpdatedAt), p.SnapshotID
	}
	switch p.State {
	case StateFailed:
		w.FailureReason = p.FailureReason
	case StateInProgress, StateCompleted:
		if p.CheckpointPosition != 0 {
			pos := p.CheckpointPosition
			w.CheckpointPosition = &pos
		}
		w.BrokerVersion = p.BrokerVersion
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads the entry from Zeebe's wire form (brokerId, if any, is ignored).
func (p *PartitionBackup) UnmarshalJSON(data []byte) error {
	var w partitionJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*p = PartitionBackup{PartitionID: w.PartitionID, State: w.State, FailureReason: w.FailureReason, SnapshotID: w.SnapshotID, BrokerVersion: w.BrokerVersion}
	if w.CheckpointPosition != nil {
		p.CheckpointPosition = *w.CheckpointPosition
	}
	var err error
	if p.CreatedAt, err = parseZeebeTime(w.CreatedAt); err != nil {
		return err
	}
	p.LastUpdatedAt, err = parseZeebeTime(w.LastUpdatedAt)
	return err
}

func zeebeTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(ZeebeTimeLayout)
}

func parseZeebeTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return t, fmt.Errorf("parse Zeebe time %q: %w", s, err)
	}
	return t, nil
}

// runtimeJSON is the wire form of a runtime backup: failureReason only when FAILED.
type runtimeJSON struct {
	BackupID      int64             `json:"backupId"`
	State         State             `json:"state"`
	FailureReason string            `json:"failureReason,omitempty"`
	Details       []PartitionBackup `json:"details"`
}

// MarshalJSON writes the backup as Zeebe's gateway does.
func (b RuntimeBackup) MarshalJSON() ([]byte, error) {
	w := runtimeJSON{BackupID: int64(b.ID), State: b.State, Details: b.Details}
	if b.State == StateFailed {
		w.FailureReason = b.FailureReason
	}
	if w.Details == nil {
		w.Details = []PartitionBackup{}
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads a backup in Zeebe's wire form.
func (b *RuntimeBackup) UnmarshalJSON(data []byte) error {
	var w runtimeJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*b = RuntimeBackup{ID: ID(w.BackupID), State: w.State, FailureReason: w.FailureReason, Details: w.Details}
	return nil
}

// CheckpointReply is one partition's answer to a checkpoint command: whether it created the
// checkpoint, and its latest checkpoint id afterwards.
type CheckpointReply struct {
	Created      bool
	CheckpointID ID
}

// AcceptsCheckpoint is the broker's rule: a partition creates checkpoint id only when id is
// greater than its latest checkpoint. Deleting a backup never lowers the latest checkpoint,
// so an id once used (completed, failed, deleted or refused while scaling) is never reusable.
func AcceptsCheckpoint(latest, id ID) bool { return latest < id }

// CombineCheckpointReplies is the gateway's rule over every partition's reply to backup id:
// created is the OR of the replies, the checkpoint the largest; the backup is taken only when
// some partition created it and the largest checkpoint is id itself. Otherwise the answer is
// the ErrConflict of ZeebeAlreadyExists. No reply at all is an ErrInternal error.
func CombineCheckpointReplies(id ID, replies []CheckpointReply) error {
	if len(replies) == 0 {
		return Internal(nil, "No partition answered the checkpoint of backup %d", int64(id))
	}
	var created bool
	var latest ID
	for _, r := range replies {
		created = created || r.Created
		latest = max(latest, r.CheckpointID)
	}
	if created && latest == id {
		return nil
	}
	return ZeebeAlreadyExists(id, latest)
}

// The messages of the Zeebe runtime backup API.
const (
	// MsgZeebeInvalidID answers a take with an id <= 0.
	MsgZeebeInvalidID = "A backupId must be provided and it must be > 0"
	// MsgZeebeNoStore answers every operation when the broker has no backup store.
	MsgZeebeNoStore = "Cannot process backup requests. No backup store is configured. To use this feature, configure backup in broker configuration."
	// MsgZeebeScaling answers a take while partitions are being scaled (the id is used up).
	MsgZeebeScaling = "Cannot take backup while scaling is in progress. Please retry after scaling is completed."
	// MsgZeebeScalingReason is the failure reason of the backup a scaling conflict records.
	MsgZeebeScalingReason = "Cannot create checkpoint while scaling is in progress"
	// MsgZeebeCancelledReason fails a running backup whose leader changed (e.g. a restart).
	MsgZeebeCancelledReason = "Backup is cancelled due to leader change."
)

// ZeebeScheduledMessage is the message of a 202 answer to a take. Zeebe names
// actuator/backups even on backupRuntime.
func ZeebeScheduledMessage(id ID) string {
	return fmt.Sprintf("A backup with id %d has been scheduled. Use GET actuator/backups/%d to monitor the status.", int64(id), int64(id))
}

// ZeebeAlreadyExists is the 409 of a take whose id is not greater than the latest checkpoint.
// Three wordings shipped in 8.8 patches; this is the 8.8.0 one, trailing space included
// (which patch prints which is unconfirmed: clients must match on the status, not the text).
func ZeebeAlreadyExists(id, latest ID) error {
	return newError(ErrConflict, nil, "Requested backup has id %d. The latest backup has id %d. Id of new backups must be higher than the previous one. ", int64(id), int64(latest))
}

// ZeebeNotFound is the 404 of a GET of a backup no partition knows.
func ZeebeNotFound(id ID) error {
	return newError(ErrNotFound, nil, "Backup with id %d does not exist", int64(id))
}

// ZeebeNoStore is the 400 of every operation on a broker without a backup store.
func ZeebeNoStore() error { return newError(ErrNotConfigured, nil, MsgZeebeNoStore) }

// ParseRuntimeSelector reads the path argument of GET /actuator/backupRuntime/{arg}: an id,
// or a prefix ending with '*' (prefix is then the digits before it, list is true).
func ParseRuntimeSelector(arg string) (id ID, prefix string, list bool, err error) {
	if p, ok := strings.CutSuffix(arg, "*"); ok {
		return 0, p, true, nil
	}
	n, perr := strconv.ParseInt(arg, 10, 64)
	if perr != nil {
		return 0, "", false, Invalidf("Expected a backup ID or prefix ending with '*', but got '%s'.", arg)
	}
	return ID(n), "", false, nil
}

// MatchesRuntimePrefix reports whether the decimal form of id starts with prefix.
func MatchesRuntimePrefix(id ID, prefix string) bool {
	return strings.HasPrefix(id.String(), prefix)
}

// ZeebeBackups is the Zeebe runtime backup API (/actuator/backupRuntime). Take returns once
// every partition has taken the checkpoint (the backup itself runs on); an id not greater
// than the latest checkpoint is ErrConflict. Get of an unknown id is ErrNotFound; List with
// an empty prefix lists every backup (ordered by id, descending: Zeebe's own order is
// unspecified); Delete of an unknown id succeeds. Without a backup store every call is
// ErrNotConfigured.
type ZeebeBackups interface {
	Take(ctx context.Context, id ID) error
	Get(ctx context.Context, id ID) (RuntimeBackup, error)
	List(ctx context.Context, prefix string) ([]RuntimeBackup, error)
	Delete(ctx context.Context, id ID) error
}

package backupapi

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func parts(states ...State) []PartitionBackup {
	p := make([]PartitionBackup, len(states))
	for i, s := range states {
		p[i] = PartitionBackup{PartitionID: i + 1, State: s}
	}
	return p
}

// TestAggregateRuntimeState is the overall-state table of the facts (§1.3), in its order.
func TestAggregateRuntimeState(t *testing.T) {
	for _, tc := range []struct {
		name   string
		parts  []PartitionBackup
		want   State
		reason string
	}{
		{"all completed", parts(StateCompleted, StateCompleted, StateCompleted), StateCompleted, ""},
		{"one failed wins over all", parts(StateCompleted, StateFailed, StateDoesNotExist), StateFailed, "Backup on partition 2 failed due to Unknown reason. "},
		{"two failed, reasons in order", []PartitionBackup{{PartitionID: 3, State: StateFailed, FailureReason: "disk"}, {PartitionID: 1, State: StateFailed, FailureReason: "io"}},
			StateFailed, "Backup on partition 3 failed due to disk. Backup on partition 1 failed due to io. "},
		{"completed and missing", parts(StateCompleted, StateDoesNotExist), StateIncomplete, ""},
		{"running and missing", parts(StateInProgress, StateDoesNotExist), StateIncomplete, ""},
		{"running and completed", parts(StateInProgress, StateCompleted), StateInProgress, ""},
		{"all missing", parts(StateDoesNotExist, StateDoesNotExist), StateDoesNotExist, ""},
		{"no partition", nil, StateDoesNotExist, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, reason := AggregateRuntimeState(tc.parts)
			if got != tc.want || reason != tc.reason {
				t.Fatalf("got %s %q, want %s %q", got, reason, tc.want, tc.reason)
			}
		})
	}
}

// TestCombineCheckpointReplies is the gateway's rule (§1.2): OR of created, MAX of ids.
func TestCombineCheckpointReplies(t *testing.T) {
	for _, tc := range []struct {
		name    string
		id      ID
		replies []CheckpointReply
		latest  ID // 0: success
	}{
		{"all created", 100, []CheckpointReply{{true, 100}, {true, 100}}, 0},
		{"some created, some ignored with the same id", 100, []CheckpointReply{{true, 100}, {false, 100}}, 0},
		{"retry of the same id", 100, []CheckpointReply{{false, 100}, {false, 100}}, 100},
		{"lower id", 90, []CheckpointReply{{false, 100}, {false, 100}}, 100},
		{"created on one, higher elsewhere", 100, []CheckpointReply{{true, 100}, {false, 120}}, 120},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CombineCheckpointReplies(tc.id, tc.replies)
			if tc.latest == 0 {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				return
			}
			want := ZeebeAlreadyExists(tc.id, tc.latest).Error()
			if !errors.Is(err, ErrConflict) || err.Error() != want || HTTPStatus(err) != 409 {
				t.Fatalf("got %v, want 409 %q", err, want)
			}
		})
	}
	if err := CombineCheckpointReplies(1, nil); !errors.Is(err, ErrInternal) {
		t.Fatalf("no replies: %v", err)
	}
}

func TestAcceptsCheckpoint(t *testing.T) {
	for _, tc := range []struct {
		latest, id ID
		want       bool
	}{{0, 1, true}, {5, 6, true}, {5, 5, false}, {5, 4, false}} {
		if got := AcceptsCheckpoint(tc.latest, tc.id); got != tc.want {
			t.Errorf("AcceptsCheckpoint(%d, %d) = %v", tc.latest, tc.id, got)
		}
	}
}

// TestPartitionBackupJSON: the fields per partition state (§1.3) and the key order.
func TestPartitionBackupJSON(t *testing.T) {
	at := time.Date(2025, 6, 3, 8, 6, 6, 246997293, time.UTC)
	full := PartitionBackup{PartitionID: 1, FailureReason: "x", CreatedAt: at, LastUpdatedAt: at, SnapshotID: "2-1-3-2", CheckpointPosition: 5, BrokerVersion: "8.8.0"}
	for _, tc := range []struct {
		state State
		want  string
	}{
		{StateCompleted, `{"partitionId":1,"state":"COMPLETED","createdAt":"2025-06-03T08:06:06.246997293Z","lastUpdatedAt":"2025-06-03T08:06:06.246997293Z","snapshotId":"2-1-3-2","checkpointPosition":5,"brokerVersion":"8.8.0"}`},
		{StateInProgress, `{"partitionId":1,"state":"IN_PROGRESS","createdAt":"2025-06-03T08:06:06.246997293Z","lastUpdatedAt":"2025-06-03T08:06:06.246997293Z","snapshotId":"2-1-3-2","checkpointPosition":5,"brokerVersion":"8.8.0"}`},
		{StateFailed, `{"partitionId":1,"state":"FAILED","failureReason":"x","createdAt":"2025-06-03T08:06:06.246997293Z","lastUpdatedAt":"2025-06-03T08:06:06.246997293Z","snapshotId":"2-1-3-2"}`},
		{StateDoesNotExist, `{"partitionId":1,"state":"DOES_NOT_EXIST"}`},
	} {
		p := full
		p.State = tc.state
		b, err := json.Marshal(p)
		if err != nil || string(b) != tc.want {
			t.Fatalf("%s: got %s (%v), want %s", tc.state, b, err, tc.want)
		}
		var back PartitionBackup
		if err := json.Unmarshal(b, &back); err != nil || back.State != tc.state || back.PartitionID != 1 {
			t.Fatalf("%s: round trip %+v %v", tc.state, back, err)
		}
	}
	noSnapshot := PartitionBackup{PartitionID: 2, State: StateInProgress, CreatedAt: at, LastUpdatedAt: at, CheckpointPosition: 1, BrokerVersion: "8.8.0"}
	if b, _ := json.Marshal(noSnapshot); string(b) != `{"partitionId":2,"state":"IN_PROGRESS","createdAt":"2025-06-03T08:06:06.246997293Z","lastUpdatedAt":"2025-06-03T08:06:06.246997293Z","checkpointPosition":1,"brokerVersion":"8.8.0"}` {
		t.Fatalf("no snapshot id: %s", b)
	}
	list := full
	list.State = StateCompleted
	if b, _ := json.Marshal(list.ForList()); string(b) != `{"partitionId":1,"state":"COMPLETED","createdAt":"2025-06-03T08:06:06.246997293Z","brokerVersion":"8.8.0"}` {
		t.Fatalf("list entry: %s", b)
	}
}

func TestRuntimeBackupJSON(t *testing.T) {
	b := NewRuntimeBackup(4, parts(StateCompleted, StateFailed))
	got, _ := json.Marshal(b)
	want := `{"backupId":4,"state":"FAILED","failureReason":"Backup on partition 2 failed due to Unknown reason. ","details":[{"partitionId":1,"state":"COMPLETED"},{"partitionId":2,"state":"FAILED"}]}`
	if string(got) != want {
		t.Fatalf("got %s\nwant %s", got, want)
	}
	var back RuntimeBackup
	if err := json.Unmarshal(got, &back); err != nil || back.ID != 4 || back.State != StateFailed || len(back.Details) != 2 {
		t.Fatalf("round trip %+v %v", back, err)
	}
	if got, _ := json.Marshal(NewRuntimeBackup(5, parts(StateCompleted))); string(got) != `{"backupId":5,"state":"COMPLETED","details":[{"partitionId":1,"state":"COMPLETED"}]}` {
		t.Fatalf("completed: %s", got)
	}
}

func TestBestPartitionEntry(t *testing.T) {
	for _, tc := range []struct {
		in   []State
		want State
	}{
		{[]State{StateFailed, StateCompleted, StateInProgress}, StateCompleted},
		{[]State{StateDoesNotExist, StateFailed}, StateFailed},
		{[]State{StateFailed, StateInProgress}, StateInProgress},
	} {
		best, ok := BestPartitionEntry(parts(tc.in...))
		if !ok || best.State != tc.want {
			t.Errorf("%v: got %s", tc.in, best.State)
		}
	}
	if _, ok := BestPartitionEntry(nil); ok {
		t.Error("no entries: ok")
	}
}

func TestParseRuntimeSelector(t *testing.T) {
	for _, tc := range []struct {
		arg    string
		id     ID
		prefix string
		list   bool
		errMsg string
	}{
		{"100", 100, "", false, ""},
		{"10*", 0, "10", true, ""},
		{"*", 0, "", true, ""},
		{"abc", 0, "", false, "Expected a backup ID or prefix ending with '*', but got 'abc'."},
		{"1*0", 0, "", false, "Expected a backup ID or prefix ending with '*', but got '1*0'."},
	} {
		id, prefix, list, err := ParseRuntimeSelector(tc.arg)
		if tc.errMsg != "" {
			if err == nil || err.Error() != tc.errMsg || HTTPStatus(err) != 400 {
				t.Errorf("%q: err %v", tc.arg, err)
			}
			continue
		}
		if err != nil || id != tc.id || prefix != tc.prefix || list != tc.list {
			t.Errorf("%q: %d %q %v %v", tc.arg, id, prefix, list, err)
		}
	}
	if !MatchesRuntimePrefix(105, "10") || MatchesRuntimePrefix(15, "10") {
		t.Error("prefix match")
	}
}

func TestZeebeMessages(t *testing.T) {
	if got := ZeebeScheduledMessage(100); got != "A backup with id 100 has been scheduled. Use GET actuator/backups/100 to monitor the status." {
		t.Error(got)
	}
	for _, tc := range []struct {
		err    error
		status int
		msg    string
	}{
		{ZeebeNotFound(7), 404, "Backup with id 7 does not exist"},
		{ZeebeNoStore(), 400, MsgZeebeNoStore},
		{ZeebeAlreadyExists(5, 9), 409, "Requested backup has id 5. The latest backup has id 9. Id of new backups must be higher than the previous one. "},
	} {
		if HTTPStatus(tc.err) != tc.status || tc.err.Error() != tc.msg {
			t.Errorf("%v: status %d", tc.err, HTTPStatus(tc.err))
		}
	}
}

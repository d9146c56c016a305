package server

import (
	"context"
	"fmt"
	"strconv"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// topologyError is Zeebe's refusal of an exporting call over an incomplete topology; its text
// is Zeebe's, capitalized as Zeebe writes it.
type topologyError string

func (e topologyError) Error() string { return string(e) }

// exportingCheck applies the faults an exporting call meets: Zeebe validates the whole
// topology before it sends anything, so these fail the call with nothing changed.
func (z *Zeebe) exportingCheck() error {
	f := z.faults.Get()
	switch {
	case f.ZeebeMissingPartitions > 0:
		found := max(z.cfg.Partitions-f.ZeebeMissingPartitions, 0)
		return topologyError(fmt.Sprintf("Found %d partitions but expected %d, current topology: %s", found, z.cfg.Partitions, z.topologyText()))
	case f.ZeebeUnreachable:
		return topologyError(fmt.Sprintf("Leader %d of partition 1 is not known, current topology: %s", nodeID, z.topologyText()))
	}
	return nil
}

// topologyText is a short rendering of the emulated topology for messages.
func (z *Zeebe) topologyText() string {
	return fmt.Sprintf("ClusterTopology{brokers=[%d], partitionsCount=%d, replicationFactor=1}", nodeID, z.cfg.Partitions)
}

// apply runs an exporting operation on every partition and persists each partition's phase
// as Zeebe does (the .exporterPaused file, removed on resume).
func (z *Zeebe) apply(op backupapi.ExportingOperation, soft bool) error {
	if err := z.exportingCheck(); err != nil {
		return err
	}
	z.mu.Lock()
	defer z.mu.Unlock()
	for i := range z.phases {
		next, err := backupapi.NextPhase(z.phases[i], op, soft)
		if err != nil {
			return err
		}
		if z.cfg.StateDir != "" {
			if content := backupapi.PausedFileContent(next); next == backupapi.PhaseExporting {
				err = removeFileDurable(z.pausedPath(i + 1))
			} else {
				err = writeFileAtomic(z.pausedPath(i+1), []byte(content))
			}
			if err != nil {
				return fmt.Errorf("partition %d: %w", i+1, err)
			}
		}
		z.phases[i] = next
	}
	z.log.Info("zeebe exporting", "operation", op, "soft", soft)
	return nil
}

// exportingResult is the 200 body of an exporting call: done, or failed with the error.
func exportingResult(err error) backupapi.ExportingResponse {
	if err == nil {
		return backupapi.ExportingDone()
	}
	msg := err.Error()
	return backupapi.ExportingFailed(&msg)
}

// Pause pauses exporting on every partition; soft keeps exporting without advancing the
// exporter positions. The error carries the message of Camunda's failure body.
func (z *Zeebe) Pause(_ context.Context, soft bool) error {
	return exportingResult(z.apply(backupapi.OperationPause, soft)).Err("pause")
}

// Resume resumes exporting on every partition.
func (z *Zeebe) Resume(_ context.Context) error {
	return exportingResult(z.apply(backupapi.OperationResume, false)).Err("resume")
}

// Status returns each partition's exporter phase.
func (z *Zeebe) Status(_ context.Context) (map[int]backupapi.ExporterPhase, error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	out := make(map[int]backupapi.ExporterPhase, len(z.phases))
	for i, p := range z.phases {
		out[i+1] = p
	}
	return out, nil
}

// partitionsView is the body of GET /actuator/partitions: partition id → status, for the
// partitions of this (the only) broker, which leads them all.
func (z *Zeebe) partitionsView() map[string]backupapi.PartitionStatus {
	z.mu.Lock()
	defer z.mu.Unlock()
	out := make(map[string]backupapi.PartitionStatus, len(z.phases))
	for i, phase := range z.phases {
		st := z.partitions[i]
		pos := st.Position
		snap := max(st.CheckpointPosition-1, 1)
		snapshotID := fmt.Sprintf("%d-1-%d-%d", snap, snap, snap)
		exported := pos
		out[strconv.Itoa(i+1)] = backupapi.PartitionStatus{
			Role: "LEADER", SnapshotID: &snapshotID, ProcessedPosition: &pos, ProcessedPositionIn: &snap,
			StreamProcessorPhase: "PROCESSING", ExporterPhase: phase, ExportedPosition: &exported,
		}
	}
	return out
}

package backupapi

import (
	"context"
	"encoding/json"
	"fmt"
)

// ExporterPhase is the exporting state of one partition, as Zeebe's /actuator/partitions
// shows it (exporterPhase).
type ExporterPhase string

// The exporter phases.
const (
	// PhaseExporting: records are exported and the exporter positions advance.
	PhaseExporting ExporterPhase = "EXPORTING"
	// PhasePaused: nothing is exported (a hard pause).
	PhasePaused ExporterPhase = "PAUSED"
	// PhaseSoftPaused: records are still exported but the exporter positions are neither
	// advanced nor persisted, so log compaction stops and the broker's disk fills; after a
	// restart the window is exported again. The backup procedure pauses softly.
	PhaseSoftPaused ExporterPhase = "SOFT_PAUSED"
	// PhaseClosed: the partition's exporters are closed (e.g. a follower).
	PhaseClosed ExporterPhase = "CLOSED"
)

// ExportingOperation is the operation of POST /actuator/exporting/{operation}.
type ExportingOperation string

// The exporting operations.
const (
	OperationPause  ExportingOperation = "pause"
	OperationResume ExportingOperation = "resume"
)

// NextPhase is the phase a partition is in after op: pause (soft or hard) overrides either
// pause, resume clears both (soft is ignored). Each call is idempotent. A closed partition
// stays closed.
func NextPhase(current ExporterPhase, op ExportingOperation, soft bool) (ExporterPhase, error) {
	if current == PhaseClosed {
		return current, nil
	}
	switch op {
	case OperationPause:
		if soft {
			return PhaseSoftPaused, nil
		}
		return PhasePaused, nil
	case OperationResume:
		return PhaseExporting, nil
	}
	return current, Invalidf("unknown exporting operation %q", string(op))
}

// PausedFileContent is what Zeebe writes to a partition's .exporterPaused file for a phase
// ("" for EXPORTING: the file is deleted). ParsePausedFile reads it back: an empty file is
// PAUSED, for compatibility with versions that wrote no content.
func PausedFileContent(p ExporterPhase) string {
	switch p {
	case PhasePaused, PhaseSoftPaused:
		return string(p)
	}
	return ""
}

// ParsePausedFile reads the content of a partition's .exporterPaused file.
func ParsePausedFile(content string) (ExporterPhase, error) {
	switch content {
	case "", string(PhasePaused):
		return PhasePaused, nil
	case string(PhaseSoftPaused):
		return PhaseSoftPaused, nil
	}
	return PhaseExporting, fmt.Errorf("unknown exporter pause state %q", content)
}

// ExportingResponse is the body of every answer of /actuator/exporting (always HTTP 200):
// Spring's serialized WebEndpointResponse, whose status is the real outcome (204 done, 500
// failed) and whose body is null on success or the failure.
type ExportingResponse struct {
	Body        json.RawMessage `json:"body"`
	Status      int             `json:"status"`
	ContentType *string         `json:"contentType"`
}

// ExportingDone is the answer of a successful exporting operation.
func ExportingDone() ExportingResponse {
	return ExportingResponse{Body: json.RawMessage("null"), Status: 204}
}

// ExportingFailed is the answer of a failed exporting operation: status 500 and a body with
// the failure's message (Camunda serializes the whole exception; only message is
// documented, so only message is written: the exact body is unconfirmed). A nil message is
// written as null, as for an unknown operation.
func ExportingFailed(message *string) ExportingResponse {
	b, _ := json.Marshal(struct {
		Message *string `json:"message"`
	}{message})
	return ExportingResponse{Body: b, Status: 500}
}

// Err returns nil for a done operation, else an ErrUnavailable error with the failure's
// message: the cluster may be partly paused or resumed and the call should be repeated.
func (r ExportingResponse) Err(op string) error {
	if r.Status >= 200 && r.Status < 300 {
		return nil
	}
	var body struct {
		Message *string `json:"message"`
	}
	_ = json.Unmarshal(r.Body, &body)
	msg := "no message"
	if body.Message != nil {
		msg = *body.Message
	}
	return Unavailable(nil, "exporting %s failed with status %d: %s", op, r.Status, msg)
}

// PartitionStatus is one partition of a broker's GET /actuator/partitions (the fields the
// backup procedure reads; Zeebe reports more).
type PartitionStatus struct {
	Role                 string        `json:"role"`
	SnapshotID           *string       `json:"snapshotId"`
	ProcessedPosition    *int64        `json:"processedPosition"`
	ProcessedPositionIn  *int64        `json:"processedPositionInSnapshot"`
	StreamProcessorPhase string        `json:"streamProcessorPhase"`
	ExporterPhase        ExporterPhase `json:"exporterPhase"`
	ExportedPosition     *int64        `json:"exportedPosition"`
}

// Exporting controls Zeebe's exporting (/actuator/exporting) and reads each partition's
// exporter phase (/actuator/partitions, keyed by partition id). Pause and Resume return an
// error when Zeebe's inner status is not 2xx: the cluster may then be partly paused and the
// call must be repeated (or reverted).
type Exporting interface {
	Pause(ctx context.Context, soft bool) error
	Resume(ctx context.Context) error
	Status(ctx context.Context) (map[int]ExporterPhase, error)
}

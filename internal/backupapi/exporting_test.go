package backupapi

import (
	"encoding/json"
	"errors"
	"testing"
)

// TestNextPhase: each call is idempotent; a soft pause overrides a hard one and the other way
// round; resume clears both and ignores soft (facts §2).
func TestNextPhase(t *testing.T) {
	for _, tc := range []struct {
		from ExporterPhase
		op   ExportingOperation
		soft bool
		want ExporterPhase
	}{
		{PhaseExporting, OperationPause, true, PhaseSoftPaused},
		{PhaseExporting, OperationPause, false, PhasePaused},
		{PhasePaused, OperationPause, true, PhaseSoftPaused},
		{PhaseSoftPaused, OperationPause, false, PhasePaused},
		{PhaseSoftPaused, OperationPause, true, PhaseSoftPaused},
		{PhaseSoftPaused, OperationResume, false, PhaseExporting},
		{PhasePaused, OperationResume, true, PhaseExporting},
		{PhaseExporting, OperationResume, false, PhaseExporting},
		{PhaseClosed, OperationResume, false, PhaseClosed},
	} {
		got, err := NextPhase(tc.from, tc.op, tc.soft)
		if err != nil || got != tc.want {
			t.Errorf("%s %s soft=%v: got %s %v, want %s", tc.from, tc.op, tc.soft, got, err, tc.want)
		}
	}
	if _, err := NextPhase(PhaseExporting, "foo", false); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown operation: %v", err)
	}
}

func TestPausedFile(t *testing.T) {
	for _, tc := range []struct {
		content string
		want    ExporterPhase
		err     bool
	}{{"PAUSED", PhasePaused, false}, {"SOFT_PAUSED", PhaseSoftPaused, false}, {"", PhasePaused, false}, {"junk", PhaseExporting, true}} {
		got, err := ParsePausedFile(tc.content)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("%q: %s %v", tc.content, got, err)
		}
	}
	for _, p := range []ExporterPhase{PhasePaused, PhaseSoftPaused} {
		if back, _ := ParsePausedFile(PausedFileContent(p)); back != p {
			t.Errorf("%s round trip: %s", p, back)
		}
	}
	if PausedFileContent(PhaseExporting) != "" {
		t.Error("exporting has a file content")
	}
}

func TestExportingResponse(t *testing.T) {
	b, _ := json.Marshal(ExportingDone())
	if string(b) != `{"body":null,"status":204,"contentType":null}` {
		t.Fatalf("done: %s", b)
	}
	if err := ExportingDone().Err("pause"); err != nil {
		t.Fatal(err)
	}
	msg := "Expected 3 members of partition 1 but found 2, current topology: x"
	b, _ = json.Marshal(ExportingFailed(&msg))
	if string(b) != `{"body":{"message":"`+msg+`"},"status":500,"contentType":null}` {
		t.Fatalf("failed: %s", b)
	}
	var back ExportingResponse
	_ = json.Unmarshal(b, &back)
	if err := back.Err("pause"); !errors.Is(err, ErrUnavailable) || err.Error() != "exporting pause failed with status 500: "+msg {
		t.Fatalf("err: %v", err)
	}
	b, _ = json.Marshal(ExportingFailed(nil))
	if string(b) != `{"body":{"message":null},"status":500,"contentType":null}` {
		t.Fatalf("unknown operation: %s", b)
	}
}

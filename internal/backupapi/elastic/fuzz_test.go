package elastic

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/elastic/go-elasticsearch/v8/esapi"
)

// FuzzDecodeSnapshots feeds arbitrary get-snapshots answers to the decoder: it never
// panics, and every part it returns has valid metadata.
func FuzzDecodeSnapshots(f *testing.F) {
	f.Add(`{"snapshots":[{"snapshot":"camunda_webapps_1_8.8.0_part_1_of_2","state":"SUCCESS","start_time_in_millis":1,"metadata":{"backupId":1,"version":"8.8.0","partNo":1,"partCount":2},"failures":[{"reason":"x"}]}]}`)
	f.Add(`{"snapshots":[{"snapshot":"camunda_optimize_1_8.8.0_part_1_of_2"},{"snapshot":"camunda_webapps_2_x_part_3_of_2","metadata":{"partNo":1e300}}]}`)
	f.Add(`{"snapshots":null}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, body string) {
		snaps, err := decodeSnapshots([]byte(body))
		if err != nil {
			return
		}
		for _, s := range snaps {
			if verr := s.Metadata.Validate(); verr != nil {
				t.Fatalf("part %q with invalid metadata %+v: %v", s.Name, s.Metadata, verr)
			}
		}
	})
}

// FuzzDecodeError feeds arbitrary error bodies to the error decoder: it never panics.
func FuzzDecodeError(f *testing.F) {
	f.Add(`{"error":{"type":"repository_missing_exception","reason":"[r] missing"},"status":404}`)
	f.Add(`{"error":"old style","status":500}`)
	f.Add(`<html>bad gateway</html>`)
	f.Fuzz(func(t *testing.T, body string) {
		e := decodeError(&esapi.Response{StatusCode: http.StatusInternalServerError, Body: io.NopCloser(bytes.NewReader([]byte(body)))})
		_ = e.Type
	})
}

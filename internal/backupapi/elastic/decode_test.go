package elastic

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/esemu"
)

// decodeSnapshotsStdlib is the reference decodeSnapshots is held to: the standard library's
// encoding/json into the fields the driver reads, the metadata a map[string]any, resolved
// from that map.
func decodeSnapshotsStdlib(r io.Reader) ([]backupapi.Snapshot, error) {
	var body struct {
		Snapshots []struct {
			Snapshot          string         `json:"snapshot"`
			State             string         `json:"state"`
			StartTimeInMillis int64          `json:"start_time_in_millis"`
			EndTimeInMillis   int64          `json:"end_time_in_millis"`
			Metadata          map[string]any `json:"metadata"`
			Failures          []struct {
				Reason string `json:"reason"`
			} `json:"failures"`
		} `json:"snapshots"`
	}
	if err := json.NewDecoder(r).Decode(&body); err != nil {
		return nil, err
	}
	out := make([]backupapi.Snapshot, 0, len(body.Snapshots))
	for _, si := range body.Snapshots {
		m, ok := backupapi.ResolveMetadata(si.Snapshot, si.Metadata)
		if !ok {
			continue
		}
		s := backupapi.Snapshot{Name: si.Snapshot, State: si.State, StartTime: millis(si.StartTimeInMillis),
			EndTime: millis(si.EndTimeInMillis), Metadata: m, Failures: make([]string, 0, len(si.Failures))}
		for _, f := range si.Failures {
			s.Failures = append(s.Failures, f.Reason)
		}
		out = append(out, s)
	}
	return out, nil
}

// FuzzDecodeSnapshotsMatchesStdlib holds the decoder to encoding/json: whatever encoding/json
// accepts, the decoder accepts with the same parts, and whatever encoding/json rejects, the
// decoder rejects too (with its own message). It never panics.
func FuzzDecodeSnapshotsMatchesStdlib(f *testing.F) {
	for _, answer := range emulatorAnswers(f) {
		f.Add(answer)
	}
	for _, answer := range decodeCases {
		f.Add(answer.body)
	}
	// Metadata strings: escaped, with invalid UTF-8, of another type, null.
	for _, version := range []string{`"8.\u0038.0"`, "\"8.8\xff\"", `"\ud800"`, `8.8`, `null`, `["8.8.0"]`} {
		f.Add(strings.Replace(`{"snapshots":[`+part1+`]}`, `"version":"8.8.0"`, `"version":`+version, 1))
	}
	f.Fuzz(func(t *testing.T, body string) {
		got, err := decodeSnapshots([]byte(body))
		want, wantErr := decodeSnapshotsStdlib(strings.NewReader(body))
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("%q: decoder error %v, encoding/json error %v", body, err, wantErr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\ndecoder       %+v\nencoding/json %+v", body, got, want)
		}
	})
}

// part1 is a snapshot of a backup, as Elasticsearch lists it.
const part1 = `{"snapshot":"camunda_webapps_1_8.8.0_part_1_of_2","state":"SUCCESS",` +
	`"metadata":{"backupId":1,"version":"8.8.0","partNo":1,"partCount":2},"start_time_in_millis":1735689600000,"end_time_in_millis":1735689600120}`

// decodeCases are answers whose parts a user relies on; want is the parts' names and
// versions, or "error".
var decodeCases = []struct {
	desc, body, want string
}{
	{"a part", `{"snapshots":[` + part1 + `]}`, "camunda_webapps_1_8.8.0_part_1_of_2@8.8.0"},
	{"no snapshots", `{"snapshots":[]}`, ""},
	{"null answer", `null`, ""},
	{"null snapshots", `{"snapshots":null}`, ""},
	{"whitespace and trailing data", " \t\r\n{ \"snapshots\" : [ " + part1 + " ] } trailing", "camunda_webapps_1_8.8.0_part_1_of_2@8.8.0"},
	{"foreign snapshots skipped", `{"snapshots":[{"snapshot":"camunda_optimize_1_8.8.0_part_1_of_2"},null,{"snapshot":"nightly"}]}`, ""},
	{"name when metadata is absent", `{"snapshots":[{"snapshot":"camunda_webapps_3_8.7.0_part_2_of_2"}]}`, "camunda_webapps_3_8.7.0_part_2_of_2@8.7.0"},
	{"escaped name", `{"snapshots":[{"snapshot":"camunda\u005fwebapps_1_8.8.0\/x_part_1_of_1"}]}`, "camunda_webapps_1_8.8.0/x_part_1_of_1@8.8.0/x"},
	{"surrogate pair in version", `{"snapshots":[{"snapshot":"camunda_webapps_1_\ud83d\ude00_part_1_of_1"}]}`, "camunda_webapps_1_\U0001F600_part_1_of_1@\U0001F600"},
	{"lone surrogate is U+FFFD", `{"snapshots":[{"snapshot":"camunda_webapps_1_\ud83dx_part_1_of_1"}]}`, "camunda_webapps_1_\uFFFDx_part_1_of_1@\uFFFDx"},
	{"bytes that are not UTF-8 are U+FFFD", "{\"snapshots\":[{\"snapshot\":\"camunda_webapps_1_\xff_part_1_of_1\"}]}", "camunda_webapps_1_\uFFFD_part_1_of_1@\uFFFD"},
	{"keys match without case", `{"SNAPSHOTS":[{"Snapshot":"camunda_webapps_1_8.8.0_part_1_of_1","Metadata":{"version":"9.0.0","partNo":1,"partCount":1}}]}`, "camunda_webapps_1_8.8.0_part_1_of_1@9.0.0"},
	{"metadata keys match exactly", `{"snapshots":[{"snapshot":"camunda_webapps_1_8.8.0_part_1_of_1","metadata":{"Version":"9.0.0","partNo":1,"partCount":1}}]}`, "camunda_webapps_1_8.8.0_part_1_of_1@8.8.0"},
	{"unknown values skipped", `{"took":[1,{"a":[true,false,null,"\"]"]}],"snapshots":[{"indices":[{"x":-1.5e-3}],"snapshot":"camunda_webapps_1_8.8.0_part_1_of_1","metadata":{"extra":{"deep":[[]]},"version":"9.0.0","partNo":1.0,"partCount":1e0}}]}`, "camunda_webapps_1_8.8.0_part_1_of_1@9.0.0"},
	{"repeated metadata merges", `{"snapshots":[{"snapshot":"camunda_webapps_1_8.8.0_part_1_of_1","metadata":{"version":"9.0.0"},"metadata":{"partNo":1,"partCount":1}}]}`, "camunda_webapps_1_8.8.0_part_1_of_1@9.0.0"},
	{"null metadata clears", `{"snapshots":[{"snapshot":"camunda_webapps_1_8.8.0_part_1_of_1","metadata":{"version":"9.0.0","partNo":1,"partCount":1},"metadata":null}]}`, "camunda_webapps_1_8.8.0_part_1_of_1@8.8.0"},
	{"repeated snapshots merge", `{"snapshots":[{"snapshot":"camunda_webapps_1_8.8.0_part_1_of_1"}],"snapshots":[{"state":"FAILED"}]}`, "camunda_webapps_1_8.8.0_part_1_of_1@8.8.0"},
	{"empty array, not null, starts afresh", `{"snapshots":[{"snapshot":"camunda_webapps_1_8.8.0_part_1_of_1"}],"snapshots":[],"snapshots":[{"state":"FAILED"}]}`, ""},
	{"metadata values of other types", `{"snapshots":[{"snapshot":"camunda_webapps_1_8.8.0_part_1_of_1","metadata":{"version":7,"partNo":"1","partCount":null,"backupId":true}}]}`, "camunda_webapps_1_8.8.0_part_1_of_1@8.8.0"},
	{"repeated metadata key, last wins", `{"snapshots":[{"snapshot":"camunda_webapps_1_8.8.0_part_1_of_1","metadata":{"version":"9.0.0","version":null,"partNo":1,"partCount":1}}]}`, "camunda_webapps_1_8.8.0_part_1_of_1@8.8.0"},
	{"null keeps a name", `{"snapshots":[{"snapshot":"camunda_webapps_1_8.8.0_part_1_of_1","snapshot":null}]}`, "camunda_webapps_1_8.8.0_part_1_of_1@8.8.0"},
	{"cut UTF-8 sequence", "{\"snapshots\":[{\"snapshot\":\"camunda_webapps_1_\xe2\x82_part_1_of_1\"}]}", "camunda_webapps_1_\uFFFD\uFFFD_part_1_of_1@\uFFFD\uFFFD"},
	{"deep value in metadata", `{"snapshots":[{"metadata":{"x":` + strings.Repeat("[", 9996) + strings.Repeat("]", 9996) + `}}]}`, ""},
	{"too deep in metadata", `{"snapshots":[{"metadata":{"x":` + strings.Repeat("[", 9997) + strings.Repeat("]", 9997) + `}}]}`, "error"},
	{"known metadata number out of range", `{"snapshots":[{"metadata":{"partNo":-1e400}}]}`, "error"},
	{"version of another type with a number out of range", `{"snapshots":[{"metadata":{"version":{"a":1e999}}}]}`, "error"},
	{"metadata a boolean", `{"snapshots":[{"metadata":true}]}`, "error"},
	{"failures an object", `{"snapshots":[{"failures":{}}]}`, "error"},
	{"empty", ``, "error"},
	{"truncated", `{"snapshots":[` + part1[:40], "error"},
	{"not an object", `[]`, "error"},
	{"snapshots not an array", `{"snapshots":{}}`, "error"},
	{"name not a string", `{"snapshots":[{"snapshot":1}]}`, "error"},
	{"time with a fraction", `{"snapshots":[{"start_time_in_millis":1.5}]}`, "error"},
	{"time out of range", `{"snapshots":[{"end_time_in_millis":9223372036854775808}]}`, "error"},
	{"metadata not an object", `{"snapshots":[{"metadata":[]}]}`, "error"},
	{"metadata number out of range", `{"snapshots":[{"metadata":{"x":[1e400]}}]}`, "error"},
	{"failure not an object", `{"snapshots":[{"failures":["x"]}]}`, "error"},
	{"bad escape", `{"snapshots":[{"snapshot":"\x"}]}`, "error"},
	{"short unicode escape", `{"snapshots":[{"snapshot":"\u12"}]}`, "error"},
	{"control byte in string", "{\"snapshots\":[{\"snapshot\":\"a\tb\"}]}", "error"},
	{"leading zero", `{"snapshots":[{"start_time_in_millis":01}]}`, "error"},
	{"missing colon", `{"snapshots" []}`, "error"},
	{"trailing comma", `{"snapshots":[],}`, "error"},
	{"bad literal", `{"x":nul}`, "error"},
	{"too deep", `{"x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`, "error"},
}

func TestDecodeSnapshots(t *testing.T) {
	for _, tt := range decodeCases {
		t.Run(tt.desc, func(t *testing.T) {
			snaps, err := decodeSnapshots([]byte(tt.body))
			got := "error"
			if err == nil {
				names := make([]string, len(snaps))
				for i, s := range snaps {
					names[i] = s.Name + "@" + s.Metadata.Version
				}
				got = strings.Join(names, ",")
			}
			if got != tt.want {
				t.Fatalf("decodeSnapshots() = %q (%v), want %q", got, err, tt.want)
			}
			if _, wantErr := decodeSnapshotsStdlib(strings.NewReader(tt.body)); (wantErr != nil) != (err != nil) {
				t.Fatalf("error %v, encoding/json's %v", err, wantErr)
			}
		})
	}
}

func TestDecodeSnapshotsReadsEveryField(t *testing.T) {
	body := `{"snapshots":[{"snapshot":"camunda_webapps_7_8.8.0_part_2_of_3","state":"PARTIAL",` +
		`"start_time_in_millis":1735689600000,"end_time_in_millis":1735689601500,` +
		`"failures":[{"index":"i","reason":"shard \"0\" failed"},null,{"reason":"disk\u0020full"}],` +
		`"metadata":{"backupId":7,"version":"8.8.0","partNo":2,"partCount":3}}]}`
	got, err := decodeSnapshots([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := []backupapi.Snapshot{{
		Name:      "camunda_webapps_7_8.8.0_part_2_of_3",
		State:     "PARTIAL",
		StartTime: millis(1735689600000),
		EndTime:   millis(1735689601500),
		Metadata:  backupapi.Metadata{BackupID: 7, Version: "8.8.0", PartNo: 2, PartCount: 3},
		Failures:  []string{`shard "0" failed`, "", "disk full"},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeSnapshots() =\n%+v\nwant\n%+v", got, want)
	}
}

// emulatorAnswers returns real get-snapshots answers of the emulator: filtered as the driver
// asks and unfiltered, verbose and not, with completed and failed parts.
func emulatorAnswers(tb testing.TB) []string {
	tb.Helper()
	srv, err := esemu.New(esemu.Config{DataDir: tb.TempDir(), PathRepo: []string{tb.TempDir()}, SnapshotDelay: -1})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = srv.Close() })
	hs := httptest.NewServer(srv.Handler())
	tb.Cleanup(hs.Close)
	call := func(method, path, body string) string {
		req, err := http.NewRequest(method, hs.URL+path, strings.NewReader(body))
		if err != nil {
			tb.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			tb.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil || res.StatusCode != http.StatusOK {
			tb.Fatalf("%s %s: %d %s %v", method, path, res.StatusCode, b, err)
		}
		return string(b)
	}
	call(http.MethodPut, "/_snapshot/repo", `{"type":"fs","settings":{"location":"repo"}}`)
	call(http.MethodPut, "/tiny", `{}`)
	srv.Faults().FailSnapshots("*_part_2_of_2", "PARTIAL", `shard "0" failed: \ disk full`)
	for p := 1; p <= 2; p++ {
		m := backupapi.Metadata{BackupID: 20250401, Version: "8.8.0", PartNo: p, PartCount: 2}
		body, _ := json.Marshal(map[string]any{"indices": "tiny", "metadata": m.Map()})
		call(http.MethodPut, "/_snapshot/repo/"+m.SnapshotName()+"?wait_for_completion=true", string(body))
	}
	call(http.MethodPut, "/_snapshot/repo/camunda_optimize_1_8.8.0_part_1_of_1?wait_for_completion=true", `{"indices":"tiny"}`)
	var answers []string
	for _, query := range []string{
		"verbose=true&filter_path=" + snapshotFields,
		"verbose=false&filter_path=" + snapshotFields,
		"verbose=true",
		"verbose=false&index_names=false",
	} {
		answers = append(answers, call(http.MethodGet, "/_snapshot/repo/*?ignore_unavailable=true&"+query, ""))
	}
	return answers
}

func TestDecodeSnapshotsOfEmulatorAnswers(t *testing.T) {
	for i, answer := range emulatorAnswers(t) {
		got, err := decodeSnapshots([]byte(answer))
		if err != nil || len(got) != 2 {
			t.Fatalf("answer %d: %d parts, %v; want 2 in %s", i, len(got), err, answer)
		}
		want, _ := decodeSnapshotsStdlib(strings.NewReader(answer))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("answer %d: %+v, encoding/json %+v", i, got, want)
		}
	}
}

// TestDecodeSnapshotsOfListAnswer checks the benchmark's answer of 6,000 parts against encoding/json.
func TestDecodeSnapshotsOfListAnswer(t *testing.T) {
	body := listAnswer(1000)
	got, err := decodeSnapshots(body)
	want, wantErr := decodeSnapshotsStdlib(bytes.NewReader(body))
	if err != nil || wantErr != nil || len(got) != 6000 || !reflect.DeepEqual(got, want) {
		t.Fatalf("%d parts, %v; encoding/json %d, %v", len(got), err, len(want), wantErr)
	}
}

package reliability

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// malformed is one malformed request to the backup API and the contract's answer to it.
type malformed struct {
	name, method, path, body string
	header                   map[string]string
	chunked                  bool // send the body without a Content-Length
	auth                     bool // to the server that requires a bearer token
	want                     int
}

const apiToken = "reliability-token"

// oversized is a create body just over the 1 MiB limit.
var oversized = `{"backupId": 1, "padding": "` + strings.Repeat("x", 1<<20) + `"}`

var malformedRequests = []malformed{
	// Wrong methods on each path.
	{name: "PUT list", method: http.MethodPut, path: "/actuator/backupHistory", want: 405},
	{name: "DELETE list", method: http.MethodDelete, path: "/actuator/backupHistory", want: 405},
	{name: "PATCH list", method: http.MethodPatch, path: "/actuator/backupHistory", want: 405},
	{name: "POST one", method: http.MethodPost, path: "/actuator/backupHistory/1", body: `{"backupId": 1}`, want: 405},
	{name: "PUT one", method: http.MethodPut, path: "/actuator/backupHistory/1", want: 405},
	{name: "PATCH one", method: http.MethodPatch, path: "/actuator/backupHistory/1", want: 405},
	{name: "POST health", method: http.MethodPost, path: "/actuator/health", want: 405},
	{name: "DELETE standalone list", method: http.MethodDelete, path: "/actuator/backups", want: 405},
	// Unknown paths.
	{name: "root", method: http.MethodGet, path: "/", want: 404},
	{name: "actuator", method: http.MethodGet, path: "/actuator", want: 404},
	{name: "misspelt endpoint", method: http.MethodGet, path: "/actuator/backupHistroy", want: 404},
	{name: "lower-case endpoint", method: http.MethodGet, path: "/actuator/backuphistory", want: 404},
	{name: "extra segment", method: http.MethodGet, path: "/actuator/backupHistory/1/details", want: 404},
	{name: "trailing slash", method: http.MethodGet, path: "/actuator/backupHistory/", want: 404},
	{name: "Elasticsearch API", method: http.MethodGet, path: "/_snapshot/camunda-backup/_all", want: 404},
	// Path traversal.
	{name: "dot-dot", method: http.MethodGet, path: "/actuator/backupHistory/../health", want: 404},
	{name: "escaped dot-dot", method: http.MethodGet, path: "/actuator/backupHistory/%2e%2e/%2e%2e/etc/passwd", want: 404},
	{name: "double slash", method: http.MethodGet, path: "//actuator/backupHistory", want: 404},
	{name: "escaped traversal in id", method: http.MethodDelete, path: "/actuator/backupHistory/1%2f..%2f2", want: 404},
	// Backup ids in the path.
	{name: "id 0", method: http.MethodGet, path: "/actuator/backupHistory/0", want: 400},
	{name: "id -1", method: http.MethodDelete, path: "/actuator/backupHistory/-1", want: 400},
	{name: "id 1.5", method: http.MethodGet, path: "/actuator/backupHistory/1.5", want: 400},
	{name: "id 1e3", method: http.MethodGet, path: "/actuator/backupHistory/1e3", want: 400},
	{name: "id over int64", method: http.MethodGet, path: "/actuator/backupHistory/9223372036854775808", want: 400},
	{name: "id huge", method: http.MethodDelete, path: "/actuator/backupHistory/" + strings.Repeat("9", 300), want: 400},
	{name: "id letters", method: http.MethodGet, path: "/actuator/backupHistory/abc", want: 400},
	{name: "id hex", method: http.MethodGet, path: "/actuator/backupHistory/0x10", want: 400},
	{name: "id unicode digit", method: http.MethodGet, path: "/actuator/backupHistory/%D9%A1", want: 400},
	{name: "id fullwidth digit", method: http.MethodDelete, path: "/actuator/backupHistory/%EF%BC%91", want: 400},
	{name: "id with space", method: http.MethodGet, path: "/actuator/backupHistory/1%20", want: 400},
	// Create bodies.
	{name: "body empty", method: http.MethodPost, path: "/actuator/backupHistory", want: 400},
	{name: "body blank", method: http.MethodPost, path: "/actuator/backupHistory", body: " \n\t", want: 400},
	{name: "body not JSON", method: http.MethodPost, path: "/actuator/backupHistory", body: `backupId=1`, want: 400},
	{name: "body array", method: http.MethodPost, path: "/actuator/backupHistory", body: `[{"backupId": 1}]`, want: 400},
	{name: "body null", method: http.MethodPost, path: "/actuator/backupHistory", body: `null`, want: 400},
	{name: "body string", method: http.MethodPost, path: "/actuator/backupHistory", body: `"1"`, want: 400},
	{name: "body number", method: http.MethodPost, path: "/actuator/backupHistory", body: `1`, want: 400},
	{name: "body truncated", method: http.MethodPost, path: "/actuator/backupHistory", body: `{"backupId": 1`, want: 400},
	{name: "body trailing garbage", method: http.MethodPost, path: "/actuator/backupHistory", body: `{"backupId": 1} x`, want: 400},
	{name: "body two objects", method: http.MethodPost, path: "/actuator/backupHistory", body: `{"backupId": 1}{"backupId": 2}`, want: 400},
	{name: "body without backupId", method: http.MethodPost, path: "/actuator/backupHistory", body: `{"id": 1}`, want: 400},
	{name: "backupId misspelt", method: http.MethodPost, path: "/actuator/backupHistory", body: `{"backupID": 1}`, want: 400},
	{name: "backupId nested", method: http.MethodPost, path: "/actuator/backupHistory", body: `{"backupId": {"value": 1}}`, want: 400},
	{name: "backupId array", method: http.MethodPost, path: "/actuator/backupHistory", body: `{"backupId": [1]}`, want: 400},
	{name: "backupId string", method: http.MethodPost, path: "/actuator/backupHistory", body: `{"backupId": "1"}`, want: 400},
	{name: "backupId float", method: http.MethodPost, path: "/actuator/backupHistory", body: `{"backupId": 1.5}`, want: 400},
	{name: "backupId 1.0", method: http.MethodPost, path: "/actuator/backupHistory", body: `{"backupId": 1.0}`, want: 400},
	{name: "backupId exponent", method: http.MethodPost, path: "/actuator/backupHistory", body: `{"backupId": 1e3}`, want: 400},
	{name: "backupId bool", method: http.MethodPost, path: "/actuator/backupHistory", body: `{"backupId": true}`, want: 400},
	{name: "backupId null", method: http.MethodPost, path: "/actuator/backupHistory", body: `{"backupId": null}`, want: 400},
	{name: "backupId over int64", method: http.MethodPost, path: "/actuator/backupHistory", body: `{"backupId": 9223372036854775808}`, want: 400},
	{name: "backupId huge", method: http.MethodPost, path: "/actuator/backupHistory", body: `{"backupId": ` + strings.Repeat("9", 5000) + `}`, want: 400},
	{name: "backupId negative", method: http.MethodPost, path: "/actuator/backupHistory", body: `{"backupId": -1}`, want: 400},
	{name: "backupId zero", method: http.MethodPost, path: "/actuator/backupHistory", body: `{"backupId": 0}`, want: 400},
	{name: "backupId duplicate key, last invalid", method: http.MethodPost, path: "/actuator/backupHistory", body: `{"backupId": 7, "backupId": "x"}`, want: 400},
	{name: "body over 1 MiB with length", method: http.MethodPost, path: "/actuator/backupHistory", body: oversized, want: 413},
	{name: "body over 1 MiB chunked", method: http.MethodPost, path: "/actuator/backupHistory", body: oversized, chunked: true, want: 413},
	{name: "body not JSON as text/plain", method: http.MethodPost, path: "/actuator/backupHistory", body: `backup 1 please`,
		header: map[string]string{"Content-Type": "text/plain"}, want: 400},
	{name: "gzip declared, plain garbage", method: http.MethodPost, path: "/actuator/backupHistory", body: "\x1f\x8b garbage",
		header: map[string]string{"Content-Encoding": "gzip"}, want: 400},
	// Authentication, on the server that requires a token.
	{name: "no credentials", method: http.MethodGet, path: "/actuator/backupHistory", auth: true, want: 401},
	{name: "wrong token", method: http.MethodGet, path: "/actuator/backupHistory/1", auth: true,
		header: map[string]string{"Authorization": "Bearer not-" + apiToken}, want: 401},
	{name: "empty bearer", method: http.MethodPost, path: "/actuator/backupHistory", body: `{"backupId": 1}`, auth: true,
		header: map[string]string{"Authorization": "Bearer "}, want: 401},
	{name: "token as basic auth", method: http.MethodDelete, path: "/actuator/backupHistory/1", auth: true,
		header: map[string]string{"Authorization": "Basic cmVsaWFiaWxpdHktdG9rZW46"}, want: 401},
	{name: "token without scheme", method: http.MethodGet, path: "/actuator/backupHistory", auth: true,
		header: map[string]string{"Authorization": apiToken}, want: 401},
	// List queries.
	{name: "pattern letters", method: http.MethodGet, path: "/actuator/backupHistory?pattern=abc", want: 400},
	{name: "pattern inner star", method: http.MethodGet, path: "/actuator/backupHistory?pattern=1*2", want: 400},
	{name: "pattern two stars", method: http.MethodGet, path: "/actuator/backupHistory?pattern=**", want: 400},
	{name: "pattern negative", method: http.MethodGet, path: "/actuator/backupHistory?pattern=-1", want: 400},
	{name: "pattern snapshot name", method: http.MethodGet, path: "/actuator/backupHistory?pattern=camunda_webapps_1_*", want: 400},
	{name: "pattern comma list", method: http.MethodGet, path: "/actuator/backupHistory?pattern=1,2", want: 400},
	{name: "pattern 21 characters", method: http.MethodGet, path: "/actuator/backupHistory?pattern=" + strings.Repeat("1", 21), want: 400},
	{name: "pattern repeated, first invalid", method: http.MethodGet, path: "/actuator/backupHistory?pattern=abc&pattern=1", want: 400},
	{name: "verbose bogus", method: http.MethodGet, path: "/actuator/backupHistory?verbose=yes", want: 400},
	{name: "verbose number", method: http.MethodGet, path: "/actuator/backupHistory?verbose=1", want: 400},
	{name: "verbose repeated, first invalid", method: http.MethodGet, path: "/actuator/backupHistory?verbose=maybe&verbose=true", want: 400},
}

// TestMalformedRequests sends malformed requests to the server (standalone, as the binary
// runs by default) over loopback: each is
// answered with the contract's 4xx status and a JSON message that shows no internal address.
func TestMalformedRequests(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	open := httptest.NewServer(server.NewHandler(server.Options{Backups: s.driver, Standalone: true}))
	t.Cleanup(open.Close)
	guarded := httptest.NewServer(server.NewHandler(server.Options{Backups: s.driver, Standalone: true, BearerToken: apiToken}))
	t.Cleanup(guarded.Close)
	esAddress := strings.TrimPrefix(s.be.URL, "http://")
	for _, tc := range malformedRequests {
		t.Run(tc.name, func(t *testing.T) {
			base := open.URL
			if tc.auth {
				base = guarded.URL
			}
			res := send(t, base, tc)
			if res.status != tc.want {
				t.Errorf("%s %.80s: %d %.300s, want %d", tc.method, tc.path, res.status, res.body, tc.want)
			}
			if !strings.HasPrefix(res.contentType, "application/json") {
				t.Errorf("Content-Type %q, want application/json", res.contentType)
			}
			var e backupapi.ErrorResponse
			if err := json.Unmarshal([]byte(res.body), &e); err != nil || strings.TrimSpace(e.Message) == "" {
				t.Errorf("body %.300q is not a JSON {\"message\": ...} with a message", res.body)
			}
			if strings.Contains(res.body, esAddress) || strings.Contains(res.body, "127.0.0.1:") {
				t.Errorf("the answer shows an internal address: %.300s", res.body)
			}
		})
	}
	if names := s.be.SnapshotNames(t, repo); len(names) != 0 {
		t.Errorf("malformed requests took snapshots: %v", names)
	}
}

// reply is what send read back.
type reply struct {
	status            int
	contentType, body string
}

// send sends one malformed request as it is: the path is not cleaned or re-escaped.
func send(t *testing.T, base string, tc malformed) reply {
	t.Helper()
	var body io.Reader = strings.NewReader(tc.body)
	if tc.chunked {
		body = io.MultiReader(body) // hides the length: the request goes chunked
	}
	req, err := http.NewRequestWithContext(context.Background(), tc.method, base+tc.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if tc.chunked {
		req.ContentLength = -1
	}
	if tc.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range tc.header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %.80s: %v", tc.method, tc.path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return reply{status: res.StatusCode, contentType: res.Header.Get("Content-Type"), body: string(b)}
}

// TestAccMalformedProviderConfigurations gives terraform configurations and import ids that
// the provider must refuse with a clear error (those the provider's own tests do not cover).
func TestAccMalformedProviderConfigurations(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	valid := "  backup_id = 9\n"
	for _, tc := range []struct {
		name, providerExtra, resource, importID string
		want                                    string
	}{
		{name: "backup_id -1", resource: "  backup_id = -1\n", want: `(?s)Invalid Backup ID.*-1 is out of range`},
		{name: "backup_id 1.5", resource: "  backup_id = 1.5\n", want: `(?s)backup_id.*(integer|whole number)`},
		{name: "backup_id string", resource: "  backup_id = \"seven\"\n", want: `(?s)backup_id.*number is required`},
		{name: "backup_id missing", resource: "  wait_for_completion = true\n", want: `(?s)Missing required argument.*backup_id`},
		{name: "create timeout not a duration", resource: valid + "  timeouts {\n    create = \"soon\"\n  }\n", want: `(?s)Invalid Attribute Value Time Duration.*soon`},
		{name: "delete timeout without unit", resource: valid + "  timeouts {\n    delete = \"10\"\n  }\n", want: `(?s)Invalid Attribute Value Time Duration.*"10"`},
		{name: "unknown timeout", resource: valid + "  timeouts {\n    update = \"1m\"\n  }\n", want: `(?s)Unsupported argument.*update`},
		{name: "retry_max_wait zero", providerExtra: "  retry_max_wait = \"0s\"\n", resource: valid, want: `(?s)retry_max_wait.*must be positive`},
		{name: "request_timeout negative", providerExtra: "  request_timeout = \"-1s\"\n", resource: valid, want: `(?s)request_timeout.*must be positive`},
		{name: "retries negative", providerExtra: "  retries = -1\n", resource: valid, want: `(?s)retries.*between 0 and 10`},
		{name: "import id 0", resource: valid, importID: "0", want: `(?s)Invalid Import ID.*positive integer`},
		{name: "import id -3", resource: valid, importID: "-3", want: `(?s)Invalid Import ID.*positive integer`},
		{name: "import id 1.5", resource: valid, importID: "1.5", want: `(?s)Invalid Import ID.*positive integer`},
		{name: "import id abc", resource: valid, importID: "abc", want: `(?s)Invalid Import ID.*positive integer`},
		{name: "import id with space", resource: valid, importID: " 9", want: `(?s)Invalid Import ID.*positive integer`},
		{name: "import id over int64", resource: valid, importID: "9223372036854775808", want: `(?s)Invalid Import ID.*positive integer`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			step := resource.TestStep{
				Config:      backupHCL(s.api.URL, tc.providerExtra, tc.resource),
				ExpectError: regexp.MustCompile(tc.want),
			}
			if tc.importID != "" {
				step.ResourceName, step.ImportState, step.ImportStateId = backupAddr, true, tc.importID
			}
			resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: providerFactories, Steps: []resource.TestStep{step}})
		})
	}
	if names := s.be.SnapshotNames(t, repo); len(names) != 0 {
		t.Errorf("refused configurations took snapshots: %v", names)
	}
}

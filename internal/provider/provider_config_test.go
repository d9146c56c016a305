package provider

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

func envOf(vars map[string]string) getenv { return func(name string) string { return vars[name] } }

func TestResolveBackendAndEnvironment(t *testing.T) {
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, []byte("PEM"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		model providerModel
		env   map[string]string
		check func(t *testing.T, s settings)
	}{
		{
			name: "actuator from the environment alone, with defaults",
			env:  map[string]string{envActuatorURL: "http://camunda:9600", envActuatorToken: "secret", envRepository: "backups"},
			check: func(t *testing.T, s settings) {
				want := actuatorSettings{url: "http://camunda:9600", endpoint: "backupHistory", token: "secret", repository: "backups"}
				if s.backend != backendActuator || s.actuator != want {
					t.Errorf("got %s %+v, want actuator %+v", s.backend, s.actuator, want)
				}
				if s.requestTimeout != 30*time.Second || s.retries != 3 || s.retryMaxWait != 5*time.Second {
					t.Errorf("defaults: %v %d %v", s.requestTimeout, s.retries, s.retryMaxWait)
				}
			},
		},
		{
			name: "a configured value wins over the environment",
			model: providerModel{Actuator: &actuatorModel{URL: types.StringValue("https://configured:9600"), Endpoint: types.StringValue("backups")},
				RequestTimeout: types.StringValue("2s"), Retries: types.Int64Value(0)},
			env: map[string]string{envActuatorURL: "http://env:9600", envESURL: "http://es:9200"},
			check: func(t *testing.T, s settings) {
				if s.actuator.url != "https://configured:9600" || s.actuator.endpoint != "backups" || s.requestTimeout != 2*time.Second || s.retries != 0 {
					t.Errorf("got %+v", s)
				}
			},
		},
		{
			name: "elasticsearch from the environment: URL list, credentials, CA file, prefix",
			env: map[string]string{envESURL: "http://es1:9200, http://es2:9200", envESAPIKey: "key", envESCAFile: ca,
				envRepository: "camunda", envIndexPrefix: "prod"},
			check: func(t *testing.T, s settings) {
				e := s.elasticsearch
				if s.backend != backendElasticsearch || !slices.Equal(e.urls, []string{"http://es1:9200", "http://es2:9200"}) ||
					e.apiKey != "key" || string(e.caPEM) != "PEM" || e.repository != "camunda" || e.indexPrefix != "prod" ||
					e.recordsPrefix != "zeebe-record" {
					t.Errorf("got %+v", e)
				}
			},
		},
		{
			name: "the zeebe-record index prefix: configured over the environment",
			model: providerModel{Actuator: &actuatorModel{URL: types.StringValue("http://camunda:9600")},
				Elasticsearch: &elasticsearchModel{RecordsPrefix: types.StringValue("prod-records")}},
			env: map[string]string{envESURL: "http://es:9200", envRepository: "r", envRecordsPrefix: "env-records"},
			check: func(t *testing.T, s settings) {
				if s.elasticsearch.recordsPrefix != "prod-records" {
					t.Errorf("prefix %q", s.elasticsearch.recordsPrefix)
				}
			},
		},
		{
			name:  "the zeebe-record index prefix from the environment",
			model: providerModel{Actuator: &actuatorModel{URL: types.StringValue("http://camunda:9600")}, Elasticsearch: &elasticsearchModel{}},
			env:   map[string]string{envESURL: "http://es:9200", envRepository: "r", envRecordsPrefix: "env-records"},
			check: func(t *testing.T, s settings) {
				if s.elasticsearch.recordsPrefix != "env-records" {
					t.Errorf("prefix %q", s.elasticsearch.recordsPrefix)
				}
			},
		},
		{
			name: "inline CA wins over the CA file of the environment",
			model: providerModel{Elasticsearch: &elasticsearchModel{
				URLs:   types.ListValueMust(types.StringType, []attr.Value{types.StringValue("https://es:9200")}),
				CAPEM:  types.StringValue("INLINE"),
				CAFile: types.StringNull(), Repository: types.StringValue("r"),
			}},
			env: map[string]string{envESCAFile: "/nonexistent"},
			check: func(t *testing.T, s settings) {
				if string(s.elasticsearch.caPEM) != "INLINE" {
					t.Errorf("CA = %q", s.elasticsearch.caPEM)
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, diags := resolve(tc.model, envOf(tc.env))
			if diags.HasError() {
				t.Fatalf("resolve: %v", diags)
			}
			tc.check(t, s)
		})
	}
}

func TestResolveErrorsNameTheAttribute(t *testing.T) {
	for _, tc := range []struct {
		name  string
		model providerModel
		env   map[string]string
		path  string // "" for an error on no attribute
		want  string
	}{
		{"both blocks: the actuator is the backend", providerModel{Actuator: &actuatorModel{}, Elasticsearch: &elasticsearchModel{}}, nil, "actuator.url", "Invalid Actuator URL"},
		{"nothing at all", providerModel{}, nil, "", "No Backend Configured"},
		{"both in the environment", providerModel{}, map[string]string{envActuatorURL: "http://a:1", envESURL: "http://e:1"}, "", "Ambiguous Backend"},
		{"actuator without URL", providerModel{Actuator: &actuatorModel{}}, nil, "actuator.url", "Invalid Actuator URL"},
		{"token from env and basic auth", providerModel{Actuator: &actuatorModel{URL: types.StringValue("http://a:1"), Username: types.StringValue("u")}},
			map[string]string{envActuatorToken: "t"}, "actuator.token", "Conflicting Actuator Credentials"},
		{"elasticsearch without URL", providerModel{Elasticsearch: &elasticsearchModel{Repository: types.StringValue("r")}}, nil, "elasticsearch.urls", "Missing Elasticsearch URL"},
		{"elasticsearch URL from env not http", providerModel{Elasticsearch: &elasticsearchModel{Repository: types.StringValue("r")}},
			map[string]string{envESURL: "es:9200"}, "elasticsearch.urls", "Invalid Elasticsearch URL"},
		{"elasticsearch without repository", providerModel{}, map[string]string{envESURL: "http://e:1"}, "elasticsearch.repository", "Missing Snapshot Repository"},
		{"unreadable CA file", providerModel{}, map[string]string{envESURL: "http://e:1", envRepository: "r", envESCAFile: "/nonexistent/ca.pem"},
			"elasticsearch.ca_file", "Unreadable CA File"},
		{"empty zeebe-record index prefix", providerModel{Elasticsearch: &elasticsearchModel{RecordsPrefix: types.StringValue("")}},
			map[string]string{envESURL: "http://e:1", envRepository: "r"}, "elasticsearch.zeebe_records_index_prefix", "Invalid Index Prefix"},
		{"zeebe-record index prefix with a wildcard", providerModel{Elasticsearch: &elasticsearchModel{RecordsPrefix: types.StringValue("zeebe*")}},
			map[string]string{envESURL: "http://e:1", envRepository: "r"}, "elasticsearch.zeebe_records_index_prefix", "Invalid Index Prefix"},
		{"zeebe-record index prefix in capitals, from the environment", providerModel{},
			map[string]string{envESURL: "http://e:1", envRepository: "r", envRecordsPrefix: "Zeebe"}, "elasticsearch.zeebe_records_index_prefix", "Invalid Index Prefix"},
		{"bad duration", providerModel{RetryMaxWait: types.StringValue("-1s")}, map[string]string{envActuatorURL: "http://a:1"}, "retry_max_wait", "Invalid Duration"},
		{"unknown value", providerModel{Actuator: &actuatorModel{URL: types.StringUnknown()}}, nil, "actuator.url", "Unknown Provider Configuration"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := resolve(tc.model, envOf(tc.env))
			if !diags.HasError() {
				t.Fatal("resolve succeeded, want an error")
			}
			d := diags.Errors()[0]
			got := ""
			if p, ok := d.(diag.DiagnosticWithPath); ok {
				got = p.Path().String()
			}
			if d.Summary() != tc.want || got != tc.path {
				t.Errorf("error %q at %q (%s), want %q at %q", d.Summary(), got, d.Detail(), tc.want, tc.path)
			}
		})
	}
}

func TestDescribeErrorAdvises(t *testing.T) {
	for _, tc := range []struct {
		err           error
		summary, hint string
	}{
		{backupapi.AlreadyExists(7, []string{"camunda_webapps_7_8.8.0_part_1_of_5"}), "Backup Already Exists", "terraform import camunda_webapp_backup.<name> <backup_id>"},
		{backupapi.RepositoryMissing("camunda"), "Snapshot Repository Missing", "PUT _snapshot"},
		{backupapi.MissingIndices([]string{"operate-list-view-8.3.0_"}), "Web-Application Indices Missing", "indexPrefix"},
		{backupapi.Unavailable(nil, "GET backups: connection refused"), "Backup Backend Unreachable", "retries"},
		{backupapi.BackupRunning(), "Another Backup Is Running", "Wait"},
		{backupapi.Unauthorized(nil, "GET backup 7: the server answered 401"), "Authentication Failed", "CAMUNDA_ACTUATOR_TOKEN"},
		{backupapi.EndpointNotFound("GET http://camunda:9600/actuator/actuator/backupHistory/7 answered 404"), "Backup API Not Found", "without /actuator"},
		{errors.New("something else"), "Backup Backend Error", "something else"},
		// The cause of a connection failure stays, without the credentials in its URL.
		{backupapi.Unavailable(errors.New("Get \"https://elastic:secret@es:9200/\": x509: certificate signed by unknown authority"), "list backups: TLS"),
			"Backup Backend Unreachable", "x509: certificate signed by unknown authority"},
	} {
		summary, detail := describeError("creating backup 7", tc.err)
		if summary != tc.summary || !strings.Contains(detail, tc.hint) || !strings.Contains(detail, "While creating backup 7: "+tc.err.Error()) ||
			strings.Contains(detail, "secret") {
			t.Errorf("%v: got %q / %q", tc.err, summary, detail)
		}
	}
}

package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// TestResolveSetSettings: the whole backup's settings come from the configuration or the
// environment, an elasticsearch block beside the actuator block gives it Elasticsearch
// access without changing the backend, and bad URLs are errors on their attribute.
func TestResolveSetSettings(t *testing.T) {
	for _, tc := range []struct {
		name        string
		model       providerModel
		env         map[string]string
		optimize    string
		zeebe       string
		recordsES   bool
		errorAt     string
		resumeShows string
	}{
		{"optimize from the environment", providerModel{Actuator: &actuatorModel{URL: types.StringValue("http://camunda:9600")}},
			map[string]string{envOptimizeURL: "http://optimize:8092"}, "http://optimize:8092", "", false, "",
			"curl -X POST http://camunda:9600/actuator/exporting/resume"},
		{"configured wins over the environment", providerModel{Actuator: &actuatorModel{URL: types.StringValue("http://camunda:9600"),
			OptimizeURL: types.StringValue("http://opt:8092"), ZeebeURL: types.StringValue("http://zeebe:9600/")}},
			map[string]string{envOptimizeURL: "http://other:8092", envZeebeURL: "http://other:9600"}, "http://opt:8092", "http://zeebe:9600/", false, "",
			"curl -X POST http://zeebe:9600/actuator/exporting/resume"},
		{"both blocks", providerModel{Actuator: &actuatorModel{URL: types.StringValue("http://camunda:9600"), Token: types.StringValue("s3cret")},
			Elasticsearch: &elasticsearchModel{URLs: types.ListNull(types.StringType), Repository: types.StringValue("r")}},
			map[string]string{envESURL: "http://es:9200"}, "", "", true, "",
			`curl -X POST -H "Authorization: Bearer $CAMUNDA_ACTUATOR_TOKEN" http://camunda:9600/actuator/exporting/resume`},
		{"bad optimize URL", providerModel{Actuator: &actuatorModel{URL: types.StringValue("http://camunda:9600"),
			OptimizeURL: types.StringValue("http://optimize:8092/actuator")}}, nil, "", "", false, "actuator.optimize_url", ""},
		{"unknown zeebe URL", providerModel{Actuator: &actuatorModel{URL: types.StringValue("http://camunda:9600"), ZeebeURL: types.StringUnknown()}},
			nil, "", "", false, "actuator.zeebe_url", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, diags := resolve(tc.model, envOf(tc.env))
			if tc.errorAt != "" {
				if !hasErrorAt(diags, tc.errorAt) {
					t.Fatalf("diagnostics %v, want an error on %s", diags, tc.errorAt)
				}
				return
			}
			if diags.HasError() {
				t.Fatalf("resolve: %v", diags)
			}
			if s.backend != backendActuator || s.actuator.optimizeURL != tc.optimize || s.actuator.zeebeURL != tc.zeebe || s.recordsES != tc.recordsES {
				t.Fatalf("settings %+v", s)
			}
			b, err := newBackend(s)
			if err != nil {
				t.Fatal(err)
			}
			if (b.set.Optimize != nil) != (tc.optimize != "") || (b.set.Records != nil) != tc.recordsES {
				t.Errorf("set has Optimize %v, Records %v", b.set.Optimize != nil, b.set.Records != nil)
			}
			if b.set.ResumeRequest != tc.resumeShows || strings.Contains(b.set.ResumeRequest, "s3cret") {
				t.Errorf("resume request %q, want %q", b.set.ResumeRequest, tc.resumeShows)
			}
		})
	}
}

func hasErrorAt(diags diag.Diagnostics, path string) bool {
	for _, d := range diags.Errors() {
		if p, ok := d.(diag.DiagnosticWithPath); ok && p.Path().String() == path {
			return true
		}
	}
	return false
}

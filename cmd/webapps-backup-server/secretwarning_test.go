package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestSecretOnCommandLineWarns: a secret given as a flag is accepted with a warning naming
// the environment variable to use instead; from the environment, no warning.
func TestSecretOnCommandLineWarns(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"api token flag", []string{"--api-token", "t0k"}, nil, "WEBAPPS_BACKUP_API_TOKEN"},
		{"elastic password flag", []string{"--elastic-password", "pw"}, nil, "WEBAPPS_BACKUP_ELASTIC_PASSWORD"},
		{"api token from the environment", nil, map[string]string{"WEBAPPS_BACKUP_API_TOKEN": "t0k"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			getenv := func(k string) string {
				if k == "HOME" {
					return t.TempDir()
				}
				return tt.env[k]
			}
			o, err := parse(tt.args, getenv, &stderr)
			if err != nil {
				t.Fatal(err)
			}
			if o.cfg.APIToken == "" && o.cfg.ElasticPassword == "" {
				t.Fatalf("the secret was not taken")
			}
			got := stderr.String()
			if tt.want == "" {
				if got != "" {
					t.Fatalf("unexpected output %q", got)
				}
				return
			}
			if !strings.Contains(got, "warning") || !strings.Contains(got, tt.want) {
				t.Fatalf("stderr %q, want a warning naming %s", got, tt.want)
			}
			if strings.Contains(got, "t0k") || strings.Contains(got, "pw\n") {
				t.Fatalf("the warning shows the secret: %q", got)
			}
		})
	}
}

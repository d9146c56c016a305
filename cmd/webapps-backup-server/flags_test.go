package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, []byte("PEM"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"HOME":                                    "/home/u",
		"WEBAPPS_BACKUP_ELASTICSEARCH_URL":        "http://a:9200, http://b:9200",
		"WEBAPPS_BACKUP_ELASTICSEARCH_PASSWORD":   "pw",
		"WEBAPPS_BACKUP_INCOMPLETE_CHECK_TIMEOUT": "3m",
		"WEBAPPS_BACKUP_STANDALONE":               "false",
		"WEBAPPS_BACKUP_API_TOKEN":                "tok",
		"WEBAPPS_BACKUP_REPOSITORY":               "from-env",
	}
	o, err := parse([]string{"--repository", "camunda", "--elasticsearch-ca-file", ca}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	c := o.cfg
	if !slices.Equal(c.ElasticsearchURLs, []string{"http://a:9200", "http://b:9200"}) || c.Password != "pw" ||
		c.IncompleteCheckTimeout != 3*time.Minute || c.Standalone || c.APIToken != "tok" || c.Repository != "camunda" ||
		string(c.CACert) != "PEM" || c.DataDir != "" {
		t.Fatalf("config %+v", c)
	}
	o, err = parse([]string{"--elasticsearch-url", "http://c:9200", "--elasticsearch-url", "http://d:9200,http://e:9200"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil || !slices.Equal(o.cfg.ElasticsearchURLs, []string{"http://c:9200", "http://d:9200", "http://e:9200"}) {
		t.Fatalf("flags replace the environment's URLs: %v %v", o.cfg.ElasticsearchURLs, err)
	}
	o, err = parse(nil, func(k string) string { return map[string]string{"HOME": "/home/u"}[k] }, io.Discard)
	if err != nil || o.cfg.DataDir != "/home/u/.local/share/camunda-webapps-backup" || !o.cfg.Standalone || o.cfg.Listen != "127.0.0.1:9600" || o.cfg.EmbeddedListen != "127.0.0.1:9200" {
		t.Fatalf("defaults: %+v %v", o.cfg, err)
	}
	o, _ = parse(nil, func(k string) string { return map[string]string{"XDG_DATA_HOME": "/xdg"}[k] }, io.Discard)
	if o.cfg.DataDir != "/xdg/camunda-webapps-backup" {
		t.Fatalf("data dir under XDG_DATA_HOME: %q", o.cfg.DataDir)
	}
}

func TestBadArguments(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--log-format", "xml"}, nil, "invalid --log-format"},
		{[]string{"--listen", "0.0.0.0:9600"}, nil, "not a loopback address"},
		{[]string{"--incomplete-check-timeout", "soon"}, nil, "invalid value"},
		{nil, map[string]string{"WEBAPPS_BACKUP_STANDALONE": "maybe"}, "invalid WEBAPPS_BACKUP_STANDALONE"},
		{[]string{"--elasticsearch-url", "http://user:secret@es:9200"}, nil, "must not carry credentials"},
		{[]string{"--api-token", "t", "--api-username", "u", "--api-password", "p"}, nil, "either an API token"},
		{[]string{"--elasticsearch-ca-file", "/nonexistent/ca.pem"}, nil, "read --elasticsearch-ca-file"},
		{[]string{"extra"}, nil, "unexpected arguments"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			env := map[string]string{"HOME": t.TempDir()}
			for k, v := range tc.env {
				env[k] = v
			}
			var stderr bytes.Buffer
			code := run(context.Background(), append(tc.args, "--data-dir", t.TempDir()), func(k string) string { return env[k] }, io.Discard, &stderr)
			if code == 0 || !strings.Contains(stderr.String(), tc.want) || strings.Contains(stderr.String(), "secret") {
				t.Fatalf("exit %d, stderr %q; want failure mentioning %q without the secret", code, stderr.String(), tc.want)
			}
		})
	}
}

func TestHelpListsEveryEnvironmentVariable(t *testing.T) {
	var stderr bytes.Buffer
	secrets := map[string]string{"WEBAPPS_BACKUP_API_TOKEN": "tok-1", "WEBAPPS_BACKUP_API_PASSWORD": "pw-2",
		"WEBAPPS_BACKUP_ELASTICSEARCH_PASSWORD": "pw-3", "WEBAPPS_BACKUP_ELASTICSEARCH_API_KEY": "key-4"}
	if code := run(context.Background(), []string{"--help"}, func(k string) string { return secrets[k] }, io.Discard, &stderr); code != 0 {
		t.Fatalf("--help exit %d", code)
	}
	for _, v := range secrets {
		if strings.Contains(stderr.String(), v) {
			t.Errorf("--help shows the secret %q", v)
		}
	}
	for _, name := range []string{"LISTEN", "ALLOW_REMOTE", "ELASTICSEARCH_URL", "ELASTICSEARCH_USERNAME", "ELASTICSEARCH_PASSWORD",
		"ELASTICSEARCH_API_KEY", "ELASTICSEARCH_CA_FILE", "REPOSITORY", "INDEX_PREFIX", "VERSION", "INCOMPLETE_CHECK_TIMEOUT",
		"SNAPSHOT_TIMEOUT", "DATA_DIR", "EMBEDDED_ELASTICSEARCH_LISTEN", "SEED_DOCUMENTS", "NO_SEED", "STANDALONE",
		"API_TOKEN", "API_USERNAME", "API_PASSWORD", "LOG_FORMAT"} {
		if !strings.Contains(stderr.String(), "env WEBAPPS_BACKUP_"+name) {
			t.Errorf("--help lacks WEBAPPS_BACKUP_%s", name)
		}
	}
}

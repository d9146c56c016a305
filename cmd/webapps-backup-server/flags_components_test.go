package main

import (
	"io"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// TestParseComponents: the flags of the emulated Zeebe and Optimize, their defaults and
// environment variables.
func TestParseComponents(t *testing.T) {
	for _, tc := range []struct {
		name     string
		args     []string
		env      map[string]string
		optimize string
		zeebeDir string
		check    func(t *testing.T, c server.Config)
	}{
		{name: "defaults", optimize: server.DefaultOptimizeListen, zeebeDir: "/home/u/.local/share/camunda-webapps-backup/zeebe",
			check: func(t *testing.T, c server.Config) {
				if c.Partitions != 3 || c.ZeebeBackupDuration != 2*time.Second || c.ZeebeBackupStore != "FILESYSTEM" || c.StandaloneAlias != "webapps" || c.EnableAdminAPI || c.CamundaQuirks {
					t.Fatalf("config %+v", c)
				}
			}},
		{name: "a free API port picks a free Optimize port", args: []string{"--listen", "127.0.0.1:0"}, optimize: "127.0.0.1:0", zeebeDir: "/home/u/.local/share/camunda-webapps-backup/zeebe"},
		{name: "an explicit empty Optimize address turns it off", args: []string{"--listen", "127.0.0.1:0", "--optimize-listen", ""}, optimize: "", zeebeDir: "/home/u/.local/share/camunda-webapps-backup/zeebe"},
		{name: "the environment's Optimize address wins over the free port", args: []string{"--listen", "127.0.0.1:0"},
			env: map[string]string{"WEBAPPS_BACKUP_OPTIMIZE_LISTEN": "127.0.0.1:18092"}, optimize: "127.0.0.1:18092", zeebeDir: "/home/u/.local/share/camunda-webapps-backup/zeebe"},
		{name: "a real Elasticsearch keeps the Zeebe state beside the data directory", args: []string{"--elasticsearch-url", "http://es:9200", "--data-dir", "/d"},
			optimize: server.DefaultOptimizeListen, zeebeDir: "/d/zeebe"},
		{name: "every component flag", args: []string{"--partitions", "5", "--zeebe-backup-duration", "1s", "--zeebe-data-dir", "/z", "--zeebe-backup-store", "NONE",
			"--zeebe-backup-path", "/p", "--standalone-alias", "zeebe", "--optimize-listen", "127.0.0.1:9", "--optimize-version", "8.8.1", "--enable-admin-api", "--camunda-quirks"},
			optimize: "127.0.0.1:9", zeebeDir: "/z",
			check: func(t *testing.T, c server.Config) {
				if c.Partitions != 5 || c.ZeebeBackupDuration != time.Second || c.ZeebeBackupStore != "NONE" || c.ZeebeBackupPath != "/p" ||
					c.StandaloneAlias != "zeebe" || c.OptimizeVersion != "8.8.1" || !c.EnableAdminAPI || !c.CamundaQuirks {
					t.Fatalf("config %+v", c)
				}
			}},
		{name: "environment", env: map[string]string{"WEBAPPS_BACKUP_PARTITIONS": "7", "WEBAPPS_BACKUP_ENABLE_ADMIN_API": "true"},
			optimize: server.DefaultOptimizeListen, zeebeDir: "/home/u/.local/share/camunda-webapps-backup/zeebe",
			check: func(t *testing.T, c server.Config) {
				if c.Partitions != 7 || !c.EnableAdminAPI {
					t.Fatalf("config %+v", c)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"HOME": "/home/u"}
			for k, v := range tc.env {
				env[k] = v
			}
			o, err := parse(tc.args, func(k string) string { return env[k] }, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if o.cfg.OptimizeListen != tc.optimize || o.cfg.ZeebeDataDir != tc.zeebeDir {
				t.Fatalf("Optimize %q, Zeebe data %q; want %q, %q", o.cfg.OptimizeListen, o.cfg.ZeebeDataDir, tc.optimize, tc.zeebeDir)
			}
			if tc.check != nil {
				tc.check(t, o.cfg)
			}
		})
	}
}

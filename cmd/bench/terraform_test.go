package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// TestPlanWorkspacesCompareLikeWithLike: the three measured workspaces hold the same number
// of resources and no import blocks; the import blocks, applied once beforehand, cover every
// backup resource exactly once.
func TestPlanWorkspacesCompareLikeWithLike(t *testing.T) {
	resource := regexp.MustCompile(`(?m)^resource "([a-z_]+)" "([a-z0-9]+)" \{$`)
	for _, n := range []int{1, 3, 100} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			cfg := planConfigs(n)
			for name, body := range map[string]string{"camunda": cfg.backups, "terraform_data": cfg.data, "empty": cfg.empty} {
				if got := len(resource.FindAllString(body, -1)); got != n {
					t.Errorf("%s workspace: %d resources, want %d", name, got, n)
				}
				if strings.Contains(body, "import {") || strings.Contains(body, "import{") {
					t.Errorf("%s workspace carries import blocks:\n%s", name, body)
				}
			}
			for i := 1; i <= n; i++ {
				want := fmt.Sprintf("import {\n  to = camunda_webapp_backup.b%d\n  id = \"%d\"\n}\n", i, i)
				if strings.Count(cfg.imports, want) != 1 || !strings.Contains(cfg.backups, fmt.Sprintf("\"b%d\" {\n  backup_id = %d\n", i, i)) {
					t.Fatalf("backup %d: not imported exactly once into its resource", i)
				}
			}
			if got := strings.Count(cfg.imports, "import {"); got != n {
				t.Errorf("%d import blocks, want %d", got, n)
			}
		})
	}
}

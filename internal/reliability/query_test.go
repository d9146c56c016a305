package reliability

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-version"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/actuator"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// newerTerraform returns the terraform named by TF_ACC_TERRAFORM_PATH, or on PATH, when it is
// at least least; otherwise the test is skipped, saying so.
func newerTerraform(t *testing.T, least string) string {
	t.Helper()
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("terraform"); err != nil {
			t.Skip("terraform is not on PATH")
		}
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatalf("%s version: %v", bin, err)
	}
	m := regexp.MustCompile(`Terraform v(\S+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("cannot read the version of %s: %s", bin, out)
	}
	have := version.Must(version.NewVersion(string(m[1])))
	if have.LessThan(version.Must(version.NewVersion(least))) {
		t.Skipf("needs Terraform %s or later, found %s: set TF_ACC_TERRAFORM_PATH to a newer terraform", least, have)
	}
	return bin
}

// TestQueryGeneratesConfigThatImports lists existing backups with terraform query, lets it
// write the configuration of each (import blocks by identity), and applies that configuration:
// every backup is imported, none is taken again.
func TestQueryGeneratesConfigThatImports(t *testing.T) {
	terraformOnPath(t)
	terraform := newerTerraform(t, "1.14.0")
	srv, err := server.Start(context.Background(), server.Config{
		Listen: "127.0.0.1:0", DataDir: t.TempDir(), Repository: "camunda-backup", SnapshotDelay: time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	client, err := actuator.New(actuator.Config{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []backupapi.ID{31, 32} {
		if _, err := client.Create(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		conformance.WaitForState(t, client, id, backupapi.StateCompleted)
	}

	ws := newWorkspace(t, terraform, fmt.Sprintf("provider \"camunda\" {\n  actuator {\n    url = %q\n  }\n}\n", srv.URL()))
	writeFile(t, filepath.Join(ws.dir, "backups.tfquery.hcl"), `list "camunda_webapp_backup" "completed" {
  provider = camunda
  include_resource = true
  config {
    state = "COMPLETED"
  }
}
`)
	tf := func(args ...string) string { return ws.run(t, args...) }
	out := tf("query", "-no-color", "-generate-config-out=generated.tf")
	if !strings.Contains(out, "backup 32 (COMPLETED)") || !strings.Contains(out, "backup 31 (COMPLETED)") {
		t.Errorf("terraform query does not list both backups:\n%s", out)
	}
	generated, err := os.ReadFile(filepath.Join(ws.dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(generated), "identity") || !strings.Contains(string(generated), "camunda_webapp_backup") {
		t.Fatalf("the generated configuration has no import block by identity:\n%s", generated)
	}
	out = tf("apply", "-auto-approve", "-no-color")
	if !strings.Contains(out, "2 imported, 0 added") {
		t.Errorf("the apply of the generated configuration did not import both backups and take none:\n%s\n--- generated.tf:\n%s", out, generated)
	}
	if plan := tf("plan", "-detailed-exitcode", "-no-color"); !strings.Contains(plan, "No changes") {
		t.Errorf("the plan after the import is not empty:\n%s", plan)
	}
}

package reliability

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// workspace is a terraform working directory whose CLI configuration serves the provider
// built from this tree (dev_overrides, no init), so that terraform runs the provider as its
// own process, as it does for users.
type workspace struct {
	terraform string
	dir       string
	env       []string
	// provider is the path of the built provider binary.
	provider string
}

// newWorkspace builds the provider and writes main.tf: the required_providers block followed
// by body. terraform is the binary to run.
func newWorkspace(t *testing.T, terraform, body string) *workspace {
	t.Helper()
	bin := buildProvider(t)
	dir := t.TempDir()
	cliConfig := filepath.Join(dir, "terraformrc")
	writeFile(t, cliConfig, fmt.Sprintf("disable_checkpoint = true\nprovider_installation {\n  dev_overrides {\n    \"camunda-community-hub/camunda\" = %q\n  }\n  direct {}\n}\n", filepath.Dir(bin)))
	writeFile(t, filepath.Join(dir, "main.tf"), `terraform {
  required_providers {
    camunda = { source = "camunda-community-hub/camunda" }
  }
}

`+body)
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE="+cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	return &workspace{terraform: terraform, dir: dir, env: env, provider: bin}
}

// command is terraform with the arguments, in the workspace.
func (w *workspace) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, w.terraform, args...)
	cmd.Dir, cmd.Env = w.dir, w.env
	return cmd
}

// run runs terraform and fails the test, with its output, when it fails.
func (w *workspace) run(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := w.command(ctx, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// terraformOnPath returns the terraform on PATH for tests that run it as a user would;
// without TF_ACC, or without terraform, the test is skipped.
func terraformOnPath(t *testing.T) string {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run terraform against the built provider")
	}
	terraform, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("terraform is not on PATH")
	}
	return terraform
}

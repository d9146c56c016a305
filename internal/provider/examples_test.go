package provider_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestExamplesAndDocs checks the project's front door for Terraform users: every example is
// formatted and valid against the provider built from this tree, and docs/ is exactly what
// tfplugindocs generates from the templates, the examples and the provider's schema.
func TestExamplesAndDocs(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to validate the examples and the generated docs with terraform")
	}
	terraform, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("terraform is not on PATH: cannot validate the examples and docs")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	tf := newTerraformRunner(t, terraform, root)

	t.Run("fmt", func(t *testing.T) {
		tf.run(t, root, "fmt", "-check", "-recursive", "-diff", "examples")
	})

	t.Run("validate", func(t *testing.T) {
		for _, file := range exampleFiles(t, filepath.Join(root, "examples")) {
			rel, _ := filepath.Rel(root, file)
			t.Run(filepath.ToSlash(rel), func(t *testing.T) {
				t.Parallel()
				// Each file is a snippet of its own: files of one directory may declare the
				// same resource (resource.tf and import-by-string-id.tf).
				dir := t.TempDir()
				copyExampleFile(t, file, filepath.Join(dir, filepath.Base(file)))
				tf.run(t, dir, "validate", "-no-color")
			})
		}
	})

	t.Run("docs", func(t *testing.T) {
		schema := tf.providerSchema(t)
		rendered := t.TempDir()
		relRendered, err := filepath.Rel(root, rendered)
		if err != nil {
			t.Fatal(err)
		}
		tfplugindocs(t, root, "generate", "--provider-name", "camunda",
			"--providers-schema", schema, "--rendered-website-dir", relRendered)
		if diff := compareDocsTrees(t, filepath.Join(root, "docs"), rendered); diff != "" {
			t.Errorf("docs/ is out of date: run `make docs` and commit the result.\n%s", diff)
		}
		tfplugindocs(t, root, "validate", "--provider-name", "camunda", "--providers-schema", schema)
	})
}

// terraformRunner runs terraform with a CLI configuration of its own whose dev_overrides
// serve the provider built from this tree, so that no command needs `terraform init`.
type terraformRunner struct {
	bin string
	env []string
}

func newTerraformRunner(t *testing.T, terraform, root string) *terraformRunner {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-camunda"), ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build of the provider: %v\n%s", err, out)
	}
	// The examples name the provider by its registry address; snippets without a
	// required_providers block get Terraform's implied hashicorp/camunda.
	config := filepath.Join(dir, "terraformrc")
	writeExampleFile(t, config, fmt.Sprintf(`disable_checkpoint = true
provider_installation {
  dev_overrides {
    "camunda-community-hub/camunda" = %[1]q
    "hashicorp/camunda"             = %[1]q
  }
  direct {}
}
`, bin))

	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return strings.HasPrefix(name, "TF_") || strings.HasPrefix(name, "CAMUNDA_") || strings.HasPrefix(name, "ELASTICSEARCH_")
	})
	env = append(env,
		"TF_CLI_CONFIG_FILE="+config,
		"CHECKPOINT_DISABLE=1",
		"TF_IN_AUTOMATION=1",
	)
	return &terraformRunner{bin: terraform, env: env}
}

// run runs terraform in dir and fails the test, with terraform's output, when it fails.
func (r *terraformRunner) run(t *testing.T, dir string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.bin, args...)
	cmd.Dir, cmd.Env = dir, r.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("terraform %s in %s: %v\n%s%s", strings.Join(args, " "), dir, err, out, stderr.Bytes())
	}
	return out
}

// providerSchema writes the provider's schema, as `terraform providers schema -json` gives it
// under the name tfplugindocs looks for, to a file and returns its path.
func (r *terraformRunner) providerSchema(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeExampleFile(t, filepath.Join(dir, "main.tf"),
		"terraform {\n  required_providers {\n    camunda = { source = \"hashicorp/camunda\" }\n  }\n}\n")
	path := filepath.Join(dir, "schema.json")
	writeExampleFile(t, path, string(r.run(t, dir, "providers", "schema", "-json")))
	return path
}

// tfplugindocs runs the project's pinned tfplugindocs (a Go tool dependency) in root.
func tfplugindocs(t *testing.T, root string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", append([]string{"tool", "tfplugindocs"}, args...)...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tfplugindocs %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// exampleFiles lists every Terraform file under dir.
func exampleFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(path) == ".tf" {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no examples found under %s", dir)
	}
	return files
}

// compareDocsTrees describes how the files under got differ from those under want: files only in
// one of them, and files whose contents differ. It is empty when the trees are the same.
func compareDocsTrees(t *testing.T, want, got string) string {
	t.Helper()
	wantFiles, gotFiles := readDocsTree(t, want), readDocsTree(t, got)
	var diff strings.Builder
	for name, content := range gotFiles {
		switch old, ok := wantFiles[name]; {
		case !ok:
			fmt.Fprintf(&diff, "missing from docs/: %s\n", name)
		case old != content:
			fmt.Fprintf(&diff, "differs from the generated page: docs/%s\n", name)
		}
	}
	for name := range wantFiles {
		if _, ok := gotFiles[name]; !ok {
			fmt.Fprintf(&diff, "not generated any more: docs/%s\n", name)
		}
	}
	lines := strings.SplitAfter(diff.String(), "\n")
	slices.Sort(lines)
	return strings.Join(lines, "")
}

// readDocsTree reads every file under dir, keyed by its slash-separated path relative to dir; a
// missing dir is an empty tree.
func readDocsTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return files
}

func copyExampleFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	writeExampleFile(t, to, string(b))
}

func writeExampleFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

package provider_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/actuator"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/procedure"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// exampleRepository is the snapshot repository of the reference servers the examples run
// against; the quickstart's default.
const exampleRepository = "camunda-backup"

// exampleManagementURL and exampleElasticsearchURL are the addresses the examples name for the
// web application's management port and for Elasticsearch. The test substitutes the URLs of its
// own reference server and of the server's embedded Elasticsearch for them, and applies the
// files otherwise exactly as written.
const (
	exampleManagementURL    = "http://localhost:9600"
	exampleElasticsearchURL = "http://localhost:9200"
	exampleOptimizeURL      = "http://localhost:8092"
)

// exampleSpec says what an example needs beyond `apply`, `plan` (no changes) and `destroy`.
type exampleSpec struct {
	// minVersion is the oldest terraform that runs the example, e.g. "1.14"; empty for any.
	minVersion string
	// fixtures are backups the example reads or imports: the test takes them before the
	// first apply. They must all survive the example's destroy.
	fixtures []backupapi.ID
	// deletedOnDestroy are backups the example's destroy deletes.
	deletedOnDestroy []backupapi.ID
	// keptOnDestroy are backups the example takes whose snapshots its destroy keeps.
	keptOnDestroy []backupapi.ID
	// run replaces the default apply, plan and destroy.
	run func(t *testing.T, e *exampleRun)
}

// exampleSpecs are the examples that need more than the default; every other example file is
// applied, planned (no changes expected) and destroyed with any terraform.
var exampleSpecs = map[string]exampleSpec{
	"examples/resources/camunda_webapp_backup/resource.tf": {
		keptOnDestroy:    []backupapi.ID{20261125, 20261126},
		deletedOnDestroy: []backupapi.ID{20261127},
		run:              runRotationExample,
	},
	"examples/resources/camunda_webapp_backup/import-by-string-id.tf": {fixtures: []backupapi.ID{20261125}},
	"examples/resources/camunda_webapp_backup/import-by-identity.tf": {
		minVersion: "1.12", fixtures: []backupapi.ID{20261125},
	},
	"examples/data-sources/camunda_webapp_backup/data-source.tf":  {fixtures: []backupapi.ID{20261125}},
	"examples/data-sources/camunda_webapp_backups/data-source.tf": {fixtures: []backupapi.ID{20261125}},
	"examples/guides/restore/restore-plan.tf":                     {fixtures: []backupapi.ID{20261125}},
	"examples/guides/restore/restore-action.tf": {
		minVersion: "1.14", fixtures: []backupapi.ID{20261125}, run: runRestoreActionExample,
	},
	"examples/quickstart/main.tf": {keptOnDestroy: []backupapi.ID{20260101}},
	"examples/actions/camunda_webapp_backup/action.tf": {
		minVersion: "1.14", run: runActionExample,
	},
	"examples/actions/camunda_backup/action.tf": {minVersion: "1.14"},
	"examples/guides/backup-before-upgrade/main.tf": {
		minVersion: "1.14", run: runUpgradeGuideExample,
	},
	"examples/list-resources/camunda_webapp_backup/list-resource.tfquery.hcl": {
		minVersion: "1.14",
		fixtures:   []backupapi.ID{20251231, 20261125, 20261126},
		run:        runQueryExample,
	},
}

// TestExamplesAndDocs checks the project's front door for Terraform users: every example is
// formatted, and applied, planned again without changes and destroyed against a reference
// server of its own, with the provider built from this tree; and docs/ is exactly what
// tfplugindocs generates from the templates, the examples and the provider's schema.
//
// Examples that need a newer terraform than the one on PATH (actions and terraform query need
// 1.14, import by identity 1.12) run with the terraform named by TF_ACC_TERRAFORM_PATH, and
// are skipped, naming the version they need, when no terraform given is recent enough.
func TestExamplesAndDocs(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to apply the examples and check the generated docs with terraform")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	tfs := newTerraforms(t, root)

	t.Run("fmt", func(t *testing.T) {
		// The newest terraform formats .tfquery.hcl files too.
		tf := tfs.newest()
		out, err := tf.exec(t, root, nil, "fmt", "-check", "-recursive", "-diff", "examples")
		if err != nil {
			t.Fatalf("terraform %s fmt: %v\n%s", tf.version, err, out)
		}
	})

	t.Run("templates", func(t *testing.T) {
		checkTemplateSnippets(t, filepath.Join(root, "templates"))
	})

	t.Run("apply", func(t *testing.T) {
		files := exampleFiles(t, filepath.Join(root, "examples"))
		for name := range exampleSpecs {
			if !slices.Contains(files, filepath.Join(root, filepath.FromSlash(name))) {
				t.Errorf("exampleSpecs names %s, which does not exist", name)
			}
		}
		for _, file := range files {
			rel, _ := filepath.Rel(root, file)
			rel = filepath.ToSlash(rel)
			t.Run(rel, func(t *testing.T) {
				t.Parallel()
				spec := exampleSpecs[rel]
				tf := tfs.atLeast(t, spec.minVersion)
				e := newExampleRun(t, tf, file, spec)
				if spec.run != nil {
					spec.run(t, e)
				} else {
					e.applyPlanDestroy(t)
				}
				e.checkBackups(t)
			})
		}
	})

	t.Run("docs", func(t *testing.T) {
		schema := providerSchemaFile(t, root)
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

		// The schema the docs come from is terraform's own, where a terraform prints all of it.
		tf, ok := tfs.find("1.14")
		if !ok {
			t.Log("no terraform 1.14 or later given (TF_ACC_TERRAFORM_PATH): the written schema is not compared with terraform's")
			return
		}
		compareWithTerraformSchema(t, tf, schema)
	})
}

// ---------------------------------------------------------------------- terraform binaries

// terraforms are the terraform binaries at hand, sharing the provider built from this tree.
type terraforms struct {
	all []*terraformRunner
}

// newTerraforms builds the provider and finds the terraform on PATH and the one named by
// TF_ACC_TERRAFORM_PATH; it skips the test when there is none.
func newTerraforms(t *testing.T, root string) *terraforms {
	t.Helper()
	var bins []string
	if bin, err := exec.LookPath("terraform"); err == nil {
		bins = append(bins, bin)
	}
	if bin := os.Getenv("TF_ACC_TERRAFORM_PATH"); bin != "" {
		bins = append(bins, bin)
	}
	if len(bins) == 0 {
		t.Skip("no terraform on PATH nor in TF_ACC_TERRAFORM_PATH: cannot apply the examples")
	}
	env := providerOverrides(t, root)
	tfs := &terraforms{}
	for _, bin := range bins {
		tf := &terraformRunner{bin: bin, env: env}
		tf.version = terraformVersion(t, tf)
		tfs.all = append(tfs.all, tf)
		t.Logf("terraform %s: %s", tf.version, bin)
	}
	return tfs
}

// atLeast is the first terraform whose version is least or later; it skips the test, naming
// the version needed, when there is none.
func (ts *terraforms) atLeast(t *testing.T, least string) *terraformRunner {
	t.Helper()
	tf, ok := ts.find(least)
	if !ok {
		var have []string
		for _, tf := range ts.all {
			have = append(have, tf.version)
		}
		t.Skipf("needs terraform %s or later (have %s); set TF_ACC_TERRAFORM_PATH to a terraform >= %s to run it",
			least, strings.Join(have, ", "), least)
	}
	return tf
}

// find is the first terraform whose version is least or later.
func (ts *terraforms) find(least string) (*terraformRunner, bool) {
	for _, tf := range ts.all {
		if least == "" || versionAtLeast(tf.version, least) {
			return tf, true
		}
	}
	return nil, false
}

// newest is the terraform of the highest version.
func (ts *terraforms) newest() *terraformRunner {
	best := ts.all[0]
	for _, tf := range ts.all[1:] {
		if versionAtLeast(tf.version, best.version) {
			best = tf
		}
	}
	return best
}

// versionAtLeast compares dotted versions numerically ("1.14.9" >= "1.14"); a pre-release
// suffix is ignored.
func versionAtLeast(have, least string) bool {
	h, m := versionParts(have), versionParts(least)
	for i := range max(len(h), len(m)) {
		var a, b int
		if i < len(h) {
			a = h[i]
		}
		if i < len(m) {
			b = m[i]
		}
		if a != b {
			return a > b
		}
	}
	return true
}

func versionParts(v string) []int {
	v, _, _ = strings.Cut(strings.TrimPrefix(v, "v"), "-")
	var parts []int
	for _, p := range strings.Split(v, ".") {
		n, err := strconv.Atoi(p)
		if err != nil {
			break
		}
		parts = append(parts, n)
	}
	return parts
}

func terraformVersion(t *testing.T, tf *terraformRunner) string {
	t.Helper()
	out, err := tf.exec(t, t.TempDir(), nil, "version", "-json")
	if err != nil {
		t.Fatalf("%s version: %v\n%s", tf.bin, err, out)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil || v.Version == "" {
		t.Fatalf("%s version -json: %v\n%s", tf.bin, err, out)
	}
	return v.Version
}

// terraformRunner runs one terraform binary with a CLI configuration of its own whose
// dev_overrides serve the provider built from this tree, so that no command needs
// `terraform init`.
type terraformRunner struct {
	bin     string
	version string
	env     []string
}

// providerOverrides builds the provider and returns the environment terraform runs in: the
// test's, without any TF_, CAMUNDA_ or ELASTICSEARCH_ variable of the caller's, and with a CLI
// configuration whose dev_overrides serve the provider built.
func providerOverrides(t *testing.T, root string) []string {
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
	return env
}

// exec runs terraform in dir with extra environment variables and returns its standard
// output, followed by its standard error when it fails.
func (r *terraformRunner) exec(t *testing.T, dir string, extraEnv []string, args ...string) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.bin, args...)
	cmd.Dir, cmd.Env = dir, append(slices.Clip(r.env), extraEnv...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		out = append(out, stderr.Bytes()...)
	}
	return out, err
}

// ------------------------------------------------------------------------- example runs

// exampleRun is one example file, copied into a directory of its own, and the reference
// server it runs against.
type exampleRun struct {
	tf     *terraformRunner
	dir    string
	file   string
	spec   exampleSpec
	env    []string
	client backupapi.Client
}

// newExampleRun starts a reference server, takes the example's fixture backups on it, and
// copies the example into a directory of its own, the management URL replaced by the
// server's. The provider finds the server through the environment too, for the examples
// without a provider block.
func newExampleRun(t *testing.T, tf *terraformRunner, file string, spec exampleSpec) *exampleRun {
	t.Helper()
	srv, err := server.Start(context.Background(), server.Config{
		Listen: "127.0.0.1:0", DataDir: t.TempDir(), Repository: exampleRepository,
		SeedDocuments: 3, SnapshotDelay: time.Millisecond,
		// Optimize, and the zeebe-record indices of the legacy exporter it reads, as a whole
		// backup with zeebe_records expects them.
		OptimizeListen: "127.0.0.1:0",
	})
	if err != nil {
		t.Fatalf("start the reference server: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Shutdown(context.Background()); err != nil {
			t.Errorf("stop the reference server: %v", err)
		}
	})
	client, err := actuator.New(actuator.Config{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	w := procedure.Webapp{Client: client, Gate: procedure.NewGate(), Poll: procedure.DefaultPoller()}
	for _, id := range spec.fixtures {
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		_, err := w.Take(ctx, id, procedure.TakeOptions{Wait: true})
		cancel()
		if err != nil {
			t.Fatalf("take fixture backup %s: %v", id, err)
		}
	}

	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	config := strings.NewReplacer(exampleManagementURL, srv.URL(), exampleElasticsearchURL, srv.ElasticsearchURL(),
		exampleOptimizeURL, srv.OptimizeURL()).Replace(string(b))
	writeExampleFile(t, filepath.Join(dir, filepath.Base(file)), config)
	return &exampleRun{
		tf: tf, dir: dir, file: file, spec: spec, client: client,
		env: []string{"CAMUNDA_ACTUATOR_URL=" + srv.URL(), "CAMUNDA_BACKUP_REPOSITORY=" + exampleRepository},
	}
}

// terraform runs terraform in the example's directory and fails the test when it fails.
func (e *exampleRun) terraform(t *testing.T, args ...string) string {
	t.Helper()
	args = append(args, "-no-color")
	out, err := e.tf.exec(t, e.dir, e.env, args...)
	if err != nil {
		t.Fatalf("terraform %s %s: %v\n%s", e.tf.version, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// apply applies the configuration with extra arguments.
func (e *exampleRun) apply(t *testing.T, args ...string) string {
	t.Helper()
	return e.terraform(t, append([]string{"apply", "-auto-approve", "-input=false"}, args...)...)
}

// planNoChanges fails the test when a plan of the applied configuration has changes.
func (e *exampleRun) planNoChanges(t *testing.T, args ...string) {
	t.Helper()
	args = append([]string{"plan", "-detailed-exitcode", "-input=false", "-no-color"}, args...)
	out, err := e.tf.exec(t, e.dir, e.env, args...)
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.ExitCode() == 2:
		t.Fatalf("a plan right after apply has changes:\n%s", out)
	case err != nil:
		t.Fatalf("terraform plan: %v\n%s", err, out)
	}
}

// destroy destroys everything and checks that the state is empty.
func (e *exampleRun) destroy(t *testing.T, args ...string) {
	t.Helper()
	e.terraform(t, append([]string{"destroy", "-auto-approve", "-input=false"}, args...)...)
	if left := strings.TrimSpace(e.terraform(t, "state", "list")); left != "" {
		t.Errorf("the state is not empty after destroy:\n%s", left)
	}
}

// applyPlanDestroy is the default run of an example.
func (e *exampleRun) applyPlanDestroy(t *testing.T) {
	t.Helper()
	e.apply(t)
	e.planNoChanges(t)
	e.destroy(t)
}

// checkBackups checks, after the example's destroy, which backups are left on the server.
func (e *exampleRun) checkBackups(t *testing.T) {
	t.Helper()
	for _, id := range append(slices.Clone(e.spec.fixtures), e.spec.keptOnDestroy...) {
		if b, err := e.client.Get(t.Context(), id); err != nil {
			t.Errorf("backup %s should still exist after destroy: %v", id, err)
		} else if b.State != backupapi.StateCompleted {
			t.Errorf("backup %s is %s after destroy, want COMPLETED", id, b.State)
		}
	}
	for _, id := range e.spec.deletedOnDestroy {
		if _, err := e.client.Get(t.Context(), id); !errors.Is(err, backupapi.ErrNotFound) {
			t.Errorf("backup %s should be deleted by destroy, got %v", id, err)
		}
	}
}

// backupIDs lists the ids of the backups on the example's server.
func (e *exampleRun) backupIDs(t *testing.T) []backupapi.ID {
	t.Helper()
	backups, err := e.client.List(t.Context(), backupapi.ListOptions{})
	if err != nil {
		t.Fatalf("list backups: %v", err)
	}
	ids := make([]backupapi.ID, 0, len(backups))
	for _, b := range backups {
		if b.State != backupapi.StateCompleted {
			t.Errorf("backup %s is %s, want COMPLETED", b.ID, b.State)
		}
		ids = append(ids, b.ID)
	}
	slices.Sort(ids)
	return ids
}

// runRotationExample applies the resource example, then rotates the weekly backup: with
// create_before_destroy and delete_on_destroy left false, the old backup is kept.
func runRotationExample(t *testing.T, e *exampleRun) {
	e.apply(t)
	e.planNoChanges(t)
	if got, want := e.backupIDs(t), []backupapi.ID{20261125, 20261126, 20261127}; !slices.Equal(got, want) {
		t.Fatalf("backups after apply: %v, want %v", got, want)
	}
	out := e.apply(t, "-var", "weekly_backup_id=20261203")
	if !strings.Contains(out, "20261126") {
		t.Errorf("the rotation's output does not name the backup it keeps:\n%s", out)
	}
	if got, want := e.backupIDs(t), []backupapi.ID{20261125, 20261126, 20261127, 20261203}; !slices.Equal(got, want) {
		t.Fatalf("backups after the rotation: %v, want %v (the old weekly backup must be kept)", got, want)
	}
	e.planNoChanges(t, "-var", "weekly_backup_id=20261203")
	e.destroy(t, "-var", "weekly_backup_id=20261203")
	e.spec.keptOnDestroy = append(e.spec.keptOnDestroy, 20261203)
}

// runActionExample invokes the action, then changes the release's version so that its
// action_trigger takes a backup before the update.
func runActionExample(t *testing.T, e *exampleRun) {
	e.apply(t)
	if got := e.backupIDs(t); len(got) != 0 {
		t.Fatalf("creating the release took backups %v; the trigger is before_update only", got)
	}
	out := e.apply(t, "-invoke=action.camunda_webapp_backup.now")
	first := e.backupIDs(t)
	if len(first) != 1 {
		t.Fatalf("after -invoke: backups %v, want one\n%s", first, out)
	}
	if !strings.Contains(out, first[0].String()) {
		t.Errorf("the invoke's output does not name the new backup %s:\n%s", first[0], out)
	}
	out = e.apply(t, "-var", "camunda_version=8.8.1")
	second := e.backupIDs(t)
	if len(second) != 2 || second[1] <= second[0] {
		t.Fatalf("after the upgrade: backups %v, want a second, newer one\n%s", second, out)
	}
	e.planNoChanges(t, "-var", "camunda_version=8.8.1")
	e.destroy(t, "-var", "camunda_version=8.8.1")
	e.spec.keptOnDestroy = second
}

// runUpgradeGuideExample upgrades three times: each upgrade takes a backup, and the retention
// of the action keeps them all (keep_within is two weeks).
func runUpgradeGuideExample(t *testing.T, e *exampleRun) {
	e.apply(t)
	for i, version := range []string{"8.8.1", "8.8.2"} {
		out := e.apply(t, "-var", "camunda_version="+version)
		if got := e.backupIDs(t); len(got) != i+1 {
			t.Fatalf("after the upgrade to %s: backups %v, want %d\n%s", version, got, i+1, out)
		}
	}
	e.planNoChanges(t, "-var", "camunda_version=8.8.2")
	e.spec.keptOnDestroy = e.backupIDs(t)
	e.destroy(t, "-var", "camunda_version=8.8.2")
}

// runRestoreActionExample invokes the restore guide's action on the fixture backup.
func runRestoreActionExample(t *testing.T, e *exampleRun) {
	e.apply(t)
	out := e.apply(t, "-invoke=action.camunda_webapp_restore.from_backup")
	if !strings.Contains(out, "20261125") {
		t.Errorf("the restore's output does not name backup 20261125:\n%s", out)
	}
	e.planNoChanges(t)
	e.destroy(t)
}

// runQueryExample lists the backups with terraform query, generates their configuration and
// imports it with apply.
func runQueryExample(t *testing.T, e *exampleRun) {
	// terraform query reads the .tfquery.hcl files of a configuration: it refuses a directory
	// without a .tf file, and terraform 1.14 fails after listing ("Changes.Encode: missing
	// provider") when the configuration does not declare the provider. In a real project the
	// query sits next to the configuration; an empty provider block stands for it here (the
	// provider is configured from the environment).
	writeExampleFile(t, filepath.Join(e.dir, "main.tf"), "provider \"camunda\" {}\n")
	out := e.terraform(t, "query")
	for _, id := range []string{"20261125", "20261126"} {
		if !strings.Contains(out, id) {
			t.Errorf("terraform query does not list backup %s:\n%s", id, out)
		}
	}
	if strings.Contains(out, "20251231") {
		t.Errorf("terraform query lists backup 20251231, which the pattern excludes:\n%s", out)
	}
	e.terraform(t, "query", "-generate-config-out=generated.tf")
	generated, err := os.ReadFile(filepath.Join(e.dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if n := regexp.MustCompile(`(?m)^import \{`).FindAll(generated, -1); len(n) != 2 {
		t.Fatalf("generated configuration has %d import blocks, want 2:\n%s", len(n), generated)
	}
	out = e.apply(t)
	if !strings.Contains(out, "2 imported") {
		t.Errorf("applying the generated configuration did not import 2 backups:\n%s\n%s", out, generated)
	}
	e.planNoChanges(t)
	e.destroy(t)
}

// ------------------------------------------------------------------------------- schema

// providerSchemaFile writes the provider's schema with cmd/providerschema, as `make docs` does.
func providerSchemaFile(t *testing.T, root string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "schema.json")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "run", "./cmd/providerschema", "-o", path)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./cmd/providerschema: %v\n%s", err, out)
	}
	return path
}

// compareWithTerraformSchema checks that the schema written equals, as JSON values, what
// tf's `providers schema -json` prints.
func compareWithTerraformSchema(t *testing.T, tf *terraformRunner, schema string) {
	t.Helper()
	dir := t.TempDir()
	writeExampleFile(t, filepath.Join(dir, "main.tf"),
		"terraform {\n  required_providers {\n    camunda = { source = \"hashicorp/camunda\" }\n  }\n}\n")
	out, err := tf.exec(t, dir, nil, "providers", "schema", "-json")
	if err != nil {
		t.Fatalf("terraform %s providers schema -json: %v\n%s", tf.version, err, out)
	}
	written, err := os.ReadFile(schema)
	if err != nil {
		t.Fatal(err)
	}
	var want, got any
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(written, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(want, got) {
		t.Errorf("the written schema differs from terraform %s's providers schema -json\nterraform: %s\nwritten:   %s",
			tf.version, out, written)
	}
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

// ---------------------------------------------------------------------------- templates

// configBlock finds the start of a block that makes a snippet a configuration of its own.
var configBlock = regexp.MustCompile(`(?m)^(resource|action|import|list|terraform|data)\s`)

// checkTemplateSnippets keeps complete configurations out of the templates: they belong under
// examples/ (included with tffile), where this test applies them. Inline terraform snippets
// may only be fragments, such as a provider block or a lifecycle block.
func checkTemplateSnippets(t *testing.T, dir string) {
	t.Helper()
	fence := regexp.MustCompile("(?ms)^```(?:terraform|hcl)\n(.*?)^```")
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range fence.FindAllSubmatch(b, -1) {
			if configBlock.Match(m[1]) {
				rel, _ := filepath.Rel(dir, path)
				t.Errorf("templates/%s has an inline configuration; move it under examples/ and include it with tffile, "+
					"so that it is applied by this test:\n%s", filepath.ToSlash(rel), m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// ----------------------------------------------------------------------------- helpers

// exampleFiles lists every Terraform file under dir: configurations (.tf) and queries
// (.tfquery.hcl).
func exampleFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (filepath.Ext(path) == ".tf" || strings.HasSuffix(path, ".tfquery.hcl")) {
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

func writeExampleFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestVersionAtLeast checks the comparison that decides which terraform runs an example.
func TestVersionAtLeast(t *testing.T) {
	tests := []struct {
		have, least string
		want        bool
	}{
		{"1.14.9", "1.14", true},
		{"1.14.0", "1.14", true},
		{"1.11.4", "1.14", false},
		{"1.11.4", "1.12", false},
		{"1.12.0", "1.12", true},
		{"1.15.0-alpha20260101", "1.14", true},
		{"1.9.8", "1.14", false},
		{"2.0.0", "1.14", true},
		{"v1.14.1", "1.14", true},
		{"1.14", "1.14.1", false},
	}
	for _, tt := range tests {
		if got := versionAtLeast(tt.have, tt.least); got != tt.want {
			t.Errorf("versionAtLeast(%q, %q) = %v, want %v", tt.have, tt.least, got, tt.want)
		}
	}
}

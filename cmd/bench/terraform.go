package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/actuator"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// The registry addresses overridden with the binaries built for the bench: the provider, and
// the empty provider of the plan's floor (./cmd/bench/emptyprovider).
const (
	providerSource      = "camunda-community-hub/camunda"
	emptyProviderSource = "bench/empty"
)

// terraform runs the terraform on PATH with the provider built from the module and a CLI
// configuration of its own, so that no init is needed and nothing is downloaded.
type terraform struct {
	env      []string
	provider string // path of the provider binary
}

// newTerraform builds the provider and the empty provider and writes the dev_overrides CLI
// configuration.
func (l *lab) newTerraform(ctx context.Context) (*terraform, error) {
	bin, err := l.binary(ctx, "terraform-provider-camunda", ".")
	if err != nil {
		return nil, err
	}
	empty, err := l.binary(ctx, "terraform-provider-empty", "./cmd/bench/emptyprovider")
	if err != nil {
		return nil, err
	}
	dir, err := l.tempDir("terraformrc")
	if err != nil {
		return nil, err
	}
	rc := filepath.Join(dir, "terraformrc")
	body := fmt.Sprintf("disable_checkpoint = true\nprovider_installation {\n  dev_overrides {\n    %q = %q\n    %q = %q\n  }\n  direct {}\n}\n",
		providerSource, filepath.Dir(bin), emptyProviderSource, filepath.Dir(empty))
	if err := os.WriteFile(rc, []byte(body), 0o600); err != nil {
		return nil, err
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_ACC_TERRAFORM_VERSION=") && !strings.HasPrefix(kv, "TF_CLI_CONFIG_FILE=") {
			env = append(env, kv)
		}
	}
	env = append(env, "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	return &terraform{env: env, provider: bin}, nil
}

// workspace writes main.tf into a new directory: the provider block of apiURL (when not
// empty) and body.
func (l *lab) workspace(apiURL, body string) (string, error) {
	dir, err := l.tempDir("tf")
	if err != nil {
		return "", err
	}
	head := ""
	if apiURL != "" {
		head = fmt.Sprintf("terraform {\n  required_providers {\n    camunda = { source = %q }\n  }\n}\n"+
			"provider \"camunda\" {\n  actuator {\n    url = %q\n  }\n}\n", providerSource, apiURL)
	}
	return dir, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(head+body), 0o600)
}

// run runs a terraform command in dir and returns its wall time; a failure carries the output.
func (t *terraform) run(ctx context.Context, dir string, args ...string) (time.Duration, error) {
	cmd := exec.CommandContext(ctx, "terraform", append(args, "-no-color", "-input=false")...)
	cmd.Dir, cmd.Env = dir, t.env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	if err != nil {
		return took, fmt.Errorf("terraform %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return took, nil
}

// terraformApply compares a terraform apply of one backup with the backup's own duration.
var terraformApply = experiment{
	Title: "Terraform apply of one backup",
	Intro: "terraform apply of one camunda_webapp_backup (wait_for_completion, the default) through the actuator backend, " +
		"on the reference server in the bench process with the data set of the backup overhead (6 parts), against the " +
		"backup's own duration (first part's start to last part's end). The apply includes terraform's own start and " +
		"the provider's start. The goal is an apply of at most 1.2 times the backup plus 2 s of terraform's own overhead, " +
		"hence the last figure.",
	Metrics: []metric{
		{Name: "terraform apply", Unit: "s"},
		{Name: "the backup's own duration", Unit: "s"},
		{Name: "apply / backup", Unit: "×"},
		{Name: "apply − 1.2 × backup", Unit: "s", Reference: "goal ≤ 2"},
	},
	Setup: func(ctx context.Context, l *lab) (trial, func(), error) {
		tf, err := l.newTerraform(ctx)
		if err != nil {
			return nil, nil, err
		}
		srv, stop, err := l.startServer(ctx, server.Config{SeedDocuments: l.Settings.Documents})
		if err != nil {
			return nil, nil, err
		}
		fail := func(err error) (trial, func(), error) { stop(); return nil, nil, err }
		if err := addArchive(ctx, srv.ElasticsearchURL()); err != nil {
			return fail(err)
		}
		reads, err := driver(srv.ElasticsearchURL())
		if err != nil {
			return fail(err)
		}
		run := func(ctx context.Context, run int) ([]float64, error) {
			id := backupapi.ID(run + 1)
			dir, err := l.workspace(srv.URL(), fmt.Sprintf("resource \"camunda_webapp_backup\" \"b\" {\n  backup_id = %d\n}\n", id))
			if err != nil {
				return nil, err
			}
			took, err := tf.run(ctx, dir, "apply", "-auto-approve")
			if err != nil {
				return nil, err
			}
			b, err := reads.Get(ctx, id)
			if err != nil {
				return nil, err
			}
			if b.State != backupapi.StateCompleted {
				return nil, fmt.Errorf("backup %d is %s after apply, want COMPLETED", id, b.State)
			}
			own, _, err := ownDuration(b)
			if err != nil {
				return nil, err
			}
			return []float64{took.Seconds(), own.Seconds(), float64(took) / float64(own), (took - own*12/10).Seconds()}, nil
		}
		return run, func() { _ = reads.Close(); stop() }, nil
	},
}

// terraformPlan compares a plan of camunda_webapp_backup resources with one of as many
// terraform_data resources, and follows the provider's memory during it.
var terraformPlan = experiment{
	Title: "Terraform plan of many backups",
	Intro: "terraform plan (with its refresh) of the resources in the settings below, all existing and unchanged: " +
		"camunda_webapp_backup resources (imported beforehand) through the actuator backend on the reference server in " +
		"the bench process, against as many terraform_data resources (built into Terraform: no plugin at all) and as many " +
		"resources of the smallest framework provider (two attributes, a read that does nothing; ./cmd/bench/emptyprovider): " +
		"the floor of any provider built on terraform-plugin-framework. The provider answers the refresh of many backups with " +
		"one list after its first few reads (a GET each), and answers the calls of a plan of unchanged backups beneath the " +
		"framework (DESIGN.md). The three plans run one after the other in every run, in the opposite order every other run. " +
		"The provider's resident memory is the peak VmRSS of its process during one more plan of the camunda workspace, " +
		"sampled every 5 ms and not timed, so that the sampling slows none of the measured plans.",
	Metrics: []metric{
		{Name: "plan of camunda_webapp_backup", Unit: "s"},
		{Name: "plan of terraform_data", Unit: "s"},
		{Name: "plan of the empty framework provider", Unit: "s"},
		{Name: "camunda / terraform_data", Unit: "×"},
		{Name: "empty framework provider / terraform_data", Unit: "×"},
		{Name: "camunda / empty framework provider", Unit: "×", Reference: "goal ≤ 1.2"},
		{Name: "provider resident memory (peak)", Unit: "MiB", Reference: "goal ≤ 45"},
	},
	Setup: func(ctx context.Context, l *lab) (trial, func(), error) {
		tf, err := l.newTerraform(ctx)
		if err != nil {
			return nil, nil, err
		}
		srv, stop, err := l.startServer(ctx, server.Config{SnapshotDelay: -1, SeedDocuments: 10})
		if err != nil {
			return nil, nil, err
		}
		fail := func(err error) (trial, func(), error) { stop(); return nil, nil, err }
		api, err := actuator.New(actuator.Config{URL: srv.URL()})
		if err != nil {
			return fail(err)
		}
		n := l.Settings.PlanResources
		for i := 1; i <= n; i++ {
			if _, err := api.Create(ctx, backupapi.ID(i)); err != nil {
				return fail(fmt.Errorf("create backup %d: %w", i, err))
			}
			if b, err := waitTerminal(ctx, api, backupapi.ID(i)); err != nil || b.State != backupapi.StateCompleted {
				return fail(fmt.Errorf("backup %d: %s, %v", i, b.State, err))
			}
		}
		cfg := planConfigs(n)
		backupDir, err := l.workspace(srv.URL(), cfg.backups)
		if err != nil {
			return fail(err)
		}
		dataDir, err := l.workspace("", cfg.data)
		if err != nil {
			return fail(err)
		}
		emptyDir, err := l.workspace("", cfg.empty)
		if err != nil {
			return fail(err)
		}
		// The backups exist before Terraform knows them: the first apply imports them, from a
		// file of its own that goes away after it, so that the measured plans of the three
		// workspaces read configurations of the same shape (resources only, no import blocks).
		imports := filepath.Join(backupDir, "imports.tf")
		if err := os.WriteFile(imports, []byte(cfg.imports), 0o600); err != nil {
			return fail(err)
		}
		for _, step := range []struct {
			dir  string
			args []string
		}{
			{backupDir, []string{"apply", "-auto-approve"}},
			{dataDir, []string{"init"}}, {dataDir, []string{"apply", "-auto-approve"}},
			{emptyDir, []string{"apply", "-auto-approve"}},
		} {
			if _, err := tf.run(ctx, step.dir, step.args...); err != nil {
				return fail(err)
			}
		}
		if err := os.Remove(imports); err != nil {
			return fail(err)
		}
		run := func(ctx context.Context, run int) ([]float64, error) {
			// The memory is followed during a plan of its own, not timed: sampling scans /proc
			// every 5 ms, which would slow the measured camunda plan and none of the others.
			s := sampleRSS(func() []int { return pidsOf(tf.provider) })
			_, err := tf.run(ctx, backupDir, "plan", "-detailed-exitcode")
			peak := s.Peak()
			if err != nil {
				return nil, err
			}
			// The timed plans run in turn, in the opposite order every other run, so that
			// none of them always comes first or last.
			dirs := []string{backupDir, dataDir, emptyDir}
			if run%2 == 1 {
				slices.Reverse(dirs)
			}
			took := map[string]float64{}
			for _, dir := range dirs {
				d, err := tf.run(ctx, dir, "plan", "-detailed-exitcode")
				if err != nil {
					return nil, err
				}
				took[dir] = d.Seconds()
			}
			camunda, builtin, floor := took[backupDir], took[dataDir], took[emptyDir]
			return []float64{camunda, builtin, floor, camunda / builtin, floor / builtin, camunda / floor, mib(peak)}, nil
		}
		return run, stop, nil
	},
}

// planWorkspaces are the configurations of the plan benchmark: three workspaces of as many
// resources, each resource one attribute, and nothing else, so that their plans compare like
// with like; and the import blocks that bring the existing backups under the camunda
// workspace's resources, applied once before the plans are measured.
type planWorkspaces struct {
	backups, data, empty string
	imports              string
}

// planConfigs returns the plan benchmark's configurations for n resources per workspace.
func planConfigs(n int) planWorkspaces {
	var backups, data, empty, imports strings.Builder
	fmt.Fprintf(&empty, "terraform {\n  required_providers {\n    empty = { source = %q }\n  }\n}\n", emptyProviderSource)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&backups, "resource \"camunda_webapp_backup\" \"b%d\" {\n  backup_id = %d\n}\n", i, i)
		fmt.Fprintf(&data, "resource \"terraform_data\" \"d%d\" {\n  input = %d\n}\n", i, i)
		fmt.Fprintf(&empty, "resource \"empty_thing\" \"e%d\" {\n  number = %d\n}\n", i, i)
		fmt.Fprintf(&imports, "import {\n  to = camunda_webapp_backup.b%d\n  id = \"%d\"\n}\n", i, i)
	}
	return planWorkspaces{backups: backups.String(), data: data.String(), empty: empty.String(), imports: imports.String()}
}

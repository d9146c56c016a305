package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/actuator"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/records"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/esclient"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// setBackend is the reference server with every component of a whole backup (web apps,
// emulated Zeebe with exporting, Optimize, the embedded Elasticsearch holding a zeebe-record
// index), in the test process, and the provider block that reaches all of them.
type setBackend struct {
	srv       *server.Server
	provider  string
	exporting *actuator.ExportingClient
	zeebe     *actuator.ZeebeClient
	optimize  *actuator.OptimizeClient
}

func newSetBackend(t *testing.T) *setBackend {
	t.Helper()
	srv, err := server.Start(context.Background(), server.Config{
		Listen: "127.0.0.1:0", DataDir: t.TempDir(), Repository: testRepository, SeedDocuments: 5,
		SnapshotDelay: 5 * time.Millisecond, OptimizeListen: "127.0.0.1:0", ZeebeBackupDuration: 20 * time.Millisecond,
	})
	if err != nil {
		t.Fatalf("start the reference server: %v", err)
	}
	t.Cleanup(func() {
		srv.Emulator().Faults().Reset()
		srv.Faults().Reset()
		if err := srv.Shutdown(context.Background()); err != nil {
			t.Errorf("stop the reference server: %v", err)
		}
	})
	req, _ := http.NewRequest(http.MethodPut, srv.ElasticsearchURL()+"/zeebe-record_job_8.8.0_2026-01-01", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("create a zeebe-record index: %v", err)
	}
	res.Body.Close()
	b := &setBackend{srv: srv, provider: fmt.Sprintf(`provider "camunda" {
  actuator {
    url          = %q
    optimize_url = %q
    repository   = %q
  }
  elasticsearch {
    urls       = [%q]
    repository = %q
  }
}
`, srv.URL(), srv.OptimizeURL(), testRepository, srv.ElasticsearchURL(), testRepository)}
	cfg := actuator.Config{URL: srv.URL()}
	if b.exporting, err = actuator.NewExporting(cfg); err != nil {
		t.Fatal(err)
	}
	if b.zeebe, err = actuator.NewZeebe(cfg); err != nil {
		t.Fatal(err)
	}
	if b.optimize, err = actuator.NewOptimize(actuator.Config{URL: srv.OptimizeURL()}); err != nil {
		t.Fatal(err)
	}
	return b
}

// exportingResumed checks that every partition exports.
func (b *setBackend) exportingResumed() error {
	phases, err := b.exporting.Status(context.Background())
	if err != nil {
		return err
	}
	for p, ph := range phases {
		if ph != backupapi.PhaseExporting {
			return fmt.Errorf("partition %d is %s, want EXPORTING", p, ph)
		}
	}
	return nil
}

// setConfig is b's provider and one camunda_backup "test".
func setConfig(b *setBackend, id int64, extra string) string {
	return b.provider + fmt.Sprintf("\nresource \"camunda_backup\" \"test\" {\n  backup_id     = %d\n  zeebe_records = true\n%s}\n", id, extra)
}

const setAddr = "camunda_backup.test"

// expectCompletedSet checks that the set is COMPLETED and restorable.
func expectCompletedSet() []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(setAddr, tfjsonpath.New("state"), knownvalue.StringExact("COMPLETED")),
		statecheck.ExpectKnownValue(setAddr, tfjsonpath.New("restorable"), knownvalue.Bool(true)),
	}
}

// TestAccCamundaBackupSet takes a whole set with one id across every component, reads it
// back, shows it in camunda_backups with its restore plan, and keeps the backups on destroy.
func TestAccCamundaBackupSet(t *testing.T) {
	t.Parallel()
	b := newSetBackend(t)
	dataSource := `
data "camunda_backups" "all" {
  zeebe_records = true
  depends_on    = [camunda_backup.test]
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: setConfig(b, 500, "") + dataSource,
				ConfigStateChecks: append(expectCompletedSet(),
					statecheck.ExpectKnownValue(setAddr, tfjsonpath.New("components"), knownvalue.MapExact(map[string]knownvalue.Check{
						"webapps": knownvalue.StringExact("COMPLETED"), "optimize": knownvalue.StringExact("COMPLETED"),
						"zeebe-records": knownvalue.StringExact("COMPLETED"), "zeebe": knownvalue.StringExact("COMPLETED"),
					})),
					statecheck.ExpectKnownValue("data.camunda_backups.all", tfjsonpath.New("latest_restorable"), knownvalue.Int64Exact(500)),
					statecheck.ExpectKnownValue("data.camunda_backups.all", tfjsonpath.New("restore_plan").AtMapKey("zeebe_restore_command"),
						knownvalue.StringExact("bin/restore --backupId=500")),
					statecheck.ExpectKnownValue("data.camunda_backups.all", tfjsonpath.New("restore_plan").AtMapKey("partitions"), knownvalue.Int64Exact(3)),
					statecheck.ExpectKnownValue("data.camunda_backups.all", tfjsonpath.New("restore_plan").AtMapKey("camunda_version"), knownvalue.StringExact("8.8.0")),
					statecheck.ExpectKnownValue("data.camunda_backups.all", tfjsonpath.New("restore_plan").AtMapKey("snapshots"), knownvalue.ListPartial(map[int]knownvalue.Check{
						0: knownvalue.ObjectExact(map[string]knownvalue.Check{
							"component": knownvalue.StringExact("webapps"), "repository": knownvalue.StringExact(testRepository),
							"name": knownvalue.StringRegexp(regexp.MustCompile(`^camunda_webapps_500_8\.8\.0_part_1_of_\d+$`)),
						}),
					})),
				),
				Check: func(*terraform.State) error { return b.exportingResumed() },
			},
			{
				ResourceName: setAddr, ImportState: true, ImportStateId: "500", ImportStateVerify: true,
				ImportStateVerifyIgnore: []string{"zeebe_records", "timeouts"},
			},
		},
		CheckDestroy: func(*terraform.State) error {
			_, err := b.zeebe.Get(context.Background(), 500)
			return err // kept on destroy: delete_on_destroy is false
		},
	})
}

// TestAccCamundaBackupComponentFails fails each component in turn: the apply fails naming
// it, exporting is resumed, and the set is kept tainted and not restorable. The next apply
// replaces it: under the same id when Zeebe never took it (the failed set's leftovers are
// deleted first), refused before anything is paused when Zeebe did.
func TestAccCamundaBackupComponentFails(t *testing.T) {
	t.Parallel()
	b := newSetBackend(t)
	es := b.srv.Emulator().Faults()
	failPartition := func(int64) {
		b.srv.Faults().Set(server.FaultSettings{FailPartitions: map[int]string{2: "store I/O error"}})
	}
	for i, tc := range []struct {
		name   string
		inject func(id int64)
		want   string
		// again is the outcome of the next apply once the fault is gone: "" succeeds.
		again string
	}{
		{"web apps", func(id int64) { es.FailSnapshots(fmt.Sprintf("camunda_webapps_%d_*", id), "FAILED", "disk full") },
			`(?s)Backup Set Failed at webapps.*exporting\s+was\s+resumed`, ""},
		{"Optimize", func(id int64) { es.FailSnapshots(fmt.Sprintf("camunda_optimize_%d_*", id), "FAILED", "disk full") },
			`(?s)Backup Set Failed at optimize.*exporting\s+was\s+resumed`, ""},
		{"zeebe-record", func(id int64) {
			es.FailSnapshots(fmt.Sprintf("camunda_zeebe_records_backup_%d", id), "FAILED", "disk full")
		},
			`(?s)Backup Set Failed at zeebe-records.*exporting\s+was\s+resumed`, ""},
		{"Zeebe partition", failPartition,
			`(?s)Backup Set Failed at zeebe.*partition\s+2\s+failed.*exporting\s+was\s+resumed`, `(?s)Backup ID Refused by Zeebe`},
	} {
		id := int64(600 + 10*i)
		t.Run(tc.name, func(t *testing.T) {
			again := resource.TestStep{
				PreConfig: func() { es.Reset(); b.srv.Faults().Reset() },
				Config:    setConfig(b, id, ""),
			}
			if tc.again == "" {
				again.ConfigStateChecks = expectCompletedSet()
			} else {
				again.ExpectError = regexp.MustCompile(tc.again)
			}
			steps := []resource.TestStep{{
				PreConfig:   func() { tc.inject(id) },
				Config:      setConfig(b, id, ""),
				ExpectError: regexp.MustCompile(tc.want),
			}, again}
			if tc.again != "" {
				// The refused replacement kept the failed set in the state: a greater id
				// replaces it (a set lost from the state would be created instead).
				steps = append(steps, resource.TestStep{
					Config: setConfig(b, id+5, ""),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(setAddr, plancheck.ResourceActionDestroyBeforeCreate)},
					},
					ConfigStateChecks: expectCompletedSet(),
				})
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    steps,
				CheckDestroy:             func(*terraform.State) error { return b.exportingResumed() },
			})
		})
	}
}

// TestAccCamundaBackupRefusedAndPaused: an id Zeebe would refuse is refused before
// exporting is paused; a cluster found paused is reported, and resumed first when asked.
func TestAccCamundaBackupRefusedAndPaused(t *testing.T) {
	t.Parallel()
	b := newSetBackend(t)
	if err := b.zeebe.Take(context.Background(), 900); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      setConfig(b, 850, ""),
				ExpectError: regexp.MustCompile(`(?s)Backup ID Refused by Zeebe.*850 is refused before anything\s+was\s+paused.*largest\s+backup\s+id\s+is\s+900`),
			},
			{
				PreConfig: func() {
					if err := b.exporting.Pause(context.Background(), false); err != nil {
						t.Fatal(err)
					}
				},
				Config:      setConfig(b, 950, ""),
				ExpectError: regexp.MustCompile(`(?s)Exporting Is Paused.*partition\s+1\s+PAUSED.*curl\s+-X\s+POST\s+http://127\.0\.0\.1:\d+/actuator/exporting/resume`),
			},
			{
				Config:            setConfig(b, 950, "  resume_paused_exporting = true\n"),
				ConfigStateChecks: expectCompletedSet(),
				Check:             func(*terraform.State) error { return b.exportingResumed() },
			},
		},
	})
}

// TestAccCamundaBackupReplacedUnderTheSameID taints a completed set whose id does not change,
// with destroy keeping it (the default): Zeebe would refuse the id, and the create takes the
// kept set over instead, so it never leaves the state. A set found broken is replaced as
// before (TestAccCamundaBackupComponentFails).
func TestAccCamundaBackupReplacedUnderTheSameID(t *testing.T) {
	t.Parallel()
	b := newSetBackend(t)
	sameStart := statecheck.CompareValue(compare.ValuesSame())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            setConfig(b, 1200, ""),
				ConfigStateChecks: append(expectCompletedSet(), sameStart.AddStateValue(setAddr, tfjsonpath.New("start_time"))),
			},
			{
				Taint:  []string{setAddr},
				Config: setConfig(b, 1200, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(setAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: append(expectCompletedSet(), sameStart.AddStateValue(setAddr, tfjsonpath.New("start_time"))),
				Check:             func(*terraform.State) error { return b.exportingResumed() },
			},
		},
	})
}

// TestAccCamundaBackupZeebeRecordsIndexPrefix: with the legacy exporter writing under a
// prefix of its own, a whole backup whose prefix matches no index is refused before anything
// is paused or taken (an empty snapshot would read restorable); once the exporter's indices
// exist, the zeebe-record snapshot holds exactly them.
func TestAccCamundaBackupZeebeRecordsIndexPrefix(t *testing.T) {
	t.Parallel()
	b := newSetBackend(t)
	provider := strings.Replace(b.provider, "  elasticsearch {\n", "  elasticsearch {\n    zeebe_records_index_prefix = \"prod-records\"\n", 1)
	config := provider + "\nresource \"camunda_backup\" \"test\" {\n  backup_id     = 1100\n  zeebe_records = true\n}\n"
	const index = "prod-records_job_8.8.0_2026-01-01"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)No Index for the Zeebe-Record Snapshot.*no\s+index\s+matches\s+prod-records_\*.*before\s+anything\s+was\s+paused`),
				Check:       func(*terraform.State) error { return b.exportingResumed() },
			},
			{
				PreConfig: func() {
					if _, err := b.zeebe.Get(context.Background(), 1100); !errors.Is(err, backupapi.ErrNotFound) {
						t.Fatalf("Zeebe backup 1100 after the refusal: %v, want none", err)
					}
					if r := esCall(t, b, http.MethodPut, "/"+index); r != http.StatusOK {
						t.Fatalf("create %s: %d", index, r)
					}
				},
				Config:            config,
				ConfigStateChecks: expectCompletedSet(),
				Check: func(*terraform.State) error {
					var answer struct {
						Snapshots []struct {
							Indices []string `json:"indices"`
						} `json:"snapshots"`
					}
					esGet(t, b, "/_snapshot/"+testRepository+"/camunda_zeebe_records_backup_1100", &answer)
					if len(answer.Snapshots) != 1 || !slices.Equal(answer.Snapshots[0].Indices, []string{index}) {
						return fmt.Errorf("the zeebe-record snapshot holds %+v, want [%s]", answer.Snapshots, index)
					}
					return nil
				},
			},
		},
	})
}

// esCall sends a request without a body to b's embedded Elasticsearch and returns the status.
func esCall(t *testing.T, b *setBackend, method, path string) int {
	t.Helper()
	req, err := http.NewRequest(method, b.srv.ElasticsearchURL()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// esGet decodes the answer of a GET of b's embedded Elasticsearch into v.
func esGet(t *testing.T, b *setBackend, path string, v any) {
	t.Helper()
	res, err := http.Get(b.srv.ElasticsearchURL() + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// TestAccCamundaBackupsDataSource: the data source tells restorable sets from
// partial ones and plans a chosen id.
func TestAccCamundaBackupsDataSource(t *testing.T) {
	t.Parallel()
	b := newSetBackend(t)
	b.srv.Faults().Set(server.FaultSettings{FailPartitions: map[int]string{1: "store I/O error"}})
	if err := b.zeebe.Take(context.Background(), 100); err != nil {
		t.Fatal(err)
	}
	config := b.provider + `
data "camunda_backups" "all" {
  backup_id = 100
}
`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.camunda_backups.all", tfjsonpath.New("latest_restorable"), knownvalue.Null()),
				statecheck.ExpectKnownValue("data.camunda_backups.all", tfjsonpath.New("backups").AtSliceIndex(0).AtMapKey("restorable"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue("data.camunda_backups.all", tfjsonpath.New("restore_plan").AtMapKey("restorable"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue("data.camunda_backups.all", tfjsonpath.New("restore_plan").AtMapKey("problem"),
					knownvalue.StringRegexp(regexp.MustCompile(`webapps is DOES_NOT_EXIST.*zeebe is FAILED`))),
			},
		}},
	})
}

// TestCamundaBackupNeedsActuator: the whole backup says what it needs on the elasticsearch
// backend alone.
func TestCamundaBackupNeedsActuator(t *testing.T) {
	var diags diag.Diagnostics
	if (&backend{}).setOf(&diags) != nil || !diags.HasError() || !strings.Contains(diags.Errors()[0].Detail(), "actuator block") {
		t.Fatalf("setOf without the actuator: %v", diags)
	}
}

// TestAccCamundaBackupDeleteOnDestroy: with delete_on_destroy, destroying the resource
// deletes every component's backup of the set.
func TestAccCamundaBackupDeleteOnDestroy(t *testing.T) {
	t.Parallel()
	b := newSetBackend(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            setConfig(b, 520, "  delete_on_destroy = true\n"),
			ConfigStateChecks: expectCompletedSet(),
		}},
		CheckDestroy: func(*terraform.State) error {
			ctx := context.Background()
			if _, err := b.optimize.Get(ctx, 520); !errors.Is(err, backupapi.ErrNotFound) {
				return fmt.Errorf("Optimize backup 520 after destroy: %v, want none", err)
			}
			web, err := actuator.New(actuator.Config{URL: b.srv.URL()})
			if err != nil {
				return err
			}
			if _, err := web.Get(ctx, 520); !errors.Is(err, backupapi.ErrNotFound) {
				return fmt.Errorf("web-app backup 520 after destroy: %v, want none", err)
			}
			if _, err := b.zeebe.Get(ctx, 520); !errors.Is(err, backupapi.ErrNotFound) {
				return fmt.Errorf("Zeebe backup 520 after destroy: %v, want none", err)
			}
			rec, err := records.New(records.Config{ES: esclient.Config{Addresses: []string{b.srv.ElasticsearchURL()}}, Repository: testRepository})
			if err != nil {
				return err
			}
			if _, err := rec.Get(ctx, 520); !errors.Is(err, backupapi.ErrNotFound) {
				return fmt.Errorf("zeebe-record snapshot 520 after destroy: %v, want none", err)
			}
			return nil
		},
	})
}

package provider

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
)

const testAddr = "camunda_webapp_backup.test"

var rfc3339 = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$`)

// expectCompleted checks the state of a backup that has completed.
func expectCompleted(id string) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(testAddr, tfjsonpath.New("id"), knownvalue.StringExact(id)),
		statecheck.ExpectKnownValue(testAddr, tfjsonpath.New("state"), knownvalue.StringExact("COMPLETED")),
		statecheck.ExpectKnownValue(testAddr, tfjsonpath.New("failure_reason"), knownvalue.Null()),
		statecheck.ExpectKnownValue(testAddr, tfjsonpath.New("repository"), knownvalue.StringExact(testRepository)),
		statecheck.ExpectKnownValue(testAddr, tfjsonpath.New("snapshot_names").AtSliceIndex(0),
			knownvalue.StringRegexp(regexp.MustCompile(`^camunda_webapps_`+id+`_8\.8\.0_part_1_of_\d+$`))),
		statecheck.ExpectKnownValue(testAddr, tfjsonpath.New("start_time"), knownvalue.StringRegexp(rfc3339)),
	}
}

// TestAccWebappBackupLifecycle creates a backup and waits for it, imports it both ways,
// updates it in place, replaces it on an id change, and destroys it: by default destroy keeps
// the snapshots.
func TestAccWebappBackupLifecycle(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *testBackend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			CheckDestroy:             func(*terraform.State) error { return expectBackup(b, 12, true) },
			Steps: []resource.TestStep{
				{
					Config:            backupConfig(b, 11, ""),
					ConfigStateChecks: expectCompleted("11"),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAddr, plancheck.ResourceActionCreate)},
						PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
				},
				{ResourceName: testAddr, ImportState: true, ImportStateVerify: true},
				{ResourceName: testAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithID},
				{
					Config: backupConfig(b, 11, "  delete_on_destroy = false\n  timeouts {\n    create = \"60m\"\n  }\n"),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAddr, plancheck.ResourceActionUpdate)},
					},
					ConfigStateChecks: append(expectCompleted("11"),
						statecheck.ExpectKnownValue(testAddr, tfjsonpath.New("delete_on_destroy"), knownvalue.Bool(false))),
				},
				{
					Config: backupConfig(b, 12, ""),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAddr, plancheck.ResourceActionDestroyBeforeCreate)},
					},
					ConfigStateChecks: expectCompleted("12"),
					// The replaced backup had delete_on_destroy = false: its snapshots stay.
					Check: func(*terraform.State) error { return expectBackup(b, 11, true) },
				},
			},
		})
	})
}

// TestAccWebappBackupDrift deletes the backup outside Terraform: the refresh drops it from the
// state and the next apply takes it again.
func TestAccWebappBackupDrift(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *testBackend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{
				{Config: backupConfig(b, 21, ""), ConfigStateChecks: expectCompleted("21")},
				{
					PreConfig: func() {
						if err := b.client.Delete(context.Background(), 21); err != nil {
							t.Fatalf("delete backup 21 outside Terraform: %v", err)
						}
					},
					RefreshState:       true,
					ExpectNonEmptyPlan: true,
				},
				{
					Config: backupConfig(b, 21, ""),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAddr, plancheck.ResourceActionCreate)},
					},
					ConfigStateChecks: expectCompleted("21"),
				},
			},
		})
	})
}

// TestAccWebappBackupFailedPart fails a part: the apply fails with the reason, the backup is
// tainted and the next apply replaces it.
func TestAccWebappBackupFailedPart(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *testBackend) {
		faults := b.requireEmulator(t).Faults()
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{
				{
					PreConfig:   func() { faults.FailSnapshots("camunda_webapps_31_*_part_3_*", "FAILED", "disk full") },
					Config:      backupConfig(b, 31, ""),
					ExpectError: regexp.MustCompile(`(?s)Backup FAILED.*camunda_webapps_31_8\.8\.0_part_3_of_\d+: FAILED.*tainted`),
				},
				{
					PreConfig: faults.Reset,
					Config:    backupConfig(b, 31, ""),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAddr, plancheck.ResourceActionDestroyBeforeCreate)},
					},
					ConfigStateChecks: expectCompleted("31"),
				},
			},
		})
	})
}

// TestAccWebappBackupCreateTimeout holds a part past the create timeout: the apply fails, the
// backup stays in state (tainted) and is replaced once it can finish.
func TestAccWebappBackupCreateTimeout(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *testBackend) {
		faults := b.requireEmulator(t).Faults()
		// The backup goes on after the timeout and completes under its id: replacing it with
		// the same id needs delete_on_destroy, or terraform untaint keeps it as it is.
		timeout := "  delete_on_destroy = true\n  timeouts {\n    create = \"1s\"\n  }\n"
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{
				{
					PreConfig:   func() { faults.HoldSnapshots("camunda_webapps_41_*") },
					Config:      backupConfig(b, 41, timeout),
					ExpectError: regexp.MustCompile(`(?s)Backup Not Finished Within the Create Timeout.*IN_PROGRESS`),
				},
				{
					PreConfig: func() {
						faults.ReleaseSnapshots("camunda_webapps_41_*")
						conformance.WaitForState(t, b.client, 41, backupapi.StateCompleted)
					},
					Config: backupConfig(b, 41, "  delete_on_destroy = true\n"),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAddr, plancheck.ResourceActionDestroyBeforeCreate)},
					},
					ConfigStateChecks: expectCompleted("41"),
				},
			},
		})
	})
}

// TestAccWebappBackupReplacedUnderTheSameID replaces a backup whose id does not change, with
// destroy keeping it (the default): by taint, and after a create timeout. The destroy keeps
// the backup, and the create that follows takes it over instead of failing on it, so it never
// leaves the state: the same backup (same start time) after a taint, the held one followed to
// completion after the timeout. The plans afterwards are empty.
func TestAccWebappBackupReplacedUnderTheSameID(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *testBackend) {
		sameStart := statecheck.CompareValue(compare.ValuesSame())
		newStart := statecheck.CompareValue(compare.ValuesDiffer())
		steps := []resource.TestStep{
			{
				Config:            backupConfig(b, 45, ""),
				ConfigStateChecks: append(expectCompleted("45"), sameStart.AddStateValue(testAddr, tfjsonpath.New("start_time"))),
			},
			{
				Taint:  []string{testAddr},
				Config: backupConfig(b, 45, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAddr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ConfigStateChecks: append(expectCompleted("45"), sameStart.AddStateValue(testAddr, tfjsonpath.New("start_time")),
					newStart.AddStateValue(testAddr, tfjsonpath.New("start_time"))),
			},
			{
				// delete_on_destroy = true set with the taint: the destroy reads false from the
				// state and keeps the backup; the replacement deletes it and takes it afresh.
				Taint:             []string{testAddr},
				Config:            backupConfig(b, 45, "  delete_on_destroy = true\n"),
				ConfigStateChecks: append(expectCompleted("45"), newStart.AddStateValue(testAddr, tfjsonpath.New("start_time"))),
			},
			{
				Config:            backupConfig(b, 45, ""),
				ConfigStateChecks: expectCompleted("45"),
			},
		}
		if b.name == backendActuator {
			// The backup goes on in Camunda after the timeout; with the elasticsearch backend
			// the provider takes the parts itself and they stop with the run.
			faults := b.requireEmulator(t).Faults()
			steps = append(steps,
				resource.TestStep{
					PreConfig:   func() { faults.HoldSnapshots("camunda_webapps_46_*") },
					Config:      backupConfig(b, 46, "  timeouts {\n    create = \"1s\"\n  }\n"),
					ExpectError: regexp.MustCompile(`(?s)Backup Not Finished Within the Create Timeout.*IN_PROGRESS.*takes\s+over\s+the\s+backup`),
				},
				resource.TestStep{
					PreConfig: func() { faults.ReleaseSnapshots("camunda_webapps_46_*") },
					Config:    backupConfig(b, 46, ""),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAddr, plancheck.ResourceActionDestroyBeforeCreate)},
					},
					ConfigStateChecks: expectCompleted("46"),
				},
			)
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps:                    steps,
			CheckDestroy:             func(*terraform.State) error { return expectBackup(b, 45, true) },
		})
	})
}

// TestAccWebappBackupNoWait sets wait_for_completion = false. The actuator backend returns as
// soon as the backup has started, IN_PROGRESS, a later refresh reads it COMPLETED, and destroy
// does not wait for the deletion. The elasticsearch backend takes the parts in the provider's
// process, so it waits anyway (and says so in a warning).
func TestAccWebappBackupNoWait(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *testBackend) {
		faults := b.requireEmulator(t).Faults()
		const held = "camunda_webapps_71_*_part_2_*"
		config := backupConfig(b, 71, "  wait_for_completion = false\n  delete_on_destroy   = true\n")
		first := resource.TestStep{Config: config, ConfigStateChecks: expectCompleted("71")}
		if b.name == backendActuator {
			first = resource.TestStep{
				PreConfig: func() { faults.HoldSnapshots(held) },
				Config:    config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAddr, tfjsonpath.New("state"), knownvalue.StringExact("IN_PROGRESS")),
					statecheck.ExpectKnownValue(testAddr, tfjsonpath.New("snapshot_names"), knownvalue.ListSizeExact(5)),
				},
			}
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			CheckDestroy: func(*terraform.State) error {
				return waitUntil(func() error { return expectBackup(b, 71, false) })
			},
			Steps: []resource.TestStep{
				first,
				{
					PreConfig: func() {
						faults.ReleaseSnapshots(held)
						conformance.WaitForState(t, b.client, 71, backupapi.StateCompleted)
					},
					Config:            config,
					ConfigStateChecks: expectCompleted("71"),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
				},
			},
		})
	})
}

// TestAccWebappBackupGoneBeforeDestroy deletes the backup outside Terraform after the destroy
// was planned: the provider's delete finds nothing, which is what was asked, and the destroy
// succeeds.
func TestAccWebappBackupGoneBeforeDestroy(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *testBackend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{
				{Config: backupConfig(b, 81, ""), ConfigStateChecks: expectCompleted("81")},
				{
					Config: b.provider,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{
							plancheck.ExpectResourceAction(testAddr, plancheck.ResourceActionDestroy),
							deleteOutsideTerraform{b, 81},
						},
					},
				},
			},
		})
	})
}

// deleteOutsideTerraform is a plan check that deletes a backup through the API, between the
// plan and the apply.
type deleteOutsideTerraform struct {
	b  *testBackend
	id backupapi.ID
}

func (d deleteOutsideTerraform) CheckPlan(ctx context.Context, _ plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = d.b.client.Delete(ctx, d.id)
}

// waitUntil polls check until it passes or a deadline passes, and returns its last error.
func waitUntil(check func() error) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := check()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(10 * time.Millisecond) // polling interval, not synchronisation
	}
}

// TestAccWebappBackupKeepOnDestroy destroys a backup with delete_on_destroy = false: its
// snapshots stay.
func TestAccWebappBackupKeepOnDestroy(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *testBackend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			CheckDestroy:             func(*terraform.State) error { return expectBackup(b, 51, true) },
			Steps: []resource.TestStep{
				{Config: backupConfig(b, 51, "  delete_on_destroy = false\n"), ConfigStateChecks: expectCompleted("51")},
			},
		})
	})
}

// TestAccWebappBackupErrors covers the errors a user meets: importing a backup that does not
// exist or a malformed id, an id that is already taken, and an invalid id.
func TestAccWebappBackupErrors(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *testBackend) {
		if _, err := b.client.Create(context.Background(), 62); err != nil {
			t.Fatalf("create backup 62 outside Terraform: %v", err)
		}
		conformance.WaitForState(t, b.client, 62, backupapi.StateCompleted)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{
				{
					Config:      backupConfig(b, 0, ""),
					ExpectError: regexp.MustCompile(`(?s)Invalid Backup ID.*from 1`),
				},
				{
					Config:      strings.Replace(backupConfig(b, 1, ""), "backup_id = 1", "backup_id = 2.5", 1),
					ExpectError: regexp.MustCompile(`(?s)Invalid Backup ID.*whole numbers; 2\.5 is not`),
				},
				{
					Config: backupConfig(b, 61, ""), ResourceName: testAddr, ImportState: true, ImportStateId: "61",
					ExpectError: regexp.MustCompile(`Cannot import non-existent remote object`),
				},
				{
					Config: backupConfig(b, 61, ""), ResourceName: testAddr, ImportState: true, ImportStateId: "sixty-one",
					ExpectError: regexp.MustCompile(`(?s)Invalid Import ID.*positive integer`),
				},
				{
					Config:      backupConfig(b, 62, ""),
					ExpectError: regexp.MustCompile(`(?s)Backup Already Exists.*terraform\s+import\s+camunda_webapp_backup`),
				},
			},
		})
	})
}

// TestAccWebappBackupTwoAtOnce applies two backups in one configuration: terraform creates
// them concurrently, and the second waits its turn instead of failing with "another backup is
// running".
func TestAccWebappBackupTwoAtOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *testBackend) {
		config := b.provider + `
resource "camunda_webapp_backup" "nightly" {
  backup_id = 161
}

resource "camunda_webapp_backup" "before_upgrade" {
  backup_id = 162
}
`
		completed := func(addr string) statecheck.StateCheck {
			return statecheck.ExpectKnownValue(addr, tfjsonpath.New("state"), knownvalue.StringExact("COMPLETED"))
		}
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					completed("camunda_webapp_backup.nightly"), completed("camunda_webapp_backup.before_upgrade"),
				},
			}},
		})
	})
}

// TestAccWebappBackupWaitsForAnotherProcess starts a backup outside Terraform and holds it:
// the apply waits for it until the create timeout and then says what it waited for; once the
// other backup has finished, the apply succeeds. Only the actuator backend has one queue of
// parts for every client, as Camunda has; the elasticsearch backend, like a second web
// application, lets Elasticsearch run the other process's snapshots beside its own.
func TestAccWebappBackupWaitsForAnotherProcess(t *testing.T) {
	parallel(t)
	b := newTestBackend(t, backendActuator)
	{
		faults := b.requireEmulator(t).Faults()
		const held = "camunda_webapps_171_*_part_2_*"
		faults.HoldSnapshots(held)
		t.Cleanup(func() { faults.ReleaseSnapshots(held) })
		if _, err := b.client.Create(context.Background(), 171); err != nil {
			t.Fatalf("start backup 171 outside Terraform: %v", err)
		}
		timeout := "  timeouts {\n    create = \"2s\"\n  }\n"
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{
				{
					Config:      backupConfig(b, 172, timeout),
					ExpectError: regexp.MustCompile(`(?s)Backup Not Finished Within the Create Timeout.*running\s+backup\s+to\s+finish.*was\s+not\s+started`),
				},
				{
					PreConfig: func() {
						faults.ReleaseSnapshots(held)
						conformance.WaitForState(t, b.client, 171, backupapi.StateCompleted)
					},
					Config:            backupConfig(b, 172, ""),
					ConfigStateChecks: expectCompleted("172"),
				},
			},
		})
	}
}

// TestAccWebappBackupBrokenIsReplaced deletes a part of a completed backup outside Terraform:
// the refresh finds it broken, the plan replaces it, and the apply takes it again under the
// same id, complete.
func TestAccWebappBackupBrokenIsReplaced(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *testBackend) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{
				{Config: backupConfig(b, 221, ""), ConfigStateChecks: expectCompleted("221")},
				{
					PreConfig: func() {
						backup, err := b.client.Get(context.Background(), 221)
						if err != nil || len(backup.Snapshots) < 3 {
							t.Fatalf("backup 221: %v, %v", backup, err)
						}
						req, _ := http.NewRequest(http.MethodDelete, b.esURL+"/_snapshot/"+testRepository+"/"+backup.Snapshots[1].Name, nil)
						res, err := http.DefaultClient.Do(req)
						if err != nil || res.StatusCode != http.StatusOK {
							t.Fatalf("delete part 2 of backup 221 outside Terraform: %v %v", err, res)
						}
						res.Body.Close()
					},
					Config: backupConfig(b, 221, ""),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAddr, plancheck.ResourceActionDestroyBeforeCreate)},
					},
					ConfigStateChecks: expectCompleted("221"),
				},
			},
		})
	})
}

package provider

import (
	"context"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
)

// createBackup takes a backup outside Terraform and waits until it is in state.
func createBackup(t *testing.T, b *testBackend, id backupapi.ID, state backupapi.State) {
	t.Helper()
	if _, err := b.client.Create(context.Background(), id); err != nil {
		t.Fatalf("create backup %s: %v", id, err)
	}
	conformance.WaitForState(t, b.client, id, state)
}

// backupIs checks one backup of a data source by id and state.
func backupIs(id int64, state string) knownvalue.Check {
	return knownvalue.ObjectPartial(map[string]knownvalue.Check{
		"backup_id": knownvalue.Int64Exact(id), "state": knownvalue.StringExact(state),
	})
}

// TestAccWebappBackupsDataSource lists backups with and without filters, and looks one up.
func TestAccWebappBackupsDataSource(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *testBackend) {
		createBackup(t, b, 71, backupapi.StateCompleted)
		createBackup(t, b, 72, backupapi.StateCompleted)
		all := []knownvalue.Check{backupIs(72, "COMPLETED"), backupIs(71, "COMPLETED")}
		if b.emulator != nil {
			b.emulator.Faults().FailSnapshots("camunda_webapps_73_*_part_2_*", "FAILED", "disk full")
			createBackup(t, b, 73, backupapi.StateFailed)
			all = append([]knownvalue.Check{backupIs(73, "FAILED")}, all...)
		}
		config := b.provider + `
data "camunda_webapp_backups" "all" {}
data "camunda_webapp_backups" "completed" {
  state = "COMPLETED"
}
data "camunda_webapp_backups" "one" {
  pattern = "72"
}
data "camunda_webapp_backups" "none" {
  pattern = "9*"
}
data "camunda_webapp_backup" "one" {
  backup_id = 72
}
`
		names := tfjsonpath.New("snapshot_names")
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{
				{
					Config:      b.provider + "data \"camunda_webapp_backup\" \"missing\" {\n  backup_id = 99\n}\n",
					ExpectError: regexp.MustCompile(`(?s)Backup Not Found.*99`),
				},
				{
					Config:      b.provider + "data \"camunda_webapp_backups\" \"bad\" {\n  pattern = \"7?\"\n}\n",
					ExpectError: regexp.MustCompile(`(?s)Invalid Pattern`),
				},
				{
					Config:      b.provider + "data \"camunda_webapp_backups\" \"bad\" {\n  state = \"DONE\"\n}\n",
					ExpectError: regexp.MustCompile(`(?s)state.*value must be one of`),
				},
				{
					Config: config,
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownValue("data.camunda_webapp_backups.all", tfjsonpath.New("backups"), knownvalue.ListExact(all)),
						statecheck.ExpectKnownValue("data.camunda_webapp_backups.all", tfjsonpath.New("latest_completed").AtMapKey("backup_id"), knownvalue.Int64Exact(72)),
						statecheck.ExpectKnownValue("data.camunda_webapp_backups.all", tfjsonpath.New("repository"), knownvalue.StringExact(testRepository)),
						statecheck.ExpectKnownValue("data.camunda_webapp_backups.completed", tfjsonpath.New("backups"),
							knownvalue.ListExact([]knownvalue.Check{backupIs(72, "COMPLETED"), backupIs(71, "COMPLETED")})),
						statecheck.ExpectKnownValue("data.camunda_webapp_backups.one", tfjsonpath.New("backups"),
							knownvalue.ListExact([]knownvalue.Check{backupIs(72, "COMPLETED")})),
						statecheck.ExpectKnownValue("data.camunda_webapp_backups.one", tfjsonpath.New("backups").AtSliceIndex(0).AtMapKey("start_time"),
							knownvalue.StringRegexp(rfc3339)),
						statecheck.ExpectKnownValue("data.camunda_webapp_backups.none", tfjsonpath.New("backups"), knownvalue.ListSizeExact(0)),
						statecheck.ExpectKnownValue("data.camunda_webapp_backups.none", tfjsonpath.New("latest_completed"), knownvalue.Null()),
						statecheck.ExpectKnownValue("data.camunda_webapp_backup.one", tfjsonpath.New("state"), knownvalue.StringExact("COMPLETED")),
						statecheck.ExpectKnownValue("data.camunda_webapp_backup.one", tfjsonpath.New("repository"), knownvalue.StringExact(testRepository)),
						statecheck.ExpectKnownValue("data.camunda_webapp_backup.one", names.AtSliceIndex(0),
							knownvalue.StringRegexp(regexp.MustCompile(`^camunda_webapps_72_8\.8\.0_part_1_of_\d+$`))),
						statecheck.ExpectKnownValue("data.camunda_webapp_backup.one", names.AtSliceIndex(1),
							knownvalue.StringRegexp(regexp.MustCompile(`^camunda_webapps_72_8\.8\.0_part_2_of_\d+$`))),
					},
				},
			},
		})
	})
}

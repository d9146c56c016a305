package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// The tests of this file need features of newer terraform: resource identity (1.12), actions
// and terraform query (1.14). They skip, saying so, when the terraform in use is older; set
// TF_ACC_TERRAFORM_PATH to a newer binary to run them.

var (
	skipBelow112 = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(version.Must(version.NewVersion("1.12.0")))}
	skipBelow114 = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)}
)

// TestAccWebappBackupIdentity records the backup's identity, imports the backup by identity,
// and keeps working when the backup is imported so.
func TestAccWebappBackupIdentity(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *testBackend) {
		resource.Test(t, resource.TestCase{
			TerraformVersionChecks:   skipBelow112,
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{
				{
					Config: backupConfig(b, 131, ""),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectIdentity(testAddr, map[string]knownvalue.Check{"backup_id": knownvalue.Int64Exact(131)}),
						statecheck.ExpectIdentityValueMatchesState(testAddr, tfjsonpath.New("backup_id")),
					},
				},
				{
					Config:       backupConfig(b, 131, ""),
					ResourceName: testAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity,
				},
			},
		})
	})
}

// actionTriggerConfig is a "release" that runs the backup action before every update, as an
// operator would guard a Camunda upgrade.
func actionTriggerConfig(b *testBackend, release string, id int64) string {
	return b.provider + fmt.Sprintf(`
action "camunda_webapp_backup" "before_upgrade" {
  config {
    backup_id = %d
  }
}

resource "terraform_data" "camunda_release" {
  input = %q

  lifecycle {
    action_trigger {
      events  = [before_update]
      actions = [action.camunda_webapp_backup.before_upgrade]
    }
  }
}
`, id, release)
}

// TestAccWebappBackupActionTrigger upgrades a "release" guarded by the action: the upgrade is
// preceded by a backup, and a failed backup stops the upgrade.
func TestAccWebappBackupActionTrigger(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *testBackend) {
		faults := b.requireEmulator(t).Faults()
		release := func(v string) statecheck.StateCheck {
			return statecheck.ExpectKnownValue("terraform_data.camunda_release", tfjsonpath.New("output"), knownvalue.StringExact(v))
		}
		resource.Test(t, resource.TestCase{
			TerraformVersionChecks:   skipBelow114,
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{
				{
					Config:            actionTriggerConfig(b, "8.8.0", 141),
					ConfigStateChecks: []statecheck.StateCheck{release("8.8.0")},
					Check:             func(*terraform.State) error { return expectBackup(b, 141, false) },
				},
				{
					Config:            actionTriggerConfig(b, "8.8.1", 141),
					ConfigStateChecks: []statecheck.StateCheck{release("8.8.1")},
					Check: func(*terraform.State) error {
						got, err := b.client.Get(context.Background(), 141)
						if err != nil || got.State != backupapi.StateCompleted {
							return fmt.Errorf("backup 141 = %v, %v; want COMPLETED before the upgrade", got.State, err)
						}
						return nil
					},
				},
				{
					PreConfig:   func() { faults.FailSnapshots("camunda_webapps_142_*_part_2_*", "FAILED", "disk full") },
					Config:      actionTriggerConfig(b, "8.8.2", 142),
					ExpectError: regexp.MustCompile(`(?s)Backup FAILED.*disk full`),
				},
				{
					// The failed backup stopped the upgrade: the release is still 8.8.1, so
					// configuring 8.8.1 plans nothing (and triggers no backup).
					PreConfig: faults.Reset,
					Config:    actionTriggerConfig(b, "8.8.1", 143),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					},
					ConfigStateChecks: []statecheck.StateCheck{release("8.8.1")},
					Check:             func(*terraform.State) error { return expectBackup(b, 143, false) },
				},
			},
		})
	})
}

// TestAccWebappBackupQuery lists backups with terraform query, filters them, and generates the
// configuration that imports them.
func TestAccWebappBackupQuery(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b *testBackend) {
		createBackup(t, b, 151, backupapi.StateCompleted)
		createBackup(t, b, 152, backupapi.StateCompleted)
		query := b.provider + `
list "camunda_webapp_backup" "all" {
  provider = camunda
}

list "camunda_webapp_backup" "one" {
  provider = camunda
  config {
    pattern = "151"
    state   = "COMPLETED"
  }
}
`
		resource.Test(t, resource.TestCase{
			TerraformVersionChecks:   skipBelow114,
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{
				{
					Query:  true,
					Config: query,
					QueryResultChecks: []querycheck.QueryResultCheck{
						querycheck.ExpectLength("camunda_webapp_backup.all", 2),
						querycheck.ExpectLength("camunda_webapp_backup.one", 1),
						querycheck.ExpectIdentity("camunda_webapp_backup.one", map[string]knownvalue.Check{"backup_id": knownvalue.Int64Exact(151)}),
						querycheck.ExpectIdentity("camunda_webapp_backup.all", map[string]knownvalue.Check{"backup_id": knownvalue.Int64Exact(152)}),
					},
				},
			},
		})
	})
}

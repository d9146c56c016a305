# A backup of the Operate and Tasklist data. Apply returns when every
# snapshot of the backup has completed.
resource "camunda_webapp_backup" "nightly" {
  backup_id = 20261125

  timeouts {
    create = "60m"
    delete = "10m"
  }
}

# A backup that outlives the Terraform resource: destroying it only
# forgets it, the snapshots stay in the repository.
resource "camunda_webapp_backup" "before_upgrade" {
  backup_id         = 20261126
  delete_on_destroy = false
}

output "nightly_snapshots" {
  value = [for s in camunda_webapp_backup.nightly.snapshots : s.name]
}

# One backup by id, with its snapshots in the order they must be restored.
data "camunda_webapp_backup" "nightly" {
  backup_id = 20261125
}

output "restore_order" {
  value = data.camunda_webapp_backup.nightly.snapshot_names
}

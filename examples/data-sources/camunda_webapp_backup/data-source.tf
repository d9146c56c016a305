# One backup by id, with its snapshots in the order they must be restored.
data "camunda_webapp_backup" "nightly" {
  backup_id = 20261125
}

output "restore_order" {
  value = [for s in data.camunda_webapp_backup.nightly.snapshots : s.name]
}

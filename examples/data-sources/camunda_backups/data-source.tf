# Every whole backup any component knows, newest first, and the restore plan
# of the newest restorable one (or of backup_id, when set).
data "camunda_backups" "all" {}

output "latest_restorable" {
  value = data.camunda_backups.all.latest_restorable
}

# The snapshots to restore, each with its repository, the Camunda version
# they need, and the command to run on every Zeebe broker.
output "restore_plan" {
  value = data.camunda_backups.all.restore_plan
}

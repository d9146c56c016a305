data "camunda_webapp_backup" "restore" {
  backup_id = 20261125
}

locals {
  restore = data.camunda_webapp_backup.restore
}

output "restore_state" {
  # Must be "COMPLETED".
  value = local.restore.state
}

output "restore_plan" {
  # One line per part, in the order to run them.
  value = [
    for name in local.restore.snapshot_names :
    "POST _snapshot/${local.restore.repository}/${name}/_restore?wait_for_completion=true"
  ]
}

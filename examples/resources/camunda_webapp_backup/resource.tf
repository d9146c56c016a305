# A backup of the Operate and Tasklist data. Apply returns when every
# snapshot of the backup has completed; a backup that is already running
# (taken by someone else) is waited for first.
resource "camunda_webapp_backup" "nightly" {
  backup_id = 20261125

  timeouts {
    create = "60m"
    delete = "10m"
  }
}

# Rotation: changing backup_id takes a new backup. With create_before_destroy
# the new backup exists before the old one leaves the state, and since
# delete_on_destroy defaults to false, the old backup's snapshots stay in the
# repository (prune them with the action's keep_last or keep_within).
variable "weekly_backup_id" {
  description = "Raise it to take the next weekly backup, e.g. the date."
  type        = number
  default     = 20261126
}

resource "camunda_webapp_backup" "weekly" {
  backup_id = var.weekly_backup_id

  lifecycle {
    create_before_destroy = true
  }
}

# A throw-away backup whose snapshots are deleted when the resource is
# destroyed or replaced.
resource "camunda_webapp_backup" "scratch" {
  backup_id         = 20261127
  delete_on_destroy = true
}

output "nightly_snapshots" {
  # The snapshots in part order: the order to restore them in.
  value = camunda_webapp_backup.nightly.snapshot_names
}

# The quickstart: take a backup of the Camunda web applications, wait for it,
# list the backups, and print how to restore it.
#
# `make demo` runs it against the reference backup server. To run it against
# your own installation, point it at a web application's management port:
#
#   export CAMUNDA_ACTUATOR_URL=http://localhost:9600
#   terraform apply -var repository=<your snapshot repository>

terraform {
  required_providers {
    camunda = {
      source = "camunda-community-hub/camunda"
    }
  }
}

variable "actuator_url" {
  description = "Base URL of the backup API; null reads CAMUNDA_ACTUATOR_URL."
  type        = string
  default     = null
}

variable "repository" {
  description = "The snapshot repository the web applications back up to."
  type        = string
  default     = "camunda-backup"
}

variable "backup_id" {
  description = "Id of the backup to take: a positive integer, a date works well."
  type        = number
  default     = 20260101
}

provider "camunda" {
  actuator {
    url        = var.actuator_url
    repository = var.repository
  }
}

# Apply returns when every part of the backup has completed. Destroy keeps
# the backup's snapshots (delete_on_destroy defaults to false).
resource "camunda_webapp_backup" "quickstart" {
  backup_id = var.backup_id
}

# Every backup in the repository, newest first.
data "camunda_webapp_backups" "all" {
  depends_on = [camunda_webapp_backup.quickstart]
}

locals {
  # The newest completed backup: the one a restore would use.
  latest = data.camunda_webapp_backups.all.latest_completed
}

output "backup_state" {
  value = camunda_webapp_backup.quickstart.state
}

output "snapshot_names" {
  value = camunda_webapp_backup.quickstart.snapshot_names
}

output "backups_in_repository" {
  value = [for b in data.camunda_webapp_backups.all.backups : "${b.backup_id}: ${b.state}"]
}

# How to restore the newest completed backup with Elasticsearch's API: one part
# after the other, in this order, with the web applications stopped (see the
# guide "Restoring a Backup").
output "restore_plan" {
  value = local.latest == null ? [] : [
    for name in local.latest.snapshot_names :
    "POST _snapshot/${data.camunda_webapp_backups.all.repository}/${name}/_restore?wait_for_completion=true"
  ]
}

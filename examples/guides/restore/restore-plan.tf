terraform {
  required_providers {
    camunda = {
      source = "camunda-community-hub/camunda"
    }
  }
}

provider "camunda" {
  elasticsearch {
    urls       = ["http://localhost:9200"]
    repository = "camunda-backup"
  }
}

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

output "restore_snapshots" {
  # The snapshots to restore, one after another, in this order, from restore_repository.
  value = local.restore.snapshot_names
}

output "restore_repository" {
  value = local.restore.repository
}

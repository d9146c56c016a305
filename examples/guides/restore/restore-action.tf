# Restore backup 20261125 of the web applications with the camunda_webapp_restore action
# (Terraform 1.14 and later, elasticsearch backend):
#
#   terraform apply -invoke=action.camunda_webapp_restore.from_backup
#
# The plan lists the indices the restore deletes; the action runs only when
# confirm_backup_id equals backup_id.
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
    version    = "8.8.0"
  }
}

action "camunda_webapp_restore" "from_backup" {
  config {
    backup_id         = 20261125
    confirm_backup_id = 20261125
    timeout           = "2h"
  }
}

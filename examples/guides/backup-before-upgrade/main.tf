# Every upgrade of Camunda is preceded by a backup of the web applications,
# and a failed backup stops the upgrade. Needs Terraform 1.14 or later.

terraform {
  required_version = ">= 1.14.0"

  required_providers {
    camunda = {
      source = "camunda-community-hub/camunda"
    }
  }
}

variable "camunda_version" {
  description = "The Camunda version to run; changing it is an upgrade."
  type        = string
  default     = "8.8.0"
}

provider "camunda" {
  actuator {
    url        = "http://localhost:9600"
    repository = "camunda-backup"
  }
}

# The backup taken before each upgrade. Without backup_id it gets a new id,
# greater than every existing backup's. After it has completed, backups
# beyond the newest five are deleted, unless they are younger than two weeks.
action "camunda_webapp_backup" "before_upgrade" {
  config {
    timeout     = "60m"
    keep_last   = 5
    keep_within = "336h"
  }
}

# Stands for the Camunda installation: in a real configuration, the
# helm_release, the VM image or the module that deploys Camunda, with the
# same lifecycle block.
resource "terraform_data" "camunda_release" {
  input = var.camunda_version

  lifecycle {
    action_trigger {
      events  = [before_update]
      actions = [action.camunda_webapp_backup.before_upgrade]
    }
  }
}

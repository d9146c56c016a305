# Take a backup on demand (Terraform 1.14 and later):
#
#   terraform apply -invoke=action.camunda_webapp_backup.now
#
# The backup gets a new id, greater than every existing backup's, and the
# apply reports each part as it finishes. Afterwards backups beyond the
# newest seven, and older than 30 days, are deleted.
action "camunda_webapp_backup" "now" {
  config {
    timeout     = "60m"
    keep_last   = 7
    keep_within = "720h"
  }
}

# Or before every upgrade: the release below stands for the Camunda
# installation (a Helm release, a VM image, ...). Changing its version runs
# the action first; a backup that fails stops the upgrade.
variable "camunda_version" {
  type    = string
  default = "8.8.0"
}

action "camunda_webapp_backup" "before_upgrade" {
  config {
    keep_last = 10
  }
}

resource "terraform_data" "camunda_release" {
  input = var.camunda_version

  lifecycle {
    action_trigger {
      events  = [before_update]
      actions = [action.camunda_webapp_backup.before_upgrade]
    }
  }
}

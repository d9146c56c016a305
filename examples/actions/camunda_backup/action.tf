# Take a whole Camunda backup on demand (Terraform 1.14 and later):
#
#   terraform apply -invoke=action.camunda_backup.now
#
# The set gets a new id, greater than the clock's and every id any component
# lists; the apply reports each component, part and partition as it
# finishes. Exporting is resumed whatever happens. Afterwards sets beyond the
# newest seven, and older than 30 days, are deleted, every component's
# backup of a set together.
action "camunda_backup" "now" {
  config {
    timeout     = "60m"
    keep_last   = 7
    keep_within = "720h"
  }
}

# Or before every upgrade: the release below stands for the Camunda
# installation. Changing its version runs the whole backup first; a set that
# fails stops the upgrade.
variable "camunda_version" {
  type    = string
  default = "8.8.0"
}

action "camunda_backup" "before_upgrade" {
  config {
    keep_last = 10
  }
}

resource "terraform_data" "camunda_release" {
  input = var.camunda_version

  lifecycle {
    action_trigger {
      events  = [before_update]
      actions = [action.camunda_backup.before_upgrade]
    }
  }
}

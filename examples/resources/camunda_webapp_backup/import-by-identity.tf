# Take over a backup by its resource identity (Terraform 1.12 and later).
# `terraform query -generate-config-out=...` writes blocks like this one.
import {
  to = camunda_webapp_backup.nightly
  identity = {
    backup_id = 20261125
  }
}

resource "camunda_webapp_backup" "nightly" {
  backup_id = 20261125
}

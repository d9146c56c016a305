# Take over a backup that was made outside Terraform (Terraform 1.5 and later).
import {
  to = camunda_webapp_backup.nightly
  id = "20261125"
}

resource "camunda_webapp_backup" "nightly" {
  backup_id = 20261125
}

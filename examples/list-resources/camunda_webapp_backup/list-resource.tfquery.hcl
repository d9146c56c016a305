# Find backups with `terraform query` (Terraform 1.14 and later), and bring
# them under Terraform with
#
#   terraform query -generate-config-out=backups.tf
#
# which writes a camunda_webapp_backup resource and an import block by
# identity for each backup found.
list "camunda_webapp_backup" "completed" {
  provider = camunda

  config {
    pattern = "2026*"
    state   = "COMPLETED"
  }
}

# Every completed backup whose id starts with 2026, newest first.
data "camunda_webapp_backups" "this_year" {
  pattern = "2026*"
  state   = "COMPLETED"
}

output "latest_completed_backup_id" {
  value = data.camunda_webapp_backups.this_year.latest_completed.backup_id
}

output "backup_ids" {
  value = [for b in data.camunda_webapp_backups.this_year.backups : b.backup_id]
}

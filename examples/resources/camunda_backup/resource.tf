# The orchestration cluster's management port serves the web applications'
# and Zeebe's backup APIs and exporting control. Add optimize_url when
# Optimize is deployed; the elasticsearch block gives the zeebe-record
# snapshot its access to Elasticsearch.
provider "camunda" {
  actuator {
    url = "http://localhost:9600"
    # optimize_url = "http://localhost:8092"
    repository = "camunda-backup"
  }
  elasticsearch {
    urls       = ["http://localhost:9200"]
    repository = "camunda-backup"
  }
}

# A whole backup kept under Terraform (OpenTofu, or Terraform before 1.14):
# web applications, Optimize, the zeebe-record snapshot and Zeebe under one
# id, with exporting soft-paused while it runs and resumed on every path.
resource "camunda_backup" "golden" {
  backup_id     = 1767225600
  zeebe_records = true

  # Destroying the resource keeps every component's backup (the default).
  delete_on_destroy = false
}

output "golden_backup_restorable" {
  value = camunda_backup.golden.restorable
}

output "golden_backup_components" {
  value = camunda_backup.golden.components
}

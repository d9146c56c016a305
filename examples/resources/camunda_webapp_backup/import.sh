# A backup is imported by its backup id.
terraform import camunda_webapp_backup.nightly 20261125

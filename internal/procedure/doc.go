// Package procedure runs the backup procedures that the provider's actions and resources share:
// taking a web-application backup (waiting its turn, following it part by part), choosing a new
// backup id, and pruning old backups by a retention policy. Each procedure is written once here,
// against the interfaces of package backupapi; the Terraform front doors only translate their
// inputs and report what it says.
package procedure

// Package procedure runs the backup procedures that the provider's actions and resources share:
// taking a web-application backup (waiting its turn, following it part by part), choosing a new
// backup id, and pruning old backups by a retention policy; and the whole Camunda 8.8 backup
// (Set: web applications, Optimize, the zeebe-record snapshot and Zeebe under one id, with
// exporting soft-paused and always resumed), its listing, retention and restore plan. Each
// procedure is written once here,
// against the interfaces of package backupapi; the Terraform front doors only translate their
// inputs and report what it says.
package procedure

// Package backupapi is the vocabulary of Camunda 8 web-application backups: backup ids, the
// snapshot names and metadata a backup is made of, the part layout of the indices, the
// derivation of a backup's state from its snapshots, the errors of the backup API, and the
// Client interface that the Elasticsearch and actuator drivers implement.
//
// The package does no I/O and imports nothing of the project: the drivers, the reference
// actuator server and the Terraform provider all build on it, so that each rule of the
// contract is written exactly once.
package backupapi

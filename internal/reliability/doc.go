// Package reliability holds the reliability suite of the backup service, as tests only:
// Elasticsearch down or flapping under each operation, the server killed mid-backup and
// restarted, many concurrent clients, malformed requests and provider configurations, and
// foreign snapshots sharing the repository. Every test fails when a backup is lost or
// misreported.
//
// RELIABILITY_LOAD_DURATION sets how long the concurrent-clients test runs (default 30s).
package reliability

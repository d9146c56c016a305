package backupapi

// Camunda88 is the part layout of Camunda 8.8.0's web-application backup.
//
// Source: camunda/camunda, the 8.8 backup configuration
// (dist/src/main/java/io/camunda/application/commons/backup/BackupPriorityConfiguration.java),
// the index descriptors under webapps-schema/src/main/java/io/camunda/webapps/schema/descriptors/
// (index/ and template/: name, version, template or plain index) and the split into parts of
// webapps-schema/.../descriptors/backup/BackupPriorities.java. As released in 8.8.0, the task
// template is at version 8.8.0, the correlated-message-subscription template is in the fourth
// group, usage metrics are templates, and Operate's user index is gone; the 33 main indices
// match the index list of a real 8.8 snapshot in Camunda's documentation.
//
// Parts, in order: 1 import positions; 2 list view and tasks; 3 their archived indices;
// 4 operations; 5 detail records; 6 their archived indices; 7 reference data. Every index is
// required, as in Camunda; archived parts are skipped when no archived index exists (a backup
// of a young cluster has 5 parts).
var Camunda88 = Layout{
	Version: "8.8.0",
	Groups: [][]Index{
		{ // progress of the importers
			{Component: "operate", Name: "import-position", Version: "8.3.0"},
			{Component: "tasklist", Name: "import-position", Version: "8.2.0"},
		},
		{ // main entities
			{Component: "operate", Name: "list-view", Version: "8.3.0", Template: true},
			{Component: "tasklist", Name: "task", Version: "8.8.0", Template: true},
		},
		{ // operations (templates, but archived operations are not part of the backup)
			{Component: "operate", Name: "batch-operation", Version: "1.0.0", Template: true},
			{Component: "operate", Name: "operation", Version: "8.4.1", Template: true},
		},
		{ // detail records
			{Component: "camunda", Name: "correlated-message-subscription", Version: "8.8.0", Template: true},
			{Component: "operate", Name: "decision", Version: "8.3.0"},
			{Component: "operate", Name: "decision-instance", Version: "8.3.0", Template: true},
			{Component: "operate", Name: "event", Version: "8.3.0", Template: true},
			{Component: "operate", Name: "flownode-instance", Version: "8.3.1", Template: true},
			{Component: "operate", Name: "incident", Version: "8.3.1", Template: true},
			{Component: "operate", Name: "job", Version: "8.6.0", Template: true},
			{Component: "operate", Name: "message", Version: "8.5.0", Template: true},
			{Component: "operate", Name: "post-importer-queue", Version: "8.3.0", Template: true},
			{Component: "operate", Name: "sequence-flow", Version: "8.3.0", Template: true},
			{Component: "operate", Name: "variable", Version: "8.3.0", Template: true},
			{Component: "tasklist", Name: "draft-task-variable", Version: "8.3.0", Template: true},
			{Component: "tasklist", Name: "task-variable", Version: "8.3.0", Template: true},
		},
		{ // reference data
			{Component: "operate", Name: "decision-requirements", Version: "8.3.0"},
			{Component: "operate", Name: "metric", Version: "8.3.0"},
			{Component: "operate", Name: "process", Version: "8.3.0"},
			{Component: "tasklist", Name: "form", Version: "8.4.0"},
			{Component: "tasklist", Name: "metric", Version: "8.3.0"},
			{Component: "camunda", Name: "authorization", Version: "8.8.0"},
			{Component: "camunda", Name: "group", Version: "8.8.0"},
			{Component: "camunda", Name: "mapping-rule", Version: "8.8.0"},
			{Component: "camunda", Name: "web-session", Version: "8.8.0"},
			{Component: "camunda", Name: "role", Version: "8.8.0"},
			{Component: "camunda", Name: "tenant", Version: "8.8.0"},
			{Component: "camunda", Name: "user", Version: "8.8.0"},
			{Component: "camunda", Name: "usage-metric", Version: "8.8.0", Template: true},
			{Component: "camunda", Name: "usage-metric-tu", Version: "8.8.0", Template: true},
		},
	},
	Order: []PartSpec{
		{Group: 0}, {Group: 1}, {Group: 1, Dated: true}, {Group: 2}, {Group: 3}, {Group: 3, Dated: true}, {Group: 4},
	},
}

// Indices returns the full names of every main index of the layout for an index prefix, in
// part order: the index set of a Camunda installation of this version.
func (l Layout) Indices(prefix string) []string {
	var out []string
	for _, p := range l.Parts(prefix) {
		out = append(out, p.Required...)
		out = append(out, p.Optional...)
	}
	return out
}

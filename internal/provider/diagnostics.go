package provider

import (
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// errorAdvice is, per kind of backup API error, the summary of its diagnostic and what the
// user can do about it.
var errorAdvice = []struct {
	kind    error
	summary string
	advice  string
}{
	{backupapi.ErrAlreadyExists, "Backup Already Exists",
		"Backup ids are unique within the snapshot repository. To manage the existing backup with Terraform, import it: " +
			"`terraform import camunda_webapp_backup.<name> <backup_id>`, or an `import { to = camunda_webapp_backup.<name>  id = \"<backup_id>\" }` block. " +
			"Otherwise choose another backup_id. When this create replaces a resource under the same backup_id with " +
			"create_before_destroy, the old backup is still there: run `terraform untaint` to keep it, or give the new one " +
			"another backup_id."},
	{backupapi.ErrBackupRunning, "Another Backup Is Running",
		"The web applications take one backup at a time. Wait until the running backup has finished and apply again."},
	{backupapi.ErrNotConfigured, "Backup Repository Not Configured",
		"The web applications have no snapshot repository configured (backup.repositoryName), or the provider's repository is empty."},
	{backupapi.ErrRepositoryMissing, "Snapshot Repository Missing",
		"Register the snapshot repository in Elasticsearch (PUT _snapshot/<name>) or correct the repository name."},
	{backupapi.ErrMissingIndices, "Web-Application Indices Missing",
		"The indices of Operate and Tasklist must exist before they can be backed up: start the web applications once, " +
			"and check that the index prefix matches Camunda's indexPrefix."},
	{backupapi.ErrNotFound, "Backup Not Found", "No snapshot of this backup exists in the repository."},
	{backupapi.ErrUnauthorized, "Authentication Failed",
		"The backend refused the provider's credentials (401 or 403). Check the token, or the username and password, of the " +
			"actuator block (CAMUNDA_ACTUATOR_TOKEN, CAMUNDA_ACTUATOR_USERNAME, CAMUNDA_ACTUATOR_PASSWORD), or the username and " +
			"password or api_key of the elasticsearch block (ELASTICSEARCH_USERNAME, ELASTICSEARCH_PASSWORD, ELASTICSEARCH_API_KEY), " +
			"and that the user may manage snapshots."},
	{backupapi.ErrEndpointNotFound, "Backup API Not Found",
		"The URL answered 404, but not as the backup API does: the backup may well exist. Check the actuator block's url " +
			"(the management server's base URL, e.g. http://camunda:9600, without /actuator) and endpoint, and that the " +
			"management endpoint is exposed (management.endpoints.web.exposure.include)."},
	{backupapi.ErrConflict, "Backup ID Already Used", "Zeebe refuses ids not greater than its latest checkpoint, deleted backups' ids included: choose a larger id."},
	{backupapi.ErrInvalid, "Invalid Backup Request", "The backend rejected the request."},
	{backupapi.ErrUnavailable, "Backup Backend Unreachable",
		"The backend could not be reached, also after the configured retries. Check the URL, the network and that the service is up; " +
			"the provider's retries and request_timeout settings control how long it tries."},
	{backupapi.ErrInternal, "Backup Backend Error", "The backend answered with an error; its logs may tell more."},
}

// addBackupError adds the diagnostic of a backup API error; doing says what was being done,
// e.g. "creating backup 42".
func addBackupError(diags *diag.Diagnostics, doing string, err error) {
	summary, detail := describeError(doing, err)
	diags.AddError(summary, detail)
}

// describeError returns the summary and detail of the diagnostic of err. The detail keeps the
// cause (a TLS or connection error, say), without the credentials of any URL in it.
func describeError(doing string, err error) (summary, detail string) {
	text := backupapi.Detail(err)
	for _, a := range errorAdvice {
		if errors.Is(err, a.kind) {
			return a.summary, fmt.Sprintf("While %s: %s\n\n%s", doing, text, a.advice)
		}
	}
	return "Backup Backend Error", fmt.Sprintf("While %s: %s", doing, text)
}

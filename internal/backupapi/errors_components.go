package backupapi

import "errors"

// The kinds of failure that the component APIs of a whole backup (Zeebe, Optimize) add to
// those of the web-application API.
var (
	// ErrConflict: the id is refused because of an existing backup or checkpoint (Zeebe: not
	// greater than the latest checkpoint, or scaling in progress; Optimize: a duplicate). 409.
	ErrConflict = errors.New("backup id conflict")
)

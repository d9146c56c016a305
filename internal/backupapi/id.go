package backupapi

import (
	"strconv"
)

// ID identifies a backup. Valid ids are positive 64-bit integers.
type ID int64

// ParseID parses the decimal form of a backup id, as found in a URL path or a Terraform import
// id. Anything that is not a positive decimal int64 is an ErrInvalid error.
func ParseID(s string) (ID, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, Invalidf("backupId must be a positive integer, got: %s", s)
	}
	id := ID(n)
	if err := id.Validate(); err != nil {
		return 0, err
	}
	return id, nil
}

// Validate reports an ErrInvalid error when the id is not positive.
func (id ID) Validate() error {
	if id <= 0 {
		return Invalidf("backupId must be a positive integer, got: %d", int64(id))
	}
	return nil
}

// String returns the decimal form of the id.
func (id ID) String() string { return strconv.FormatInt(int64(id), 10) }

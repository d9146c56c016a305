package server

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// Where the contract (the project's actuator-api spec) and Camunda 8.8's own code differ, the
// server answers as the contract says, unless it runs with Camunda's quirks (Options.
// CamundaQuirks, the binary's --camunda-quirks), where it answers as Camunda's code does:
//
//   - a take or delete with an id <= 0: Camunda's message "BackupId must be a non-negative
//     Integer. Received value: <id>" (its text says non-negative, yet 0 is refused) instead of
//     the contract's "backupId must be a positive integer, got: <id>"; both are 400;
//   - GET of one backup when the snapshot repository is missing: 500 (Camunda's
//     findSnapshots throws a plain BackupException there; only list and create have a 404),
//     with the same message; the contract answers 404 on every path;
//   - the list: each backup's details newest part first (Camunda sorts the snapshots by
//     start time, descending, before grouping them); GET of one backup keeps part order in
//     both modes (Elasticsearch's default order, by start time ascending).
//
// The contract's choices are the default because the project's clients and provider rely
// on them (a 404 for a missing repository, details in restore order).

// camundaIDError rewrites the error of a non-positive id to Camunda's message.
func (b *backups) camundaIDError(err error) error {
	if !b.quirks || !errors.Is(err, backupapi.ErrInvalid) {
		return err
	}
	const prefix = "backupId must be a positive integer, got: "
	msg := err.Error()
	v, ok := strings.CutPrefix(msg, prefix)
	if !ok {
		return err
	}
	if _, perr := strconv.ParseInt(v, 10, 64); perr != nil {
		return err // not an integer: the framework's refusal, not Camunda's check
	}
	return backupapi.Invalidf("BackupId must be a non-negative Integer. Received value: %s", v)
}

// camundaGetError answers a missing repository on GET of one backup with 500.
func (b *backups) camundaGetError(err error) error {
	if !b.quirks || !errors.Is(err, backupapi.ErrRepositoryMissing) {
		return err
	}
	// No cause: the missing repository's kind would win over the 500 (errors.Is unwraps).
	return backupapi.Internal(nil, "%s", err.Error())
}

// camundaListOrder orders each listed backup's details newest part first.
func (b *backups) camundaListOrder(list []backupapi.Backup) []backupapi.Backup {
	if !b.quirks {
		return list
	}
	for i := range list {
		s := slices.Clone(list[i].Snapshots)
		slices.Reverse(s)
		list[i].Snapshots = s
	}
	return list
}

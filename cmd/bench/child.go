package main

import (
	"context"
	"fmt"
)

// startListServer starts the server binary as a child process on the prepared data of the
// list figures.
func (l *lab) startListServer(ctx context.Context) (*childServer, error) {
	dir, err := l.listData(ctx)
	if err != nil {
		return nil, fmt.Errorf("prepare the backups: %w", err)
	}
	bin, err := l.binary(ctx, "webapps-backup-server", "./cmd/webapps-backup-server")
	if err != nil {
		return nil, err
	}
	return startChild(ctx, bin, dir)
}

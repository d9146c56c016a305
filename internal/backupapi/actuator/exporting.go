package actuator

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// ExportingClient is backupapi.Exporting over Zeebe's management API:
// POST /actuator/exporting/{pause,resume} and GET /actuator/partitions.
type ExportingClient struct {
	cfg  Config
	http *resty.Client
	base string
}

var _ backupapi.Exporting = (*ExportingClient)(nil)

// NewExporting returns the exporting client of cfg (cfg.Endpoint is ignored).
func NewExporting(cfg Config) (*ExportingClient, error) {
	rc, cfg, base, err := newResty(cfg, "/actuator", retryIdempotent)
	if err != nil {
		return nil, fmt.Errorf("zeebe exporting API: %w", err)
	}
	return &ExportingClient{cfg: cfg, http: rc, base: base}, nil
}

// Pause pauses exporting (soft: keep exporting without advancing the exporter positions).
func (c *ExportingClient) Pause(ctx context.Context, soft bool) error {
	return c.operate(ctx, backupapi.OperationPause, soft)
}

// Resume resumes exporting.
func (c *ExportingClient) Resume(ctx context.Context) error {
	return c.operate(ctx, backupapi.OperationResume, false)
}

// operate sends an exporting operation. Zeebe answers HTTP 200 with the real outcome inside;
// both calls are idempotent, so a failure inside (the cluster may be partly paused or
// resumed: Camunda's advice is to repeat the call) is retried like a 502, with the same
// retry count and backoff.
func (c *ExportingClient) operate(ctx context.Context, op backupapi.ExportingOperation, soft bool) error {
	wait := c.cfg.RetryWait
	for attempt := 0; ; attempt++ {
		req := c.http.R().SetContext(ctx).SetPathParam("op", string(op))
		if soft {
			req.SetQueryParam("soft", "true")
		}
		res, err := req.Post("/exporting/{op}")
		if err != nil {
			return transportErr(c.base, "exporting "+string(op), err)
		}
		if res.StatusCode() != http.StatusOK {
			return zeebeError(res.StatusCode(), res.Body())
		}
		var answer backupapi.ExportingResponse
		if err := decodeJSON(res, c.base, &answer); err != nil {
			return err
		}
		err = answer.Err(string(op))
		if err == nil || attempt >= c.cfg.Retries {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		wait = min(2*wait, c.cfg.RetryMaxWait)
	}
}

// Status returns each partition's exporter phase, from the answering broker's
// /actuator/partitions (with several brokers, only the partitions of the broker behind the
// URL are shown).
func (c *ExportingClient) Status(ctx context.Context) (map[int]backupapi.ExporterPhase, error) {
	res, err := c.http.R().SetContext(ctx).Get("/partitions")
	if err != nil {
		return nil, transportErr(c.base, "read partitions", err)
	}
	if res.StatusCode() != http.StatusOK {
		return nil, zeebeError(res.StatusCode(), res.Body())
	}
	var parts map[string]backupapi.PartitionStatus
	if err := decodeJSON(res, c.base, &parts); err != nil {
		return nil, err
	}
	out := make(map[int]backupapi.ExporterPhase, len(parts))
	for id, p := range parts {
		n, err := strconv.Atoi(id)
		if err != nil {
			return nil, backupapi.Internal(err, "the partitions at %s have a non-numeric id %q", c.base, id)
		}
		out[n] = p.ExporterPhase
	}
	return out, nil
}

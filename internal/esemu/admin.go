package esemu

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"
)

// faultRequest is the body of PUT/POST /_emulator/faults; every field is optional.
type faultRequest struct {
	FailSnapshots []struct {
		Pattern string `json:"pattern"`
		State   string `json:"state"`
		Reason  string `json:"reason"`
	} `json:"fail_snapshots"`
	HoldSnapshots    []string `json:"hold_snapshots"`
	ReleaseSnapshots []string `json:"release_snapshots"`
	Latency          *string  `json:"latency"`
	FailNextRequests *struct {
		Count  int `json:"count"`
		Status int `json:"status"`
	} `json:"fail_next_requests"`
	DropNextConnections *int    `json:"drop_next_connections"`
	Down                *bool   `json:"down"`
	SnapshotDelay       *string `json:"snapshot_delay"`
}

// adminSetFaults applies a fault request, validating it whole first.
func (c *call) adminSetFaults() error {
	var req faultRequest
	d := json.NewDecoder(bytes.NewReader(c.body))
	d.DisallowUnknownFields()
	if err := d.Decode(&req); err != nil {
		return errIllegalArgument("invalid fault request: %v", err)
	}
	parse := func(name string, s *string) (*time.Duration, *esError) {
		if s == nil {
			return nil, nil
		}
		v, err := time.ParseDuration(*s)
		if err != nil {
			return nil, errIllegalArgument("invalid %s [%s]: %v", name, *s, err)
		}
		return &v, nil
	}
	latency, err := parse("latency", req.Latency)
	if err != nil {
		return err
	}
	delay, err := parse("snapshot_delay", req.SnapshotDelay)
	if err != nil {
		return err
	}
	f := c.s.faults
	for _, r := range req.FailSnapshots {
		f.FailSnapshots(r.Pattern, r.State, r.Reason)
	}
	for _, p := range req.HoldSnapshots {
		f.HoldSnapshots(p)
	}
	for _, p := range req.ReleaseSnapshots {
		f.ReleaseSnapshots(p)
	}
	if latency != nil {
		f.SetLatency(*latency)
	}
	if delay != nil {
		f.SetSnapshotDelay(*delay)
	}
	if r := req.FailNextRequests; r != nil {
		f.FailNextRequests(r.Count, r.Status)
	}
	if req.DropNextConnections != nil {
		f.DropNextConnections(*req.DropNextConnections)
	}
	if req.Down != nil {
		f.SetDown(*req.Down)
	}
	return c.adminGetFaults()
}

func (c *call) adminGetFaults() error {
	f := c.s.faults
	f.mu.Lock()
	rules := make([]any, 0, len(f.failRules))
	for _, r := range f.failRules {
		rules = append(rules, object{{"pattern", r.pattern}, {"state", r.state}, {"reason", r.reason}})
	}
	out := object{
		{"fail_snapshots", rules},
		{"hold_snapshots", append([]string{}, f.holds...)},
		{"latency", f.latency.String()},
		{"fail_next_requests", object{{"count", f.failNext}, {"status", f.failStatus}}},
		{"drop_next_connections", f.dropNext},
		{"down", f.down},
	}
	if f.snapshotDelay != nil {
		out = append(out, member{"snapshot_delay", f.snapshotDelay.String()})
	}
	f.mu.Unlock()
	return c.json(http.StatusOK, out)
}

func (c *call) adminResetFaults() error {
	c.s.faults.Reset()
	return c.adminGetFaults()
}

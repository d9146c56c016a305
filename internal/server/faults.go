package server

import (
	"encoding/json"
	"maps"
	"net/http"
	"sync"
	"time"
)

// FaultSettings are the faults injected into the emulated components. The zero value is a
// healthy cluster.
type FaultSettings struct {
	// FailPartitions fails the backups of these partitions (id → failure reason; an empty
	// reason is written as a store I/O error). The checkpoint is still taken.
	FailPartitions map[int]string `json:"failPartitions,omitempty"`
	// ZeebeUnreachable: the gateway cannot reach the brokers (backup calls answer 502,
	// exporting calls answer an inner 500).
	ZeebeUnreachable bool `json:"zeebeUnreachable,omitempty"`
	// ZeebeTimeout: the brokers do not answer in time (backup calls answer 504).
	ZeebeTimeout bool `json:"zeebeTimeout,omitempty"`
	// ZeebeDiskFull: the brokers are out of disk space (a take answers 503).
	ZeebeDiskFull bool `json:"zeebeDiskFull,omitempty"`
	// ZeebeScaling: partitions are being scaled (a take uses up its id, records a FAILED
	// backup and answers 409).
	ZeebeScaling bool `json:"zeebeScaling,omitempty"`
	// ZeebeMissingPartitions: the topology lacks this many partitions (backup calls answer
	// 502, exporting calls an inner 500).
	ZeebeMissingPartitions int `json:"zeebeMissingPartitions,omitempty"`
	// OptimizeDelay delays every answer of Optimize's API.
	OptimizeDelay Duration `json:"optimizeDelay,omitempty"`
	// OptimizeUnreachable: Optimize cannot reach Elasticsearch (its calls answer 502).
	OptimizeUnreachable bool `json:"optimizeUnreachable,omitempty"`
}

// Duration is a time.Duration written in JSON as Go's duration text, e.g. "1.5s".
type Duration time.Duration

// MarshalJSON writes the duration as text.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a duration text or a number of nanoseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n int64
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*d = Duration(n)
		return nil
	}
	v, err := time.ParseDuration(s)
	*d = Duration(v)
	return err
}

// Faults holds the faults injected into the emulated Zeebe and Optimize; tests set them in
// Go, and the admin path /admin/faults sets them over HTTP when enabled. Safe for concurrent
// use.
type Faults struct {
	mu sync.Mutex
	s  FaultSettings
}

// Set replaces every fault.
func (f *Faults) Set(s FaultSettings) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s.FailPartitions = maps.Clone(s.FailPartitions)
	f.s = s
}

// Update changes the faults with fn, under the lock.
func (f *Faults) Update(fn func(*FaultSettings)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(&f.s)
}

// Get returns a copy of the faults.
func (f *Faults) Get() FaultSettings {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.s
	s.FailPartitions = maps.Clone(s.FailPartitions)
	return s
}

// Reset clears every fault.
func (f *Faults) Reset() { f.Set(FaultSettings{}) }

// handler serves /admin/faults: GET the faults, PUT replaces them (a FaultSettings JSON
// object), DELETE clears them.
func (f *Faults) handler() http.Handler {
	return methods{
		http.MethodGet: func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, f.Get()) },
		http.MethodPut: func(w http.ResponseWriter, r *http.Request) {
			var s FaultSettings
			dec := json.NewDecoder(r.Body)
			dec.DisallowUnknownFields()
			if err := dec.Decode(&s); err != nil {
				writeMessage(w, http.StatusBadRequest, "Invalid fault settings: "+truncate(err.Error()))
				return
			}
			f.Set(s)
			writeJSON(w, http.StatusOK, f.Get())
		},
		http.MethodDelete: func(w http.ResponseWriter, _ *http.Request) {
			f.Reset()
			w.WriteHeader(http.StatusNoContent)
		},
	}
}

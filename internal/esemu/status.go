package esemu

import (
	"net/http"
	"strconv"
)

const statusParams = "ignore_unavailable master_timeout"

// snapshotStatus reports the detailed status of named snapshots, or of the
// running ones when no names are given.
func (c *call) snapshotStatus() error {
	s := c.s
	ignore, err := c.boolParam("ignore_unavailable", false)
	if err != nil {
		return err
	}
	repoName, names := c.r.PathValue("repo"), splitList(c.r.PathValue("snap"))
	if len(names) == 1 && names[0] == "_all" {
		names = nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var items []listed
	switch repoName {
	case "":
		for _, r := range s.repos {
			for _, sn := range r.data.snaps {
				if sn.State == stateInProgress {
					items = append(items, listed{sn, r.name})
				}
			}
		}
	default:
		r := s.repoByName(repoName)
		if r == nil {
			return errRepositoryMissing(repoName)
		}
		if len(names) == 0 {
			for _, sn := range r.data.snaps {
				if sn.State == stateInProgress {
					items = append(items, listed{sn, r.name})
				}
			}
		}
		for _, n := range names {
			sn, ok := r.data.byName[n]
			if !ok {
				if ignore {
					continue
				}
				return errSnapshotMissing(repoName, n)
			}
			items = append(items, listed{sn, r.name})
		}
	}
	out := make([]any, 0, len(items))
	for _, it := range items {
		out = append(out, s.statusOf(it))
	}
	return c.json(http.StatusOK, object{{"snapshots", out}})
}

func fileStats(files int, size int64) object {
	return object{{"file_count", files}, {"size_in_bytes", size}}
}

func stats(files int, size, start, took int64) object {
	return object{{"incremental", fileStats(files, size)}, {"total", fileStats(files, size)},
		{"start_time_in_millis", start}, {"time_in_millis", took}}
}

func shardsStats(done, failed, started, total int) object {
	return object{{"initializing", 0}, {"started", started}, {"finalizing", 0}, {"done", done}, {"failed", failed}, {"total", total}}
}

// statusOf renders one snapshot's status; s.mu must be held.
func (s *Server) statusOf(it listed) object {
	sn := it.sn
	state := "SUCCESS"
	switch sn.State {
	case stateFailed:
		state = "FAILED"
	case stateInProgress:
		state = "STARTED"
	}
	took := sn.duration()
	if sn.State == stateInProgress {
		took = max(0, s.now().UnixMilli()-sn.Start)
	}
	failedShards := map[string]map[int]bool{}
	for _, f := range sn.Failures {
		if failedShards[f.Index] == nil {
			failedShards[f.Index] = map[int]bool{}
		}
		failedShards[f.Index][f.ShardID] = true
	}
	indices := object{}
	var allFiles int
	var allSize int64
	tDone, tFailed, tStarted := 0, 0, 0
	for _, d := range sn.Indices {
		shards := object{}
		done, failed, started := 0, 0, 0
		per := max(d.SizeBytes/int64(max(d.Shards, 1)), 1)
		for i := 0; i < d.Shards; i++ {
			stage := "DONE"
			switch {
			case failedShards[d.Name][i]:
				stage = "FAILURE"
				failed++
			case sn.State == stateInProgress:
				stage = "STARTED"
				started++
			default:
				done++
			}
			shards = append(shards, member{strconv.Itoa(i), object{{"stage", stage}, {"stats", stats(1, per, sn.Start, took)}}})
		}
		tDone, tFailed, tStarted = tDone+done, tFailed+failed, tStarted+started
		allFiles += d.Shards
		allSize += per * int64(d.Shards)
		indices = append(indices, member{d.Name, object{
			{"shards_stats", shardsStats(done, failed, started, d.Shards)},
			{"stats", stats(d.Shards, per*int64(d.Shards), sn.Start, took)},
			{"shards", shards},
		}})
	}
	return object{
		{"snapshot", sn.Name}, {"repository", it.repo}, {"uuid", sn.UUID}, {"state", state},
		{"include_global_state", sn.IncludeGlobalState},
		{"shards_stats", shardsStats(tDone, tFailed, tStarted, sn.TotalShards)},
		{"stats", stats(allFiles, allSize, sn.Start, took)},
		{"indices", indices},
	}
}

package esemu

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// infoView selects which SnapshotInfo fields are emitted.
type infoView struct {
	verbose      bool
	indexNames   bool
	includeRepo  bool
	indexDetails bool
	human        bool
}

// fullView is the view of a create response and of a default GET.
var fullView = infoView{verbose: true, indexNames: true, includeRepo: true}

// formatDate renders epoch millis as strict_date_optional_time in UTC.
func formatDate(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z")
}

// formatDuration renders millis as Elasticsearch's TimeValue text (12ms, 1.5s, 4.6m).
func formatDuration(ms int64) string {
	units := []struct {
		ms     int64
		suffix string
	}{{86400000, "d"}, {3600000, "h"}, {60000, "m"}, {1000, "s"}}
	for _, u := range units {
		if ms >= u.ms {
			s := strconv.FormatFloat(float64(ms)/float64(u.ms), 'f', 1, 64)
			return strings.TrimSuffix(s, ".0") + u.suffix
		}
	}
	return strconv.FormatInt(ms, 10) + "ms"
}

func appendKey(b []byte, key string) []byte {
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

func appendStrings(b []byte, list []string) []byte {
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

func (sn *snapshot) duration() int64 {
	if sn.End == 0 {
		return 0
	}
	return max(0, sn.End-sn.Start)
}

// appendSnapshotJSON appends the external form of a SnapshotInfo following
// Elasticsearch's emission rules; s.mu must be held.
func appendSnapshotJSON(b []byte, sn *snapshot, repo string, v infoView) []byte {
	b = append(b, `{"snapshot":`...)
	b = appendString(b, sn.Name)
	b = append(b, `,"uuid":`...)
	b = appendString(b, sn.UUID)
	if v.includeRepo {
		b = appendKey(b, "repository")
		b = appendString(b, repo)
	}
	if v.verbose {
		b = appendKey(b, "version_id")
		b = strconv.AppendInt(b, int64(sn.VersionID), 10)
		b = appendKey(b, "version")
		b = appendString(b, sn.Version)
	}
	if v.indexNames {
		b = appendKey(b, "indices")
		b = append(b, '[')
		for i, d := range sn.Indices {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, d.Name)
		}
		b = append(b, ']')
	}
	if v.verbose && v.indexDetails && len(sn.Indices) > 0 {
		details := slices.Clone(sn.Indices)
		slices.SortFunc(details, func(a, b indexDetail) int { return strings.Compare(a.Name, b.Name) })
		b = appendKey(b, "index_details")
		b = append(b, '{')
		for i, d := range details {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, d.Name)
			b = append(b, `:{"shard_count":`...)
			b = strconv.AppendInt(b, int64(d.Shards), 10)
			b = append(b, `,"size_in_bytes":`...)
			b = strconv.AppendInt(b, d.SizeBytes, 10)
			if v.human {
				b = append(b, `,"size":`...)
				b = appendString(b, formatBytes(d.SizeBytes))
			}
			b = append(b, `,"max_segments_per_shard":1}`...)
		}
		b = append(b, '}')
	}
	b = appendKey(b, "data_streams")
	b = appendStrings(b, sn.DataStreams)
	if !v.verbose {
		b = appendKey(b, "state")
		b = appendString(b, sn.State)
		return append(b, '}')
	}
	b = appendKey(b, "include_global_state")
	b = strconv.AppendBool(b, sn.IncludeGlobalState)
	if len(sn.Metadata) > 0 {
		b = appendKey(b, "metadata")
		b = append(b, sn.Metadata...)
	}
	b = appendKey(b, "state")
	b = appendString(b, sn.State)
	if sn.Reason != "" {
		b = appendKey(b, "reason")
		b = appendString(b, sn.Reason)
	}
	b = appendKey(b, "start_time")
	b = appendString(b, formatDate(sn.Start))
	b = appendKey(b, "start_time_in_millis")
	b = strconv.AppendInt(b, sn.Start, 10)
	b = appendKey(b, "end_time")
	b = appendString(b, formatDate(sn.End))
	b = appendKey(b, "end_time_in_millis")
	b = strconv.AppendInt(b, sn.End, 10)
	if v.human {
		b = appendKey(b, "duration")
		b = appendString(b, formatDuration(sn.duration()))
	}
	b = appendKey(b, "duration_in_millis")
	b = strconv.AppendInt(b, sn.duration(), 10)
	b = appendKey(b, "failures")
	b = append(b, '[')
	for i, f := range sn.Failures {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"index":`...)
		b = appendString(b, f.Index)
		b = append(b, `,"index_uuid":`...)
		b = appendString(b, f.IndexUUID)
		b = append(b, `,"shard_id":`...)
		b = strconv.AppendInt(b, int64(f.ShardID), 10)
		b = append(b, `,"reason":`...)
		b = appendString(b, f.Reason)
		if f.NodeID != "" {
			b = append(b, `,"node_id":`...)
			b = appendString(b, f.NodeID)
		}
		b = append(b, `,"status":`...)
		b = appendString(b, f.Status)
		b = append(b, '}')
	}
	b = append(b, ']')
	successful := sn.TotalShards - sn.failedShards()
	if sn.State == stateInProgress {
		successful = 0
	}
	b = append(b, `,"shards":{"total":`...)
	b = strconv.AppendInt(b, int64(sn.TotalShards), 10)
	b = append(b, `,"failed":`...)
	b = strconv.AppendInt(b, int64(sn.failedShards()), 10)
	b = append(b, `,"successful":`...)
	b = strconv.AppendInt(b, int64(successful), 10)
	b = append(b, `},"feature_states":[`...)
	for i, fs := range sn.FeatureStates {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"feature_name":`...)
		b = appendString(b, fs.FeatureName)
		b = append(b, `,"indices":`...)
		b = appendStrings(b, fs.Indices)
		b = append(b, '}')
	}
	return append(b, ']', '}')
}

package esemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// repoData is the content of one repository location: its uuid and snapshots.
// Layout on disk: repository.json ({"uuid"}), snapshots/<uuid>.json (one
// snapshot record each) and indices/<snapshot uuid>/<index>.ndjson|.json.
type repoData struct {
	dir    string
	uuid   string
	snaps  []*snapshot // in start order
	byName map[string]*snapshot
	refs   int
}

// nodeLeftReason is the failure recorded for snapshots interrupted by a stop.
const nodeLeftReason = "node shutdown: the snapshot was running when the node stopped"

// openRepoData returns the shared data of a location, loading it on first
// use; s.mu must be held (or the server not yet serving).
func (s *Server) openRepoData(dir string) (*repoData, error) {
	if rd, ok := s.repoData[dir]; ok {
		rd.refs++
		return rd, nil
	}
	rd := &repoData{dir: dir, byName: map[string]*snapshot{}, refs: 1}
	data, err := os.ReadFile(filepath.Join(dir, "repository.json"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("read repository %s: %w", dir, err)
	default:
		var meta struct {
			UUID string `json:"uuid"`
		}
		if err := json.Unmarshal(data, &meta); err != nil {
			return nil, fmt.Errorf("decode repository %s: %w", dir, err)
		}
		rd.uuid = meta.UUID
	}
	entries, err := os.ReadDir(filepath.Join(dir, "snapshots"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("list snapshots of %s: %w", dir, err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, "snapshots", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read snapshot record: %w", err)
		}
		sn := &snapshot{}
		if err := json.Unmarshal(b, &sn.snapshotRecord); err != nil {
			return nil, fmt.Errorf("decode snapshot record %s: %w", e.Name(), err)
		}
		if sn.State == stateInProgress {
			sn.failInterrupted(s.now().UnixMilli())
			if err := rd.writeRecord(sn.snapshotRecord); err != nil {
				return nil, err
			}
		}
		rd.snaps = append(rd.snaps, sn)
		rd.byName[sn.Name] = sn
	}
	slices.SortFunc(rd.snaps, compareStart)
	s.repoData[dir] = rd
	return rd, nil
}

// releaseRepoData drops one reference to shared location data; s.mu must be held.
func (s *Server) releaseRepoData(rd *repoData) {
	rd.refs--
	if rd.refs <= 0 {
		delete(s.repoData, rd.dir)
	}
}

func compareStart(a, b *snapshot) int {
	if a.Start != b.Start {
		if a.Start < b.Start {
			return -1
		}
		return 1
	}
	return strings.Compare(a.Name, b.Name)
}

// running counts snapshots in progress; s.mu must be held.
func (rd *repoData) running() int {
	n := 0
	for _, sn := range rd.snaps {
		if sn.State == stateInProgress {
			n++
		}
	}
	return n
}

// ensureUUID gives the repository its uuid when data is first written.
func (rd *repoData) ensureUUID() error {
	if rd.uuid != "" {
		return nil
	}
	rd.uuid = newUUID()
	b, _ := json.Marshal(map[string]string{"uuid": rd.uuid})
	if err := writeFileAtomic(filepath.Join(rd.dir, "repository.json"), b); err != nil {
		return fmt.Errorf("write repository metadata: %w", err)
	}
	return nil
}

func (rd *repoData) add(sn *snapshot) {
	rd.snaps = append(rd.snaps, sn)
	if n := len(rd.snaps); n > 1 && compareStart(rd.snaps[n-2], sn) > 0 {
		slices.SortFunc(rd.snaps, compareStart)
	}
	rd.byName[sn.Name] = sn
}

func (rd *repoData) remove(sn *snapshot) {
	if rd.byName[sn.Name] == sn {
		delete(rd.byName, sn.Name)
	}
	if i := slices.Index(rd.snaps, sn); i >= 0 {
		rd.snaps = slices.Delete(rd.snaps, i, i+1)
	}
}

func (rd *repoData) recordPath(uuid string) string {
	return filepath.Join(rd.dir, "snapshots", uuid+".json")
}

func (rd *repoData) dataDir(uuid string) string {
	return filepath.Join(rd.dir, "indices", uuid)
}

func (rd *repoData) writeRecord(rec snapshotRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode snapshot record: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(rd.dir, "snapshots"), 0o755); err != nil {
		return fmt.Errorf("create snapshots directory: %w", err)
	}
	return writeFileAtomic(rd.recordPath(rec.UUID), b)
}

// deleteFiles removes a snapshot's record and data.
func (rd *repoData) deleteFiles(uuid string) error {
	if err := removeFile(rd.recordPath(uuid)); err != nil {
		return fmt.Errorf("remove snapshot record: %w", err)
	}
	if err := os.RemoveAll(rd.dataDir(uuid)); err != nil {
		return fmt.Errorf("remove snapshot data: %w", err)
	}
	return nil
}

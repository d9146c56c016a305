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
// snapshot record each) and indices/<snapshot uuid>/<index uuid>.ndjson|.json.
// Every file is named by a uuid the emulator made and validates when read
// back, never by a name a client chose.
type repoData struct {
	root  string // the path.repo root holding dir
	dir   string
	uuid  string
	snaps []*snapshot // in start order
	// byNameOrder holds the snapshots of snaps in name order, so that a GET of
	// the snapshots of one name prefix (the parts of one backup) visits only
	// those instead of every snapshot of the repository.
	byNameOrder []*snapshot
	byName      map[string]*snapshot
	refs        int
}

// nodeLeftReason is the failure recorded for snapshots interrupted by a stop.
const nodeLeftReason = "node shutdown: the snapshot was running when the node stopped"

// errOutsideRoot is returned when a repository location no longer resolves
// under its path.repo root (a symlink was planted after registration).
var errOutsideRoot = errors.New("repository location resolves outside path.repo")

// check confirms, at the time of use, that the location still resolves
// inside its path.repo root.
func (rd *repoData) check() error {
	if !within(realPath(rd.root), realPath(rd.dir)) {
		return errOutsideRoot
	}
	return nil
}

// openRepoData returns the shared data of a location, loading it on first
// use; s.mu must be held (or the server not yet serving). Records that are
// unreadable or carry invalid uuids are left out, with a log line.
func (s *Server) openRepoData(root, dir string) (*repoData, error) {
	if rd, ok := s.repoData[dir]; ok {
		rd.refs++
		return rd, nil
	}
	rd := &repoData{root: root, dir: dir, byName: map[string]*snapshot{}, refs: 1}
	if err := rd.check(); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(dir, "repository.json"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("read repository metadata: %w", err)
	default:
		var meta struct {
			UUID string `json:"uuid"`
		}
		if err := json.Unmarshal(data, &meta); err != nil || !validUUID(meta.UUID) {
			s.log.Warn("repository metadata is damaged; the repository gets a new uuid on its next write")
		} else {
			rd.uuid = meta.UUID
		}
	}
	entries, err := os.ReadDir(filepath.Join(dir, "snapshots"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || !validUUID(name) || !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, "snapshots", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read snapshot record: %w", err)
		}
		sn := &snapshot{}
		if err := json.Unmarshal(b, &sn.snapshotRecord); err != nil || !sn.validRecord(name) {
			s.log.Warn("skipping a damaged snapshot record", "repository_uuid", rd.uuid, "record", e.Name())
			continue
		}
		if ex, dup := rd.byName[sn.Name]; dup {
			s.log.Warn("skipping a second snapshot record of one name", "snapshot", sn.Name, "uuid", sn.UUID, "kept", ex.UUID)
			continue
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
	rd.byNameOrder = slices.Clone(rd.snaps)
	slices.SortStableFunc(rd.byNameOrder, func(a, b *snapshot) int { return strings.Compare(a.Name, b.Name) })
	s.repoData[dir] = rd
	return rd, nil
}

// validRecord reports whether a record read from the file named by uuid can be
// used: its uuids well-formed and its own uuid the file's.
func (sn *snapshot) validRecord(fileUUID string) bool {
	if sn.UUID != fileUUID || sn.Name == "" || validateSnapshotName("", sn.Name) != nil {
		return false
	}
	for _, d := range sn.Indices {
		if !validUUID(d.UUID) {
			return false
		}
	}
	for _, f := range sn.Files {
		if !validUUID(f.Index) || (f.Kind != fileDocs && f.Kind != fileMeta) {
			return false
		}
	}
	return true
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
	if err := rd.check(); err != nil {
		return err
	}
	id := newUUID()
	b, _ := json.Marshal(map[string]string{"uuid": id})
	if err := writeFileAtomic(filepath.Join(rd.dir, "repository.json"), b); err != nil {
		return fmt.Errorf("write repository metadata: %w", err)
	}
	rd.uuid = id
	return nil
}

func (rd *repoData) add(sn *snapshot) {
	rd.snaps = append(rd.snaps, sn)
	if n := len(rd.snaps); n > 1 && compareStart(rd.snaps[n-2], sn) > 0 {
		slices.SortFunc(rd.snaps, compareStart)
	}
	rd.byName[sn.Name] = sn
	i := rd.nameIndex(sn.Name)
	for i < len(rd.byNameOrder) && rd.byNameOrder[i].Name == sn.Name {
		i++
	}
	rd.byNameOrder = slices.Insert(rd.byNameOrder, i, sn)
}

func (rd *repoData) remove(sn *snapshot) {
	if rd.byName[sn.Name] == sn {
		delete(rd.byName, sn.Name)
	}
	if i := slices.Index(rd.snaps, sn); i >= 0 {
		rd.snaps = slices.Delete(rd.snaps, i, i+1)
	}
	for i := rd.nameIndex(sn.Name); i < len(rd.byNameOrder) && rd.byNameOrder[i].Name == sn.Name; i++ {
		if rd.byNameOrder[i] == sn {
			rd.byNameOrder = slices.Delete(rd.byNameOrder, i, i+1)
			break
		}
	}
}

// nameIndex is the position in byNameOrder of the first snapshot whose name is
// not before name.
func (rd *repoData) nameIndex(name string) int {
	i, _ := slices.BinarySearchFunc(rd.byNameOrder, name, func(sn *snapshot, name string) int {
		return strings.Compare(sn.Name, name)
	})
	return i
}

// withPrefix returns the snapshots whose names start with prefix, in name
// order; s.mu must be held while the result is used.
func (rd *repoData) withPrefix(prefix string) []*snapshot {
	i := rd.nameIndex(prefix)
	j := i
	for j < len(rd.byNameOrder) && strings.HasPrefix(rd.byNameOrder[j].Name, prefix) {
		j++
	}
	return rd.byNameOrder[i:j]
}

// recordPath and dataDir take uuids the emulator made or validated.
func (rd *repoData) recordPath(uuid string) string {
	return filepath.Join(rd.dir, "snapshots", uuid+".json")
}

func (rd *repoData) dataDir(uuid string) string {
	return filepath.Join(rd.dir, "indices", uuid)
}

func (rd *repoData) writeRecord(rec snapshotRecord) error {
	if !validUUID(rec.UUID) {
		return errors.New("invalid snapshot uuid")
	}
	if err := rd.check(); err != nil {
		return err
	}
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
	if !validUUID(uuid) {
		return errors.New("invalid snapshot uuid")
	}
	if err := rd.check(); err != nil {
		return err
	}
	if err := os.Remove(rd.recordPath(uuid)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove snapshot record: %w", err)
	}
	if err := os.RemoveAll(rd.dataDir(uuid)); err != nil {
		return fmt.Errorf("remove snapshot data: %w", err)
	}
	return nil
}

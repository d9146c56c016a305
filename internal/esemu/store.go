package esemu

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// stateFile is the cluster state file under the data directory.
const stateFile = "cluster-state.json"

type persistedState struct {
	ClusterUUID  string           `json:"cluster_uuid"`
	NodeID       string           `json:"node_id"`
	Repositories []persistedRepo  `json:"repositories"`
	Indices      []persistedIndex `json:"indices"`
	// Settings are the persistent cluster settings.
	Settings map[string]string `json:"settings,omitempty"`
}

type persistedRepo struct {
	Name     string          `json:"name"`
	Type     string          `json:"type"`
	Settings json.RawMessage `json:"settings"`
	Location string          `json:"location"`
}

type persistedIndex struct {
	Name     string            `json:"name"`
	UUID     string            `json:"uuid"`
	Settings map[string]string `json:"settings"`
	Mappings json.RawMessage   `json:"mappings,omitempty"`
	Aliases  json.RawMessage   `json:"aliases,omitempty"`
	Closed   bool              `json:"closed"`
	Created  int64             `json:"created"`
	Recovery string            `json:"recovery,omitempty"`
}

// newUUID returns a 22-character URL-safe base64 random id, the form of
// Elasticsearch's UUIDs.randomBase64UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// writeFileAtomic writes data to path through a temporary file and a rename.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("create temporary file for %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("rename to %s: %w", path, err)
	}
	return nil
}

// persist writes the cluster state (repositories and index metadata).
func (s *Server) persist() error {
	s.mu.RLock()
	st := persistedState{ClusterUUID: s.clusterUUID, NodeID: s.nodeID, Settings: s.settings.persistent}
	for _, r := range s.repos {
		st.Repositories = append(st.Repositories, persistedRepo{r.name, r.typ, r.settings, r.location})
	}
	for _, ix := range s.sortedIndices() {
		st.Indices = append(st.Indices, persistedIndex{ix.name, ix.uuid, ix.settings, ix.mappings, ix.aliases, ix.closed, ix.created, ix.recovery})
	}
	s.mu.RUnlock()
	data, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode cluster state: %w", err)
	}
	s.persistMu.Lock()
	defer s.persistMu.Unlock()
	return writeFileAtomic(filepath.Join(s.cfg.DataDir, stateFile), data)
}

// persistOrLog persists after a change already applied in memory; a failure
// is logged since the change itself succeeded.
func (s *Server) persistOrLog() {
	if err := s.persist(); err != nil {
		s.log.Error("persist cluster state", "err", err)
	}
}

// load recovers the cluster state, the documents of every index and the
// snapshots of every repository.
func (s *Server) load() error {
	data, err := os.ReadFile(filepath.Join(s.cfg.DataDir, stateFile))
	var st persistedState
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("read cluster state: %w", err)
	default:
		if err := json.Unmarshal(data, &st); err != nil {
			return fmt.Errorf("decode cluster state: %w", err)
		}
	}
	s.clusterUUID, s.nodeID = st.ClusterUUID, st.NodeID
	s.settings = clusterSettings{persistent: cloneMap(st.Settings), transient: map[string]string{}}
	if s.clusterUUID == "" {
		s.clusterUUID = newUUID()
	}
	if s.nodeID == "" {
		s.nodeID = newUUID()
	}
	for _, pi := range st.Indices {
		ix := &index{name: pi.Name, uuid: pi.UUID, settings: pi.Settings, mappings: pi.Mappings, aliases: pi.Aliases,
			closed: pi.Closed, created: pi.Created, recovery: pi.Recovery}
		if err := ix.open(s.indexFile(ix.uuid)); err != nil {
			return err
		}
		s.indices[ix.name] = ix
	}
	for _, pr := range st.Repositories {
		rd, err := s.openRepoData(pr.Location)
		if err != nil {
			return err
		}
		s.repos = append(s.repos, &repository{name: pr.Name, typ: pr.Type, settings: pr.Settings, location: pr.Location, data: rd})
	}
	return s.persist()
}

func (s *Server) indexFile(uuid string) string {
	return filepath.Join(s.cfg.DataDir, "indices", uuid+".ndjson")
}

// closeFiles closes every index file; s.mu must be held or the server unused.
func (s *Server) closeFiles() {
	for _, ix := range s.indices {
		ix.closeFile()
	}
}

// sortedIndices lists indices by creation, then name; s.mu must be held.
func (s *Server) sortedIndices() []*index {
	out := make([]*index, 0, len(s.indices))
	for _, ix := range s.indices {
		out = append(out, ix)
	}
	slices.SortFunc(out, func(a, b *index) int {
		if a.created != b.created {
			if a.created < b.created {
				return -1
			}
			return 1
		}
		if a.name < b.name {
			return -1
		}
		if a.name > b.name {
			return 1
		}
		return 0
	})
	return out
}

package esemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

const (
	getRepoParams = "local master_timeout"
	putRepoParams = "master_timeout timeout verify"
	timeoutParams = "master_timeout timeout"
)

// repository is a registered snapshot repository. Repositories sharing a
// location share their data, as they share the files in Elasticsearch.
type repository struct {
	name     string
	typ      string
	settings json.RawMessage // object with string values
	location string          // resolved absolute path
	// relLocation is location relative to its path.repo root: what is
	// stored and shown.
	relLocation string
	data        *repoData
}

func (r *repository) readonly() bool {
	var m map[string]any
	_ = json.Unmarshal(r.settings, &m)
	return m["readonly"] == "true" || m["read_only"] == "true"
}

// repoByName finds a registered repository; s.mu must be held.
func (s *Server) repoByName(name string) *repository {
	for _, r := range s.repos {
		if r.name == name {
			return r
		}
	}
	return nil
}

// within reports whether p is root or below it (both clean and absolute).
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// realPath resolves symlinks in the longest existing prefix of p.
func realPath(p string) string {
	rest := ""
	for cur := p; ; {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(r, rest)
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return p
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
}

// resolveLocation confines an fs location to the path.repo roots, rejecting
// traversal and symlinks that lead outside, with Elasticsearch's errors.
func (s *Server) resolveLocation(repo, loc string) (root, path string, _ *esError) {
	wrap := func(inner *esError) *esError {
		return errRepository(repo, "failed to create repository").causedBy(inner)
	}
	if loc == "" {
		return "", "", wrap(errRepository(repo, "missing location"))
	}
	if len(s.cfg.PathRepo) == 0 {
		return "", "", wrap(errRepository(repo, fmt.Sprintf("location [%s] doesn't match any of the locations specified by path.repo because this setting is empty", loc)))
	}
	for _, root := range s.cfg.PathRepo {
		p := loc
		if !filepath.IsAbs(p) {
			p = filepath.Join(root, p)
		}
		p = filepath.Clean(p)
		if !within(root, p) {
			continue
		}
		if within(realPath(root), realPath(p)) {
			return root, p, nil
		}
	}
	return "", "", wrap(errRepository(repo, fmt.Sprintf("location [%s] doesn't match any of the locations specified by path.repo", loc)))
}

// stringifySettings renders setting values as strings, keeping nested objects.
func stringifySettings(v any) any {
	switch t := v.(type) {
	case object:
		out := make(object, len(t))
		for i, m := range t {
			out[i] = member{m.Key, stringifySettings(m.Value)}
		}
		return out
	case string:
		return t
	case json.Number:
		return t.String()
	case bool:
		return strconv.FormatBool(t)
	case nil:
		return nil
	default:
		b, _ := json.Marshal(t)
		return string(b)
	}
}

func (c *call) putRepository() error {
	s := c.s
	name := c.r.PathValue("repo")
	if err := validateRepositoryName(name); err != nil {
		return err
	}
	verify, verr := c.boolParam("verify", true)
	if verr != nil {
		return verr
	}
	body, perr := c.bodyObject()
	if perr != nil {
		return perr
	}
	if body == nil {
		return errParse("request body is required")
	}
	typ, settings := "", object{}
	for _, m := range body {
		switch m.Key {
		case "type":
			t, ok := m.Value.(string)
			if !ok {
				return errParse("Failed to parse repository type: expected a string")
			}
			typ = t
		case "settings":
			o, ok := m.Value.(object)
			if !ok && m.Value != nil {
				return errParse("Failed to parse repository settings: expected an object")
			}
			settings = o
		}
	}
	if typ == "" {
		return errValidation("type is missing")
	}
	if typ != "fs" {
		return errRepository(name, fmt.Sprintf("repository type [%s] does not exist", typ))
	}
	locVal, _ := settings.get("location")
	loc, _ := stringifySettings(locVal).(string)
	root, location, lerr := s.resolveLocation(name, loc)
	if lerr != nil {
		return lerr
	}
	rel := relTo(root, location)
	if err := os.MkdirAll(location, 0o755); err != nil {
		return errRepository(name, "failed to create repository").causedBy(errRepository(name, "cannot create location: "+s.redact(err.Error())))
	}
	if verify {
		if err := verifyWritable(location); err != nil {
			return errRepositoryVerification(name, "path ["+rel+"] is not accessible on master node").causedBy(errInternal(err))
		}
	}
	raw, err := json.Marshal(stringifySettings(settings))
	if err != nil {
		return err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errServerClosed()
	}
	old := s.repoByName(name)
	if old != nil && old.location != location && old.data.running() > 0 {
		s.mu.Unlock()
		return errRepositoryConflict(name, "trying to modify or unregister repository that is currently used (snapshot is in progress)")
	}
	rd, err := s.openRepoData(root, location)
	if err != nil {
		s.mu.Unlock()
		return errRepository(name, "failed to create repository").causedBy(errRepository(name, s.redact(err.Error())))
	}
	nr := &repository{name: name, typ: typ, settings: raw, location: location, relLocation: rel, data: rd}
	prev := slices.Clone(s.repos)
	if old != nil {
		for i, r := range s.repos {
			if r == old {
				s.repos[i] = nr
			}
		}
	} else {
		s.repos = append(s.repos, nr)
	}
	if err := s.saveStateLocked(); err != nil {
		s.repos = prev
		s.releaseRepoData(rd)
		s.mu.Unlock()
		return err
	}
	if old != nil {
		s.releaseRepoData(old.data)
	}
	s.mu.Unlock()
	return c.json(http.StatusOK, object{{"acknowledged", true}})
}

func errServerClosed() *esError {
	return newError("node_closed_exception", http.StatusServiceUnavailable, "node closed")
}

// verifyWritable writes and removes a test blob, as repository verification does.
func verifyWritable(dir string) error {
	f, err := os.CreateTemp(dir, "tests-*")
	if err != nil {
		return err
	}
	name := f.Name()
	if err := f.Close(); err != nil {
		return err
	}
	return os.Remove(name)
}

// selectRepositories resolves a repository expression; s.mu must be held.
func (s *Server) selectRepositories(expr string) ([]*repository, *esError) {
	sel := newNameSelector(splitList(expr))
	var out []*repository
	for _, r := range s.repos {
		if sel.matches(r.name, false) {
			out = append(out, r)
		}
	}
	var missing []string
	for _, n := range sel.required {
		if s.repoByName(n) == nil {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return nil, errRepositoryMissing(strings.Join(missing, ", "))
	}
	return out, nil
}

func (c *call) getRepositories() error {
	s := c.s
	s.mu.RLock()
	repos, err := s.selectRepositories(c.r.PathValue("repo"))
	if err != nil {
		s.mu.RUnlock()
		return err
	}
	out := make(object, 0, len(repos))
	for _, r := range repos {
		o := object{{"type", r.typ}}
		if u := r.data.uuid; u != "" {
			o = append(o, member{"uuid", u})
		}
		o = append(o, member{"settings", r.settings})
		out = append(out, member{r.name, o})
	}
	s.mu.RUnlock()
	return c.json(http.StatusOK, out)
}

func (c *call) deleteRepositories() error {
	s := c.s
	s.mu.Lock()
	var doomed []*repository
	for _, e := range splitList(c.r.PathValue("repo")) {
		matched := false
		for _, r := range s.repos {
			if simpleMatch(e, r.name) {
				matched = true
				doomed = append(doomed, r)
			}
		}
		if !matched && e != "*" && e != "_all" {
			s.mu.Unlock()
			return errRepositoryMissing(e)
		}
	}
	for _, r := range doomed {
		if r.data.running() > 0 {
			s.mu.Unlock()
			return errRepositoryConflict(r.name, "trying to modify or unregister repository that is currently used (snapshot is in progress)")
		}
	}
	prev := s.repos
	kept := make([]*repository, 0, len(s.repos))
	for _, r := range s.repos {
		if !slices.Contains(doomed, r) {
			kept = append(kept, r)
		}
	}
	s.repos = kept
	if err := s.saveStateLocked(); err != nil {
		s.repos = prev
		s.mu.Unlock()
		return err
	}
	for _, r := range doomed {
		s.releaseRepoData(r.data)
	}
	s.mu.Unlock()
	return c.json(http.StatusOK, object{{"acknowledged", true}})
}

func (c *call) lookupRepo(name string) (*repository, *esError) {
	c.s.mu.RLock()
	defer c.s.mu.RUnlock()
	r := c.s.repoByName(name)
	if r == nil {
		return nil, errRepositoryMissing(name)
	}
	return r, nil
}

func (c *call) verifyRepository() error {
	r, err := c.lookupRepo(c.r.PathValue("repo"))
	if err != nil {
		return err
	}
	werr := r.data.check()
	if werr == nil {
		werr = verifyWritable(r.location)
	}
	if werr != nil {
		return errRepositoryVerification(r.name, "path ["+r.relLocation+"] is not accessible on master node").causedBy(errInternal(werr))
	}
	return c.json(http.StatusOK, object{{"nodes", object{{c.s.nodeID, object{{"name", c.s.cfg.NodeName}}}}}})
}

// cleanupRepository removes snapshot data no snapshot refers to.
func (c *call) cleanupRepository() error {
	r, err := c.lookupRepo(c.r.PathValue("repo"))
	if err != nil {
		return err
	}
	if r.readonly() {
		// Elasticsearch's wording (TransportCleanupRepositoryAction); unconfirmed against 8.19.
		return errRepository(r.name, "cannot run cleanup on readonly repository")
	}
	if cerr := r.data.check(); cerr != nil {
		return errRepository(r.name, cerr.Error())
	}
	blobs, size := c.s.cleanupRepoData(r.data)
	return c.json(http.StatusOK, object{{"results", object{{"deleted_bytes", size}, {"deleted_blobs", blobs}}}})
}

// cleanupRepoData deletes data directories of snapshots that are gone.
func (s *Server) cleanupRepoData(rd *repoData) (blobs int, size int64) {
	dir := filepath.Join(rd.dir, "indices")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, 0
	}
	s.mu.RLock()
	known := map[string]bool{}
	for _, sn := range rd.snaps {
		known[sn.UUID] = true
	}
	s.mu.RUnlock()
	for _, e := range entries {
		if known[e.Name()] || !validUUID(e.Name()) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		_ = filepath.WalkDir(p, func(_ string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if info, ierr := d.Info(); ierr == nil {
					blobs++
					size += info.Size()
				}
			}
			return nil
		})
		if err := os.RemoveAll(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			s.log.Error("cleanup repository data", "snapshot_uuid", e.Name(), "err", err)
		}
	}
	return blobs, size
}

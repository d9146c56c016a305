package esemu

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// productHeader is the header the Elasticsearch clients check on 2xx responses.
const productHeader = "X-Elastic-Product"

// compatMediaType is the media type of the clients' compatibility mode.
const compatMediaType = "application/vnd.elasticsearch+json;compatible-with=8"

// globalParams are accepted by every endpoint.
var globalParams = []string{"pretty", "human", "error_trace", "filter_path", "source", "source_content_type"}

// maxBody bounds a request body (bulk seeding included): Elasticsearch's
// http.max_content_length default of 100mb.
const maxBody = 100 << 20

// endpoint is the handler of one method on one path with its accepted query parameters.
type endpoint struct {
	params string
	fn     func(*call) error
}

// methods maps HTTP methods to endpoints of one path.
type methods map[string]endpoint

// call is one request being served.
type call struct {
	s    *Server
	w    http.ResponseWriter
	r    *http.Request
	q    url.Values
	body []byte
}

// routes builds the two muxes: one for API paths (first segment starting with
// '_') and one for index paths, so that patterns never conflict.
func (s *Server) routes() {
	s.apiMux = http.NewServeMux()
	s.indexMux = http.NewServeMux()
	api := func(p string, m methods) { s.apiMux.Handle(p, s.dispatch(m)) }
	idx := func(p string, m methods) { s.indexMux.Handle(p, s.dispatch(m)) }

	api("/{$}", methods{"GET": {"", (*call).info}, "HEAD": {"", (*call).info}})
	api("/_bulk", methods{"POST": {bulkParams, (*call).bulk}, "PUT": {bulkParams, (*call).bulk}})
	api("/_refresh", methods{"POST": {refreshParams, (*call).refresh}, "GET": {refreshParams, (*call).refresh}})
	api("/_cluster/settings", methods{
		"GET": {clusterSettingsParams, (*call).getClusterSettings},
		"PUT": {clusterSettingsParams, (*call).putClusterSettings},
	})
	api("/_cluster/health", methods{"GET": {healthParams, (*call).clusterHealth}})
	api("/_cluster/health/{index}", methods{"GET": {healthParams, (*call).clusterHealth}})
	api("/_cat/indices", methods{"GET": {catIndicesParams, (*call).catIndices}})
	api("/_cat/indices/{index}", methods{"GET": {catIndicesParams, (*call).catIndices}})
	api("/_cat/repositories", methods{"GET": {catRepositoriesParams, (*call).catRepositories}})
	api("/_cat/snapshots", methods{"GET": {catSnapshotsParams, (*call).catSnapshots}})
	api("/_cat/snapshots/{repo}", methods{"GET": {catSnapshotsParams, (*call).catSnapshots}})
	api("/_snapshot", methods{"GET": {getRepoParams, (*call).getRepositories}})
	api("/_snapshot/_status", methods{"GET": {statusParams, (*call).snapshotStatus}})
	api("/_snapshot/{repo}", methods{
		"GET":    {getRepoParams, (*call).getRepositories},
		"PUT":    {putRepoParams, (*call).putRepository},
		"POST":   {putRepoParams, (*call).putRepository},
		"DELETE": {timeoutParams, (*call).deleteRepositories},
	})
	api("/_snapshot/{repo}/_verify", methods{"POST": {timeoutParams, (*call).verifyRepository}})
	api("/_snapshot/{repo}/_cleanup", methods{"POST": {timeoutParams, (*call).cleanupRepository}})
	api("/_snapshot/{repo}/_status", methods{"GET": {statusParams, (*call).snapshotStatus}})
	api("/_snapshot/{repo}/{snap}", methods{
		"GET":    {getSnapshotsParams, (*call).getSnapshots},
		"PUT":    {createSnapshotParams, (*call).createSnapshot},
		"POST":   {createSnapshotParams, (*call).createSnapshot},
		"DELETE": {createSnapshotParams, (*call).deleteSnapshots},
	})
	api("/_snapshot/{repo}/{snap}/_status", methods{"GET": {statusParams, (*call).snapshotStatus}})
	api("/_snapshot/{repo}/{snap}/_restore", methods{"POST": {createSnapshotParams, (*call).restoreSnapshot}})
	api("/_snapshot/{repo}/{snap}/_clone/{target}", methods{"PUT": {"master_timeout", (*call).cloneSnapshot}})
	api("/_aliases", methods{"POST": {aliasesParams, (*call).updateAliases}, "GET": {getAliasesParams, (*call).getAliases}})
	api("/_alias", methods{"GET": {getAliasesParams, (*call).getAliases}})
	api("/_alias/{name}", methods{"GET": {getAliasesParams, (*call).getAliases}, "HEAD": {getAliasesParams, (*call).getAliases}})
	api("/_cat/aliases", methods{"GET": {catAliasesParams, (*call).catAliases}})
	api("/_cat/aliases/{name}", methods{"GET": {catAliasesParams, (*call).catAliases}})
	api("/_mapping", methods{"GET": {getMappingParams, (*call).getMapping}})
	api("/_settings", methods{"GET": {getSettingsParams, (*call).getSettings}, "PUT": {putSettingsParams, (*call).putSettings}})
	api("/_settings/{name}", methods{"GET": {getSettingsParams, (*call).getSettings}})
	api("/_count", methods{"GET": {countParams, (*call).countQuery}, "POST": {countParams, (*call).countQuery}})
	api("/_search", methods{"GET": {searchParams, (*call).search}, "POST": {searchParams, (*call).search}})
	api("/_search/scroll", methods{"GET": {scrollParams, (*call).scroll}, "POST": {scrollParams, (*call).scroll}, "DELETE": {clearScrollParams, (*call).clearScroll}})
	api("/_search/scroll/{scroll_id}", methods{"GET": {scrollParams, (*call).scroll}, "POST": {scrollParams, (*call).scroll}, "DELETE": {clearScrollParams, (*call).clearScroll}})
	api("/_recovery", methods{"GET": {recoveryParams, (*call).indexRecovery}})
	api("/_pit", methods{"DELETE": {"", (*call).closePIT}})
	api("/_cat/recovery", methods{"GET": {catRecoveryParams, (*call).catRecovery}})
	api("/_cat/recovery/{index}", methods{"GET": {catRecoveryParams, (*call).catRecovery}})
	if s.cfg.AdminAPI {
		api("/_emulator/faults", methods{
			"GET":    {"", (*call).adminGetFaults},
			"PUT":    {"", (*call).adminSetFaults},
			"POST":   {"", (*call).adminSetFaults},
			"DELETE": {"", (*call).adminResetFaults},
		})
	}

	idx("/{index}", methods{
		"GET":    {getIndexParams, (*call).getIndex},
		"HEAD":   {getIndexParams, (*call).indexExists},
		"PUT":    {createIndexParams, (*call).createIndex},
		"DELETE": {deleteIndexParams, (*call).deleteIndex},
	})
	idx("/{index}/_doc", methods{"POST": {docWriteParams, (*call).indexDoc}})
	idx("/{index}/_doc/{id}", methods{
		"GET":  {docGetParams, (*call).getDoc},
		"HEAD": {docGetParams, (*call).getDoc},
		"PUT":  {docWriteParams, (*call).indexDoc},
		"POST": {docWriteParams, (*call).indexDoc},
	})
	idx("/{index}/_bulk", methods{"POST": {bulkParams, (*call).bulk}, "PUT": {bulkParams, (*call).bulk}})
	idx("/{index}/_count", methods{"GET": {countParams, (*call).countQuery}, "POST": {countParams, (*call).countQuery}})
	idx("/{index}/_search", methods{"GET": {searchParams, (*call).search}, "POST": {searchParams, (*call).search}})
	idx("/{index}/_pit", methods{"POST": {openPITParams, (*call).openPIT}})
	idx("/{index}/_alias", methods{"GET": {getAliasesParams, (*call).getAliases}})
	idx("/{index}/_alias/{name}", methods{
		"GET":    {getAliasesParams, (*call).getAliases},
		"HEAD":   {getAliasesParams, (*call).getAliases},
		"PUT":    {aliasesParams, (*call).putAlias},
		"POST":   {aliasesParams, (*call).putAlias},
		"DELETE": {aliasesParams, (*call).deleteAlias},
	})
	idx("/{index}/_aliases/{name}", methods{"PUT": {aliasesParams, (*call).putAlias}, "POST": {aliasesParams, (*call).putAlias}, "DELETE": {aliasesParams, (*call).deleteAlias}})
	idx("/{index}/_mapping", methods{
		"GET":  {getMappingParams, (*call).getMapping},
		"PUT":  {putMappingParams, (*call).putMapping},
		"POST": {putMappingParams, (*call).putMapping},
	})
	idx("/{index}/_settings", methods{"GET": {getSettingsParams, (*call).getSettings}, "PUT": {putSettingsParams, (*call).putSettings}})
	idx("/{index}/_settings/{name}", methods{"GET": {getSettingsParams, (*call).getSettings}})
	idx("/{index}/_refresh", methods{"GET": {refreshParams, (*call).refresh}, "POST": {refreshParams, (*call).refresh}})
	idx("/{index}/_close", methods{"POST": {openCloseParams, (*call).closeIndex}})
	idx("/{index}/_open", methods{"POST": {openCloseParams, (*call).openIndex}})
	idx("/{index}/_recovery", methods{"GET": {recoveryParams, (*call).indexRecovery}})
}

// serveES routes one request to the API or the index mux, answering unknown
// routes as Elasticsearch does.
func (s *Server) serveES(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	first := strings.TrimPrefix(path, "/")
	if i := strings.IndexByte(first, '/'); i >= 0 {
		first = first[:i]
	}
	mux := s.indexMux
	if path == "/" || (strings.HasPrefix(first, "_") && first != "_all") {
		mux = s.apiMux
	}
	if _, pattern := mux.Handler(r); pattern != "" {
		mux.ServeHTTP(w, r)
		return
	}
	// A single segment starting with '_' is taken as an index name, as the
	// /{index} handlers of Elasticsearch take it.
	if mux == s.apiMux && first != "" && !strings.Contains(strings.TrimPrefix(path, "/"), "/") {
		if _, pattern := s.indexMux.Handler(r); pattern != "" {
			s.indexMux.ServeHTTP(w, r)
			return
		}
	}
	writeError(w, r, errNoHandler(r.RequestURI, r.Method))
}

func (s *Server) dispatch(m methods) http.Handler {
	allowed := make([]string, 0, len(m))
	for k := range m {
		allowed = append(allowed, k)
	}
	slices.Sort(allowed)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ep, ok := m[r.Method]
		if !ok && r.Method == http.MethodHead {
			ep, ok = m[http.MethodGet]
		}
		if !ok {
			w.Header().Set("Allow", strings.Join(allowed, ","))
			if r.Method == http.MethodOptions {
				w.WriteHeader(http.StatusOK)
				return
			}
			writeError(w, r, errMethodNotAllowed(r.RequestURI, r.Method, allowed))
			return
		}
		c := &call{s: s, w: w, r: r, q: r.URL.Query()}
		if err := c.checkParams(ep.params); err != nil {
			writeError(w, r, err)
			return
		}
		if err := c.readBody(); err != nil {
			writeError(w, r, err)
			return
		}
		if err := ep.fn(c); err != nil {
			var ee *esError
			if !errors.As(err, &ee) {
				s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
				ee = errInternal(err)
			}
			writeError(w, r, s.redactError(ee))
		}
	})
}

// checkParams rejects query parameters the endpoint does not know.
func (c *call) checkParams(allowed string) *esError {
	var unknown []string
	for k := range c.q {
		if slices.Contains(globalParams, k) || slices.Contains(strings.Fields(allowed), k) {
			continue
		}
		unknown = append(unknown, k)
	}
	switch len(unknown) {
	case 0:
		return nil
	case 1:
		return errIllegalArgument("request [%s] contains unrecognized parameter: [%s]", c.r.URL.Path, unknown[0])
	}
	slices.Sort(unknown)
	return errIllegalArgument("request [%s] contains unrecognized parameters: [%s]", c.r.URL.Path, strings.Join(unknown, "], ["))
}

// errContentTooLong is the answer to a body over http.max_content_length. The
// type and wording follow Elasticsearch 8's HTTP layer; unconfirmed against a
// running node (older releases answer 413 with no body).
func errContentTooLong() *esError {
	return newError("content_too_long_exception", http.StatusRequestEntityTooLarge,
		"request content exceeds the maximum allowed [http.max_content_length] of [%d] bytes", maxBody)
}

func (c *call) readBody() *esError {
	if c.r.Body == nil {
		return nil
	}
	if c.r.ContentLength > maxBody {
		// Refused from the header, before reading; the connection is closed
		// rather than drained.
		c.w.Header().Set("Connection", "close")
		return errContentTooLong()
	}
	b, err := io.ReadAll(io.LimitReader(c.r.Body, maxBody+1))
	if err != nil {
		return errParse("failed to read request body: %v", err)
	}
	if len(b) > maxBody {
		c.w.Header().Set("Connection", "close")
		return errContentTooLong()
	}
	if len(bytes.TrimSpace(b)) > 0 {
		if ct := c.r.Header.Get("Content-Type"); ct != "" && !supportedContentType(ct) {
			return errContentType(ct)
		}
	}
	c.body = b
	return nil
}

func supportedContentType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch mt {
	case "application/json", "application/x-ndjson", "application/vnd.elasticsearch+json", "application/vnd.elasticsearch+x-ndjson":
		return true
	}
	return false
}

func (c *call) hasBody() bool { return len(bytes.TrimSpace(c.body)) > 0 }

// bodyObject parses the body as a JSON object; an empty body gives nil.
func (c *call) bodyObject() (object, *esError) {
	if !c.hasBody() {
		return nil, nil
	}
	v, err := decodeOrdered(c.body)
	if err != nil {
		return nil, parseJSONError(c.body, err)
	}
	o, ok := v.(object)
	if !ok {
		return nil, errXContentParse(1, 1, "request body is required to be a JSON object")
	}
	return o, nil
}

func (c *call) param(name string) string { return c.q.Get(name) }

func (c *call) has(name string) bool { return c.q.Has(name) }

// boolParam reads a boolean parameter as Elasticsearch does ("" means true).
func (c *call) boolParam(name string, def bool) (bool, *esError) {
	if !c.q.Has(name) {
		return def, nil
	}
	return parseBool(c.q.Get(name), true)
}

func parseBool(v string, empty bool) (bool, *esError) {
	switch v {
	case "":
		return empty, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, errIllegalArgument("Failed to parse value [%s] as only [true] or [false] are allowed.", v)
}

func (c *call) intParam(name string, def int) (int, *esError) {
	if !c.q.Has(name) {
		return def, nil
	}
	n, err := strconv.Atoi(c.q.Get(name))
	if err != nil {
		return 0, errIllegalArgument("Failed to parse int parameter [%s] with value [%s]", name, c.q.Get(name))
	}
	return n, nil
}

// json sends v as a JSON response.
func (c *call) json(status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c.raw(status, b)
	return nil
}

// raw sends an already encoded JSON body, applying filter_path and pretty.
func (c *call) raw(status int, b []byte) {
	if fp := c.param("filter_path"); fp != "" {
		if nb, err := filterJSON(b, fp); err == nil {
			b = nb
		}
	}
	writeJSON(c.w, c.r, status, b)
}

// text sends a plain text response (the _cat APIs).
func (c *call) text(status int, s string) {
	c.w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	c.w.WriteHeader(status)
	if c.r.Method != http.MethodHead {
		_, _ = io.WriteString(c.w, s)
	}
}

func writeJSON(w http.ResponseWriter, r *http.Request, status int, b []byte) {
	if p, ok := r.URL.Query()["pretty"]; ok && (len(p) == 0 || p[0] != "false") {
		var buf bytes.Buffer
		if json.Indent(&buf, b, "", "  ") == nil {
			buf.WriteByte('\n')
			b = buf.Bytes()
		}
	}
	ct := "application/json"
	if strings.Contains(r.Header.Get("Accept"), "compatible-with=8") {
		ct = compatMediaType
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(b)
	}
}

func writeError(w http.ResponseWriter, r *http.Request, e *esError) {
	writeJSON(w, r, e.status, e.body())
}

// Request is one entry of the request log.
type Request struct {
	Method   string
	Path     string
	RawQuery string
	Status   int
	Time     time.Time
}

// maxRequestLog bounds the request log; older entries are dropped.
const maxRequestLog = 100_000

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// ServeHTTP is the outer layer: product header, request log, faults, routing.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.authenticated(r) {
		// Without credentials not even the product header is sent, as
		// Elasticsearch does before authentication.
		s.refuseUnauthenticated(w, r)
		s.logRequest(r, http.StatusUnauthorized)
		return
	}
	w.Header().Set(productHeader, "Elasticsearch")
	admin := s.cfg.AdminAPI && strings.HasPrefix(r.URL.Path, "/_emulator/")
	if !admin && s.faults.intercept(w, r) {
		s.logRequest(r, 0)
		return
	}
	rec := &statusRecorder{ResponseWriter: w}
	s.serveES(rec, r)
	s.logRequest(r, rec.status)
}

func (s *Server) logRequest(r *http.Request, status int) {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	if len(s.reqs) >= maxRequestLog {
		s.reqs = slices.Delete(s.reqs, 0, len(s.reqs)/10)
	}
	s.reqs = append(s.reqs, Request{
		Method: loggedField(r.Method), Path: loggedField(r.URL.Path), RawQuery: loggedField(r.URL.RawQuery),
		Status: status, Time: s.now(),
	})
}

// maxLoggedField bounds each string the request log keeps of a request, so that the log's
// memory does not grow with the size of the URLs clients send (with or without credentials).
const maxLoggedField = 256

// loggedField is a copy of at most maxLoggedField bytes of v: always a copy, since a short
// path or query may share the memory of the request's whole URL.
func loggedField(v string) string {
	return strings.Clone(v[:min(len(v), maxLoggedField)])
}

// Requests returns a copy of the request log (requests answered with a dropped
// connection have Status 0).
func (s *Server) Requests() []Request {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	return slices.Clone(s.reqs)
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.reqMu.Lock()
	defer s.reqMu.Unlock()
	s.reqs = nil
}

// Handler returns the HTTP handler of the server.
func (s *Server) Handler() http.Handler { return s }

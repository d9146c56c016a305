package server

import (
	"maps"
	"net/http"
	"slices"
	"strings"
)

// methods routes a path's requests by method; any other method is answered 405 with an Allow
// header and a message.
type methods map[string]http.HandlerFunc

func (m methods) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h, ok := m[r.Method]; ok {
		h(w, r)
		return
	}
	allowed := strings.Join(slices.Sorted(maps.Keys(m)), ", ")
	w.Header().Set("Allow", allowed)
	writeMessage(w, http.StatusMethodNotAllowed, "Method "+r.Method+" is not allowed here; allowed: "+allowed+".")
}

package esemu

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
)

// authenticated reports whether r carries the configured basic-auth
// credentials, or whether none are configured. Both values are compared in
// constant time through their digests.
func (s *Server) authenticated(r *http.Request) bool {
	if s.cfg.Password == "" {
		return true
	}
	user, pass, ok := r.BasicAuth()
	if !ok {
		return false
	}
	wantUser, wantPass := sha256.Sum256([]byte(s.cfg.Username)), sha256.Sum256([]byte(s.cfg.Password))
	gotUser, gotPass := sha256.Sum256([]byte(user)), sha256.Sum256([]byte(pass))
	userOK := subtle.ConstantTimeCompare(wantUser[:], gotUser[:])
	passOK := subtle.ConstantTimeCompare(wantPass[:], gotPass[:])
	return userOK&passOK == 1
}

// refuseUnauthenticated answers 401 in Elasticsearch's security_exception
// shape, with its WWW-Authenticate challenges. Elasticsearch also repeats the
// challenges in a "header" member of the error; that member is left out.
func (s *Server) refuseUnauthenticated(w http.ResponseWriter, r *http.Request) {
	reason := "missing authentication credentials for REST request [" + r.URL.RequestURI() + "]"
	if user, _, ok := r.BasicAuth(); ok {
		reason = "unable to authenticate user [" + user + "] for REST request [" + r.URL.RequestURI() + "]"
	}
	w.Header().Add("WWW-Authenticate", `Basic realm="security", charset="UTF-8"`)
	w.Header().Add("WWW-Authenticate", "ApiKey")
	if r.ContentLength != 0 {
		w.Header().Set("Connection", "close")
	}
	writeError(w, r, newError("security_exception", http.StatusUnauthorized, "%s", reason))
}

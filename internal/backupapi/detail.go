package backupapi

import (
	"errors"
	"regexp"
	"strings"
)

// Detail returns the text of err for the user who configured the backend: the error's
// message and, when the message does not say it already, the text of its cause (the TLS,
// DNS or connection error underneath), with the credentials of every URL in it removed.
//
// An Error's message is what a server may answer to its own clients, so the Elasticsearch
// driver keeps addresses out of it; the cause may name the addresses the user configured,
// which is what they need to see to fix a certificate or a host name.
func Detail(err error) string {
	if err == nil {
		return ""
	}
	text := err.Error()
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.Cause == nil {
		return RedactURLs(text)
	}
	cause := apiErr.Cause.Error()
	if cause == "" || strings.Contains(text, cause) {
		return RedactURLs(text)
	}
	return RedactURLs(text + ": " + cause)
}

// userinfo matches the user and password part of a URL in a text.
var userinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s"]*@`)

// RedactURLs removes the user and password of every URL in text.
func RedactURLs(text string) string {
	if !strings.Contains(text, "@") {
		return text
	}
	return userinfo.ReplaceAllString(text, "$1")
}

package esclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// ErrRequestTimeout is the error of a request attempt that got no complete answer within
// Config.RequestTimeout. The attempt is retried (on the next node, when there are several)
// as a connection error is.
var ErrRequestTimeout = errors.New("no answer within the request timeout")

// noRequestTimeout marks a context whose requests are not bounded by the request timeout.
type noRequestTimeout struct{}

// WithoutRequestTimeout returns a context whose requests are bounded by ctx alone, not by
// Config.RequestTimeout: for a request that blocks by design (a snapshot taken with
// wait_for_completion), whose bound is the caller's.
func WithoutRequestTimeout(ctx context.Context) context.Context {
	return context.WithValue(ctx, noRequestTimeout{}, true)
}

// attemptTimeout bounds each round trip, the reading of its body included, by timeout. The
// transport above it sees a timed-out attempt as a connection error: it retries and marks
// the node dead, so the next attempt goes to the next node.
type attemptTimeout struct {
	next    http.RoundTripper
	timeout time.Duration
}

// RoundTrip sends req with its own deadline.
func (a attemptTimeout) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Context().Value(noRequestTimeout{}) != nil {
		return a.next.RoundTrip(req)
	}
	ctx, cancel := context.WithTimeoutCause(req.Context(), a.timeout, ErrRequestTimeout)
	res, err := a.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		err = a.timedOut(ctx, req.Context(), err)
		cancel()
		return nil, err
	}
	res.Body = &timedBody{ReadCloser: res.Body, a: a, ctx: ctx, parent: req.Context(), cancel: cancel}
	return res, nil
}

// timedOut returns err, marked with ErrRequestTimeout when the attempt's own deadline (not
// the caller's) ended it.
func (a attemptTimeout) timedOut(ctx, parent context.Context, err error) error {
	if parent.Err() == nil && errors.Is(context.Cause(ctx), ErrRequestTimeout) {
		return fmt.Errorf("%w (%s): %w", ErrRequestTimeout, a.timeout, err)
	}
	return err
}

// timedBody is the body of an answer whose attempt has a deadline: closing it releases the
// deadline's timer, and a read cut by the deadline says so.
type timedBody struct {
	io.ReadCloser
	a           attemptTimeout
	ctx, parent context.Context
	cancel      context.CancelFunc
}

func (b *timedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = b.a.timedOut(b.ctx, b.parent, err)
	}
	return n, err
}

func (b *timedBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// IsCertificateError reports whether err is the refusal of a server's TLS certificate: an
// unknown authority, a name it is not valid for, an expired or otherwise invalid
// certificate. Sending the request again cannot help.
func IsCertificateError(err error) bool {
	var verification *tls.CertificateVerificationError
	var authority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &verification) || errors.As(err, &authority) || errors.As(err, &hostname) || errors.As(err, &invalid)
}

// retryOnError decides whether a request that got no answer is sent again: not when the
// caller gave up, nor when the certificate was refused.
func retryOnError(req *http.Request, err error) bool {
	return req.Context().Err() == nil && !IsCertificateError(err)
}

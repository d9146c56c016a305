package provider

import (
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/actuator"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/records"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/esclient"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/procedure"
)

// newSetProcedure builds the whole-backup procedure of the actuator backend b: Zeebe and
// exporting at zeebe_url (default url), Optimize at optimize_url when set, and the
// zeebe-record snapshot through the elasticsearch block when one sits beside the actuator
// block. It contacts nothing.
func newSetProcedure(s settings, b *backend) (*procedure.Set, error) {
	a := s.actuator
	cfg := func(url string) actuator.Config {
		return actuator.Config{
			URL: url, Username: a.username, Password: a.password, Token: a.token,
			Timeout: s.requestTimeout, Retries: s.retries,
			RetryWait: min(actuator.DefaultRetryWait, s.retryMaxWait), RetryMaxWait: s.retryMaxWait,
		}
	}
	zeebeURL := cmp.Or(a.zeebeURL, a.url)
	zeebe, err := actuator.NewZeebe(cfg(zeebeURL))
	if err != nil {
		return nil, fmt.Errorf("zeebe client: %w", err)
	}
	exporting, err := actuator.NewExporting(cfg(zeebeURL))
	if err != nil {
		return nil, fmt.Errorf("exporting client: %w", err)
	}
	// Exporting stays paused while a set runs: each step's end is looked for sooner than a
	// lone web-app backup's (procedure.SetPoller).
	poll := procedure.SetPoller()
	set := &procedure.Set{
		Webapp:        procedure.Webapp{Client: b.client, Gate: b.gate, Poll: poll},
		Zeebe:         zeebe,
		Exporting:     exporting,
		Poll:          poll,
		Repository:    a.repository,
		ResumeRequest: resumeRequest(zeebeURL, a),
	}
	if a.optimizeURL != "" {
		o, err := actuator.NewOptimize(cfg(a.optimizeURL))
		if err != nil {
			return nil, fmt.Errorf("optimize client: %w", err)
		}
		set.Optimize = o
	}
	if s.recordsES {
		e := s.elasticsearch
		transport, err := esTransport(e)
		if err != nil {
			return nil, err
		}
		r, err := records.New(records.Config{Repository: e.repository, IndexPrefix: e.recordsPrefix, ES: esclient.Config{
			Addresses: e.urls, Username: e.username, Password: e.password, APIKey: e.apiKey,
			Transport: transport, MaxRetries: s.retries, RetryBackoff: esclient.Backoff(min(actuator.DefaultRetryWait, s.retryMaxWait), s.retryMaxWait),
			RequestTimeout: s.requestTimeout,
		}})
		if err != nil {
			return nil, fmt.Errorf("zeebe-record snapshots: %w", err)
		}
		set.Records = r
		if set.Repository == "" {
			set.Repository = e.repository
		}
	}
	return set, nil
}

// resumeRequest is the request that resumes exporting by hand, quoted when resuming fails;
// credentials appear as placeholders, never as values.
func resumeRequest(zeebeURL string, a actuatorSettings) string {
	auth := ""
	switch {
	case a.token != "":
		auth = ` -H "Authorization: Bearer $` + envActuatorToken + `"`
	case a.username != "":
		auth = fmt.Sprintf(" -u %q", a.username+":$"+envActuatorPassword)
	}
	return fmt.Sprintf("curl -X POST%s %s/actuator/exporting/resume", auth, strings.TrimRight(zeebeURL, "/"))
}

// setOf returns the whole-backup procedure, or adds an error saying what it needs.
func (b *backend) setOf(diags *diag.Diagnostics) *procedure.Set {
	if b != nil && b.set != nil {
		return b.set
	}
	diags.AddError("Whole Backup Needs the Actuator Backend",
		"camunda_backup drives Camunda's management APIs (the web applications' backupHistory, Zeebe's backupRuntime and "+
			"exporting, Optimize's backups): configure the provider's actuator block (url, and optimize_url when Optimize is "+
			"deployed). An elasticsearch block beside it gives the zeebe-record snapshot its Elasticsearch access.")
	return nil
}

// esTransport is the HTTP transport of the elasticsearch block's TLS settings; nil for the
// default.
func esTransport(e elasticsearchSettings) (http.RoundTripper, error) {
	if len(e.caPEM) == 0 && !e.insecure {
		return nil, nil
	}
	base, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return nil, fmt.Errorf("zeebe-record snapshots: the default HTTP transport is not an *http.Transport")
	}
	t := base.Clone()
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: e.insecure} //nolint:gosec // insecure is the user's explicit choice, for tests
	if len(e.caPEM) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(e.caPEM) {
			return nil, fmt.Errorf("zeebe-record snapshots: the elasticsearch CA certificates hold no PEM certificate")
		}
		t.TLSClientConfig.RootCAs = pool
	}
	return t, nil
}

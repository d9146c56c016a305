package provider

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
)

// checkURL accepts an absolute http or https URL with a host.
func checkURL(s string) error {
	if s == "" {
		return fmt.Errorf("no URL is set")
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %v", s, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%q must start with http:// or https://", s)
	}
	if u.Host == "" {
		return fmt.Errorf("%q has no host", s)
	}
	return nil
}

// parsePositiveDuration parses a Go duration string ("30s", "2m") that must be positive.
func parsePositiveDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as \"30s\" or \"2m\"", s)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q must be positive", s)
	}
	return d, nil
}

// stringCheck is a plan-time string validator built from a check function; null and unknown
// values are left to later stages.
type stringCheck struct {
	description string
	summary     string
	check       func(string) error
}

func (v stringCheck) Description(context.Context) string         { return v.description }
func (v stringCheck) MarkdownDescription(context.Context) string { return v.description }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, err.Error())
	}
}

// validURL accepts http and https URLs.
func validURL() validator.String {
	return stringCheck{description: "value must be an http or https URL", summary: "Invalid URL", check: checkURL}
}

// checkActuatorURL accepts the base URL of a management server: an http or https URL whose
// path does not already name the actuator, which the client appends ("/actuator/...").
func checkActuatorURL(s string) error {
	if err := checkURL(s); err != nil {
		return err
	}
	u, _ := url.Parse(s)
	p := strings.TrimRight(u.Path, "/")
	for _, suffix := range []string{"/actuator", "/actuator/backupHistory", "/actuator/backups"} {
		if strings.HasSuffix(p, suffix) {
			return fmt.Errorf("%q ends with %s, which the provider appends itself: use the management server's base URL, "+
				"e.g. %q", s, suffix, u.Scheme+"://"+u.Host+strings.TrimSuffix(p, suffix))
		}
	}
	return nil
}

// validActuatorURL accepts the base URL of a management server.
func validActuatorURL() validator.String {
	return stringCheck{description: "value must be the http or https base URL of the management server", summary: "Invalid URL", check: checkActuatorURL}
}

// validDuration accepts positive Go duration strings.
func validDuration() validator.String {
	return stringCheck{description: "value must be a positive duration such as \"30s\"", summary: "Invalid Duration",
		check: func(s string) error { _, err := parsePositiveDuration(s); return err }}
}

// validListPattern accepts the list API's backup-id patterns.
func validListPattern() validator.String {
	return stringCheck{description: "value must be digits optionally followed by one '*', at most 20 characters",
		summary: "Invalid Pattern", check: func(s string) error { _, err := backupapi.ListPattern(s); return err }}
}

// noUnderscore matches non-empty strings without '_', the separator of snapshot names.
var noUnderscore = regexp.MustCompile(`^[^_]+$`)

// stateNames are the names of the backup states, for validators.
func stateNames() []string {
	names := make([]string, len(backupapi.States))
	for i, s := range backupapi.States {
		names[i] = string(s)
	}
	return names
}

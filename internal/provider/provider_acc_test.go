package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// listAll makes terraform configure the provider and call its backend.
const listAll = "\ndata \"camunda_webapp_backups\" \"all\" {}\n"

// TestAccProviderMisconfiguration checks that every misconfiguration is a clear error at plan
// time, with an environment that names no backend.
func TestAccProviderMisconfiguration(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, provider string
		want           string
	}{
		// With both blocks the actuator is the backend (the elasticsearch block serves the
		// whole backup's zeebe-record snapshot): the list reaches the actuator.
		{"both backends", `actuator { url = "http://127.0.0.1:1" }
  elasticsearch {
    urls       = ["http://127.0.0.1:1"]
    repository = "r"
  }`, `Backup Backend Unreachable`},
		{"no backend", ``, `No Backend Configured`},
		{"actuator URL scheme", `actuator { url = "ftp://backups:9600" }`, `(?s)Invalid URL.*must start with http:// or https://`},
		{"actuator URL missing", `actuator {}`, `(?s)Invalid Actuator URL.*no URL is set`},
		{"actuator URL with the endpoint's path", `actuator { url = "http://127.0.0.1:1/actuator" }`, `(?s)Invalid URL.*ends\s+with\s+/actuator`},
		{"elasticsearch URL without host", `elasticsearch {
    urls       = ["http://"]
    repository = "r"
  }`, `(?s)Invalid URL.*has no host`},
		{"endpoint", `actuator {
    url      = "http://127.0.0.1:1"
    endpoint = "backup"
  }`, `(?s)endpoint.*value must be one of`},
		{"token and basic auth", `actuator {
    url      = "http://127.0.0.1:1"
    token    = "t"
    username = "u"
  }`, `Invalid Attribute Combination`},
		{"api key and basic auth", `elasticsearch {
    urls       = ["http://127.0.0.1:1"]
    repository = "r"
    api_key    = "k"
    username   = "u"
  }`, `Invalid Attribute Combination`},
		{"ca_file and ca_pem", `elasticsearch {
    urls       = ["http://127.0.0.1:1"]
    repository = "r"
    ca_file    = "ca.pem"
    ca_pem     = "-----BEGIN CERTIFICATE-----"
  }`, `Invalid Attribute Combination`},
		{"unreadable CA file", `elasticsearch {
    urls       = ["http://127.0.0.1:1"]
    repository = "r"
    ca_file    = "/nonexistent/ca.pem"
  }`, `Unreadable CA File`},
		{"no repository", `elasticsearch { urls = ["http://127.0.0.1:1"] }`, `Missing Snapshot Repository`},
		{"version with underscore", `elasticsearch {
    urls       = ["http://127.0.0.1:1"]
    repository = "r"
    version    = "8_8"
  }`, `must not contain '_'`},
		{"request timeout", `request_timeout = "soon"
  actuator { url = "http://127.0.0.1:1" }`, `(?s)Invalid Duration.*"soon"`},
		{"retries", `retries = 99
  actuator { url = "http://127.0.0.1:1" }`, `(?s)retries.*between 0 and 10`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: factoriesWithEnv(noEnv),
				Steps: []resource.TestStep{{
					Config:      fmt.Sprintf("provider \"camunda\" {\n  %s\n}\n%s", tc.provider, listAll),
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestAccProviderEnvironment configures the backend from the environment alone, and shows a
// configured value winning over it.
func TestAccProviderEnvironment(t *testing.T) {
	t.Parallel()
	b := newTestBackend(t, backendActuator)
	url := regexp.MustCompile(`url\s*=\s*"([^"]+)"`).FindStringSubmatch(b.provider)[1]
	env := map[string]string{envActuatorURL: url, envRepository: "from-env"}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factoriesWithEnv(func(name string) string { return env[name] }),
		Steps: []resource.TestStep{
			{
				Config: listAll,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.camunda_webapp_backups.all", tfjsonpath.New("repository"), knownvalue.StringExact("from-env")),
				},
			},
			{
				Config: "provider \"camunda\" {\n  actuator { repository = \"configured\" }\n}\n" + listAll,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.camunda_webapp_backups.all", tfjsonpath.New("repository"), knownvalue.StringExact("configured")),
				},
			},
		},
	})
}

// TestAccProviderUnreachable gives up on a backend that does not answer after the retries,
// with an error that says so.
func TestAccProviderUnreachable(t *testing.T) {
	t.Parallel()
	for _, block := range []string{
		fmt.Sprintf("actuator { url = %q }", closedURL(t)),
		fmt.Sprintf("elasticsearch {\n    urls       = [%q]\n    repository = \"r\"\n  }", closedURL(t)),
	} {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: factoriesWithEnv(noEnv),
			Steps: []resource.TestStep{{
				Config:      fmt.Sprintf("provider \"camunda\" {\n  retries        = 2\n  retry_max_wait = \"50ms\"\n  %s\n}\n%s", block, listAll),
				ExpectError: regexp.MustCompile(`(?s)Backup Backend Unreachable.*listing backups.*retries`),
			}},
		})
	}
}

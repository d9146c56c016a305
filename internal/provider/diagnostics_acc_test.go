package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// TestAccWebappBackupForeign404KeepsTheBackup points the provider at a proxy that answers 404
// for everything: the refresh fails naming the URL, instead of dropping the backup from the
// state (and destroy would not report a deletion that did not happen).
func TestAccWebappBackupForeign404KeepsTheBackup(t *testing.T) {
	parallel(t)
	b := newTestBackend(t, backendActuator)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, "<html><body><h1>404 Not Found</h1>nginx</body></html>")
	}))
	t.Cleanup(proxy.Close)
	viaProxy := fmt.Sprintf("provider \"camunda\" {\n  actuator {\n    url        = %q\n    repository = %q\n  }\n}\n", proxy.URL, testRepository)
	resource := "\nresource \"camunda_webapp_backup\" \"test\" {\n  backup_id = 191\n}\n"
	resourceTest(t, []resourceStep{
		{config: b.provider + resource},
		{config: viaProxy + resource, expectError: regexp.MustCompile(`(?s)Backup API Not Found.*` + regexp.QuoteMeta(proxy.URL))},
		{config: b.provider + resource, emptyPlan: true},
	})
	if err := expectBackup(b, 191, true); err != nil {
		t.Error(err)
	}
}

// TestAccProviderAuthenticationFailed calls a protected server without its token: the error
// says that authentication failed and which settings to check.
func TestAccProviderAuthenticationFailed(t *testing.T) {
	parallel(t)
	srv, err := server.Start(context.Background(), server.Config{
		Listen: "127.0.0.1:0", DataDir: t.TempDir(), Repository: testRepository, APIToken: "right-token", SnapshotDelay: time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	config := fmt.Sprintf("provider \"camunda\" {\n  actuator {\n    url   = %q\n    token = \"wrong-token\"\n  }\n}\n%s", srv.URL(), listAll)
	resourceTest(t, []resourceStep{{config: config, expectError: regexp.MustCompile(`(?s)Authentication Failed.*CAMUNDA_ACTUATOR_TOKEN`)}})
}

// TestProtocolValidateNeedsNoEnvironment: terraform validate of a provider block that leaves
// the backend to the environment passes without the environment (CI jobs validate without
// secrets); configure then says what is missing.
func TestProtocolValidateNeedsNoEnvironment(t *testing.T) {
	ctx := context.Background()
	srv, err := providerserverFor(noEnv)
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ := schemas.Provider.ValueType()
	config := dynamic(t, typ, objectOf(typ, map[string]tftypes.Value{}))
	resp, err := srv.ValidateProviderConfig(ctx, &tfprotov6.ValidateProviderConfigRequest{Config: config})
	if err != nil || hasErrors(resp.Diagnostics) {
		t.Fatalf("validate without the environment: %v %s", err, diagText(resp.Diagnostics))
	}
	configured, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: config})
	if err != nil || !hasErrors(configured.Diagnostics) || !regexp.MustCompile(`No Backend Configured`).MatchString(diagText(configured.Diagnostics)) {
		t.Errorf("configure without a backend: %v %s; want No Backend Configured", err, diagText(configured.Diagnostics))
	}
}

// resourceStep is one step of resourceTest.
type resourceStep struct {
	config      string
	expectError *regexp.Regexp
	emptyPlan   bool
}

// resourceTest runs the steps with the provider in-process.
func resourceTest(t *testing.T, steps []resourceStep) {
	t.Helper()
	var tsteps []resource.TestStep
	for _, s := range steps {
		step := resource.TestStep{Config: s.config, ExpectError: s.expectError}
		if s.emptyPlan {
			step.ConfigPlanChecks = resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
		}
		tsteps = append(tsteps, step)
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: factoriesWithEnv(noEnv), Steps: tsteps})
}

// TestAccProviderFailsOverAHungNode gives the elasticsearch backend two nodes, the first of
// which accepts connections and never answers: each request gives up on it after
// request_timeout and goes to the second node.
func TestAccProviderFailsOverAHungNode(t *testing.T) {
	parallel(t)
	b := newTestBackend(t, backendElasticsearch)
	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); hung.Close() })
	config := fmt.Sprintf(`provider "camunda" {
  request_timeout = "300ms"
  retries         = 2
  retry_max_wait  = "50ms"
  elasticsearch {
    urls       = [%q, %q]
    repository = %q
  }
}
%s`, hung.URL, b.url, testRepository, listAll)
	resourceTest(t, []resourceStep{{config: config}})
}

// TestAccActuatorRepositoryChecked gives the actuator backend an elasticsearch block beside it:
// the restore plan's repository is then checked against the snapshots, a wrong one is an
// error instead of a plan that names it, and two different repositories are refused.
func TestAccActuatorRepositoryChecked(t *testing.T) {
	parallel(t)
	b := newTestBackend(t, backendActuator)
	createBackup(t, b, 231, backupapi.StateCompleted)
	config := func(actuatorRepo, esRepo string) string {
		repo := ""
		if actuatorRepo != "" {
			repo = fmt.Sprintf("\n    repository = %q", actuatorRepo)
		}
		return fmt.Sprintf(`provider "camunda" {
  actuator {
    url = %q%s
  }
  elasticsearch {
    urls       = [%q]
    repository = %q
  }
}

data "camunda_webapp_backup" "restore" {
  backup_id = 231
}
`, b.url, repo, b.esURL, esRepo)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factoriesWithEnv(noEnv),
		Steps: []resource.TestStep{
			{Config: config("", "not-the-repository"), ExpectError: regexp.MustCompile(`Backup Not in the Repository`)},
			{Config: config("camunda-a", "camunda-b"), ExpectError: regexp.MustCompile(`Conflicting Snapshot Repositories`)},
			{
				Config: config("", testRepository),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.camunda_webapp_backup.restore", tfjsonpath.New("repository"), knownvalue.StringExact(testRepository)),
				},
			},
		},
	})
}

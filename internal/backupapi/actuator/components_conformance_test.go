package actuator_test

import (
	"context"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/actuator"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// clientConfig is the configuration of a component client at url over rt (nil: default),
// with quick retries.
func clientConfig(url string, rt http.RoundTripper) actuator.Config {
	cfg := actuator.Config{URL: url, Retries: 2, RetryWait: time.Millisecond, RetryMaxWait: 5 * time.Millisecond}
	if rt != nil {
		cfg.HTTPClient = &http.Client{Transport: rt}
	}
	return cfg
}

// componentsTarget builds the component clients of a Camunda at these management URLs
// (optimizeURL "": no Optimize).
func componentsTarget(t *testing.T, zeebeURL, optimizeURL string) conformance.ComponentsTarget {
	must := func(err error) {
		if err != nil {
			t.Fatalf("client: %v", err)
		}
	}
	target := conformance.ComponentsTarget{
		Zeebe: func(rt http.RoundTripper) backupapi.ZeebeBackups {
			c, err := actuator.NewZeebe(clientConfig(zeebeURL, rt))
			must(err)
			return c
		},
		Exporting: func(rt http.RoundTripper) backupapi.Exporting {
			c, err := actuator.NewExporting(clientConfig(zeebeURL, rt))
			must(err)
			return c
		},
	}
	if optimizeURL != "" {
		target.Optimize = func(rt http.RoundTripper) backupapi.OptimizeBackups {
			c, err := actuator.NewOptimize(clientConfig(optimizeURL, rt))
			must(err)
			return c
		}
	}
	return target
}

// throughReferenceServer is a fresh reference server per case: an emulated Zeebe with three
// partitions and short backups, and Optimize, over the Elasticsearch emulator.
func throughReferenceServer(t *testing.T) conformance.ComponentsTarget {
	b := conformance.NewBackend(t)
	b.CreateRepository(t, "camunda-backup")
	srv, err := server.Start(t.Context(), server.Config{
		Listen: "127.0.0.1:0", ElasticsearchURLs: []string{b.URL}, ZeebeDataDir: t.TempDir(),
		OptimizeListen: "127.0.0.1:0", ZeebeBackupDuration: 5 * time.Millisecond,
	})
	if err != nil {
		t.Fatalf("start the reference server: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	target := componentsTarget(t, srv.URL(), srv.OptimizeURL())
	target.Inject = func(t *testing.T, fault string) {
		srv.Faults().Update(func(f *server.FaultSettings) {
			switch fault {
			case conformance.FaultZeebeUnreachable:
				f.ZeebeUnreachable = true
			case conformance.FaultExportingFails:
				f.ZeebeMissingPartitions = 1
			case conformance.FaultOptimizeUnreachable:
				f.OptimizeUnreachable = true
			default:
				t.Fatalf("unknown fault %q", fault)
			}
		})
		t.Cleanup(srv.Faults().Reset)
	}
	return target
}

func TestComponentsConformance(t *testing.T) {
	conformance.RunComponents(t, "the reference server", throughReferenceServer)
}

// TestComponentsConformanceCamunda runs the tables against a real Camunda 8.8.
func TestComponentsConformanceCamunda(t *testing.T) {
	zeebeURL := os.Getenv(conformance.EnvCamundaManagementURL)
	if zeebeURL == "" {
		t.Skip("no real Camunda: " + conformance.CamundaHowTo)
	}
	optimizeURL := os.Getenv(conformance.EnvOptimizeManagementURL)
	conformance.RunComponents(t, "the Camunda at "+zeebeURL, func(t *testing.T) conformance.ComponentsTarget {
		return componentsTarget(t, zeebeURL, optimizeURL)
	})
}

package actuator_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/actuator"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/server"
)

// throughServer is the conformance Factory of the actuator driver: the reference server's
// handler over the Elasticsearch driver of the case, on a loopback port, and the actuator
// client talking to it.
func throughServer(t *testing.T, cfg elastic.Config) backupapi.Client {
	t.Helper()
	driver, err := elastic.New(cfg)
	if err != nil {
		t.Fatalf("elastic.New: %v", err)
	}
	hs := httptest.NewServer(server.NewHandler(server.Options{Backups: driver, Health: driver.Ping}))
	t.Cleanup(func() {
		hs.Close()
		_ = driver.Close()
	})
	c, err := actuator.New(actuator.Config{URL: hs.URL, Retries: 1, RetryWait: time.Millisecond, RetryMaxWait: 5 * time.Millisecond})
	if err != nil {
		t.Fatalf("actuator.New: %v", err)
	}
	return c
}

func TestConformance(t *testing.T) {
	conformance.Run(t, throughServer)
}

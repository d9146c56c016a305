package elastic_test

import (
	"testing"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/conformance"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/backupapi/elastic"
)

// newClient is the conformance Factory of the Elasticsearch driver.
func newClient(t *testing.T, cfg elastic.Config) backupapi.Client {
	t.Helper()
	c, err := elastic.New(cfg)
	if err != nil {
		t.Fatalf("elastic.New: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestConformance(t *testing.T) {
	conformance.Run(t, newClient)
}

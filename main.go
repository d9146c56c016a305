// Command terraform-provider-camunda is the Terraform provider that takes and tracks the backups
// of Camunda 8 Self-Managed web applications (Operate and Tasklist data in Elasticsearch).
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/provider"
)

// version is set at release time through -ldflags "-X main.version=...".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "set to true to run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/camunda-community-hub/camunda",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}

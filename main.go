// Command terraform-provider-camunda is the Terraform provider that takes and tracks the backups
// of Camunda 8 Self-Managed web applications (Operate and Tasklist data in Elasticsearch).
package main

import (
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/provider"
)

// version is set at release time through -ldflags "-X main.version=...".
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "set to true to run the provider with support for debuggers like delve")
	flag.Parse()

	if !debug {
		quietUnreadSDKLogs()
	}
	server, err := provider.NewProtocol6Server(version)()
	if err != nil {
		log.Fatal(err)
	}
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	err = tf6server.Serve("registry.terraform.io/camunda-community-hub/camunda", func() tfprotov6.ProviderServer { return server }, opts...)
	if err != nil {
		log.Fatal(err)
	}
}

// quietUnreadSDKLogs turns the plugin SDK's own logs off when Terraform shows no provider logs
// (neither TF_LOG nor TF_LOG_PROVIDER is set). Otherwise the SDK writes a JSON trace line for
// every step of every request, which Terraform parses and then drops: most of the CPU time of
// refreshing many backups. An SDK level set explicitly is kept.
func quietUnreadSDKLogs() {
	if os.Getenv("TF_LOG") != "" || os.Getenv("TF_LOG_PROVIDER") != "" {
		return
	}
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
		if os.Getenv(name) == "" {
			os.Setenv(name, "off")
		}
	}
}

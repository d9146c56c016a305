// Command profprovider is the camunda provider with a CPU and an allocation profile written
// to the directory PROVIDER_PROFILE_DIR when it stops: the bench's tool for finding where a
// plan's time goes.
package main

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/provider"
)

func main() {
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
		if os.Getenv(name) == "" {
			os.Setenv(name, "off")
		}
	}
	dir := os.Getenv("PROVIDER_PROFILE_DIR")
	var cpu *os.File
	if dir != "" {
		if os.Getenv("PROVIDER_PROFILE_ALLOCS") != "" {
			runtime.MemProfileRate = 4096
		}
		var err error
		cpu, err = os.Create(filepath.Join(dir, fmt.Sprintf("cpu-%d.pprof", os.Getpid())))
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(cpu); err != nil {
			log.Fatal(err)
		}
	}
	server, err := provider.NewProtocol6Server("dev")()
	if err == nil {
		err = tf6server.Serve("registry.terraform.io/camunda-community-hub/camunda", func() tfprotov6.ProviderServer { return server })
	}
	if dir != "" {
		pprof.StopCPUProfile()
		_ = cpu.Close()
		if f, ferr := os.Create(filepath.Join(dir, fmt.Sprintf("allocs-%d.pprof", os.Getpid()))); ferr == nil {
			_ = pprof.Lookup("allocs").WriteTo(f, 0)
			_ = f.Close()
		}
	}
	if err != nil {
		log.Fatal(err)
	}
}

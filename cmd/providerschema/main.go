// Command providerschema writes the provider's schema as `terraform providers schema -json`
// would, from the provider built into it rather than from a terraform binary, so that the
// documentation generated from it (tfplugindocs --providers-schema) is the same whatever
// terraform is installed: actions, list resources and resource identities included.
//
//	go run ./cmd/providerschema -o schema.json
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/provider"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/schemajson"
)

// defaultAddress is the provider address tfplugindocs looks up for --provider-name camunda.
const defaultAddress = "registry.terraform.io/hashicorp/camunda"

func main() {
	out := flag.String("o", "-", "file to write the JSON to; - is standard output")
	addr := flag.String("address", defaultAddress, "provider address to write the schema under")
	flag.Parse()
	if err := run(context.Background(), *out, *addr); err != nil {
		fmt.Fprintln(os.Stderr, "providerschema:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out, addr string) error {
	server, err := provider.NewProtocol6Server("dev")()
	if err != nil {
		return fmt.Errorf("start the provider server: %w", err)
	}
	schemas, err := schemajson.FromServer(ctx, server, addr)
	if err != nil {
		return err
	}
	b, err := schemajson.Marshal(schemas)
	if err != nil {
		return err
	}
	if out == "-" {
		_, err = os.Stdout.Write(b)
		return err
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	return nil
}

package reliability

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/provider"
)

// providerFactories serve the provider in-process to terraform.
var providerFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"camunda": provider.NewProtocol6Server("test"),
}

// backupAddr is the address of the backup resource of backupHCL.
const backupAddr = "camunda_webapp_backup.test"

// backupHCL is a provider on the actuator at url, with the attributes in providerExtra, and
// one camunda_webapp_backup "test" whose body is resourceBody.
func backupHCL(url, providerExtra, resourceBody string) string {
	return fmt.Sprintf("provider \"camunda\" {\n%s  actuator {\n    url = %q\n  }\n}\n\nresource \"camunda_webapp_backup\" \"test\" {\n%s}\n",
		providerExtra, url, resourceBody)
}

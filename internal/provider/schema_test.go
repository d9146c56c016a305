package provider

import (
	"context"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// TestSchemasDescribeEveryAttribute walks the provider's schemas as Terraform receives them:
// every attribute and block has a description for the generated docs, and every secret is
// sensitive, so that Terraform never shows or logs it.
func TestSchemasDescribeEveryAttribute(t *testing.T) {
	server, err := NewProtocol6Server("test")()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(resp.Diagnostics) > 0 {
		t.Fatalf("GetProviderSchema: %v %v", err, resp.Diagnostics)
	}
	schemas := map[string]*tfprotov6.Schema{"provider": resp.Provider}
	for name, s := range resp.ResourceSchemas {
		schemas["resource "+name] = s
	}
	for name, s := range resp.DataSourceSchemas {
		schemas["data source "+name] = s
	}
	for name, s := range resp.ActionSchemas {
		schemas["action "+name] = s.Schema
	}
	for name, s := range resp.ListResourceSchemas {
		schemas["list resource "+name] = s
	}
	for _, want := range []string{"provider", "resource camunda_webapp_backup", "data source camunda_webapp_backups",
		"data source camunda_webapp_backup", "action camunda_webapp_backup", "action camunda_webapp_restore",
		"list resource camunda_webapp_backup"} {
		if schemas[want] == nil {
			t.Errorf("no schema of the %s", want)
		}
	}
	secrets := []string{"password", "api_key", "token"}
	var sensitive []string
	for name, s := range schemas {
		if s.Block.Description == "" {
			t.Errorf("%s has no description", name)
		}
		walkBlock("", s.Block, func(path string, a *tfprotov6.SchemaAttribute) {
			if a.Description == "" {
				t.Errorf("%s: attribute %s has no description", name, path)
			}
			if slices.Contains(secrets, a.Name) {
				if !a.Sensitive {
					t.Errorf("%s: secret %s is not sensitive", name, path)
				}
				sensitive = append(sensitive, path)
			}
		}, func(path string, b *tfprotov6.SchemaNestedBlock) {
			if b.Block.Description == "" {
				t.Errorf("%s: block %s has no description", name, path)
			}
		})
	}
	slices.Sort(sensitive)
	want := []string{"actuator.password", "actuator.token", "elasticsearch.api_key", "elasticsearch.password"}
	if !slices.Equal(sensitive, want) {
		t.Errorf("secrets found %v, want %v: a secret attribute was renamed or added without this test", sensitive, want)
	}
}

// walkBlock calls attr for every attribute of the block, nested ones included, and block for
// every nested block, with their dotted paths.
func walkBlock(prefix string, b *tfprotov6.SchemaBlock, attr func(string, *tfprotov6.SchemaAttribute), block func(string, *tfprotov6.SchemaNestedBlock)) {
	join := func(name string) string {
		if prefix == "" {
			return name
		}
		return prefix + "." + name
	}
	for _, a := range b.Attributes {
		attr(join(a.Name), a)
		if a.NestedType != nil {
			walkObject(join(a.Name), a.NestedType, attr)
		}
	}
	for _, nb := range b.BlockTypes {
		block(join(nb.TypeName), nb)
		walkBlock(join(nb.TypeName), nb.Block, attr, block)
	}
}

func walkObject(prefix string, o *tfprotov6.SchemaObject, attr func(string, *tfprotov6.SchemaAttribute)) {
	for _, a := range o.Attributes {
		attr(prefix+"."+a.Name, a)
		if a.NestedType != nil {
			walkObject(prefix+"."+a.Name, a.NestedType, attr)
		}
	}
}

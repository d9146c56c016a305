package schemajson_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/camunda-community-hub/terraform-provider-camunda/internal/provider"
	"github.com/camunda-community-hub/terraform-provider-camunda/internal/schemajson"
)

// TestConvertAttributes checks each kind of attribute against the JSON terraform writes for it.
func TestConvertAttributes(t *testing.T) {
	obj := tftypes.Object{AttributeTypes: map[string]tftypes.Type{"a": tftypes.String, "b": tftypes.Number}}
	tests := []struct {
		name string
		attr *tfprotov6.SchemaAttribute
		want string
	}{
		{"string", &tfprotov6.SchemaAttribute{Type: tftypes.String, Required: true},
			`{"type":"string","description_kind":"plain","required":true}`},
		{"number", &tfprotov6.SchemaAttribute{Type: tftypes.Number, Optional: true},
			`{"type":"number","description_kind":"plain","optional":true}`},
		{"bool computed", &tfprotov6.SchemaAttribute{Type: tftypes.Bool, Optional: true, Computed: true},
			`{"type":"bool","description_kind":"plain","optional":true,"computed":true}`},
		{"dynamic", &tfprotov6.SchemaAttribute{Type: tftypes.DynamicPseudoType, Optional: true},
			`{"type":"dynamic","description_kind":"plain","optional":true}`},
		{"list of strings", &tfprotov6.SchemaAttribute{Type: tftypes.List{ElementType: tftypes.String}, Computed: true},
			`{"type":["list","string"],"description_kind":"plain","computed":true}`},
		{"set of numbers", &tfprotov6.SchemaAttribute{Type: tftypes.Set{ElementType: tftypes.Number}, Optional: true},
			`{"type":["set","number"],"description_kind":"plain","optional":true}`},
		{"map of bools", &tfprotov6.SchemaAttribute{Type: tftypes.Map{ElementType: tftypes.Bool}, Optional: true},
			`{"type":["map","bool"],"description_kind":"plain","optional":true}`},
		{"object", &tfprotov6.SchemaAttribute{Type: obj, Computed: true},
			`{"type":["object",{"a":"string","b":"number"}],"description_kind":"plain","computed":true}`},
		{"tuple", &tfprotov6.SchemaAttribute{Type: tftypes.Tuple{ElementTypes: []tftypes.Type{tftypes.String, tftypes.Bool}}, Computed: true},
			`{"type":["tuple",["string","bool"]],"description_kind":"plain","computed":true}`},
		{"list of objects", &tfprotov6.SchemaAttribute{Type: tftypes.List{ElementType: obj}, Computed: true},
			`{"type":["list",["object",{"a":"string","b":"number"}]],"description_kind":"plain","computed":true}`},
		{"object with an optional attribute", &tfprotov6.SchemaAttribute{Type: tftypes.Object{
			AttributeTypes:     map[string]tftypes.Type{"a": tftypes.String, "b": tftypes.Number},
			OptionalAttributes: map[string]struct{}{"b": {}},
		}, Optional: true},
			`{"type":["object",{"a":"string","b":"number"},["b"]],"description_kind":"plain","optional":true}`},
		{"map of lists of sets", &tfprotov6.SchemaAttribute{Type: tftypes.Map{ElementType: tftypes.List{ElementType: tftypes.Set{ElementType: tftypes.String}}}, Computed: true},
			`{"type":["map",["list",["set","string"]]],"description_kind":"plain","computed":true}`},
		{"sensitive", &tfprotov6.SchemaAttribute{Type: tftypes.String, Optional: true, Sensitive: true},
			`{"type":"string","description_kind":"plain","optional":true,"sensitive":true}`},
		{"write-only", &tfprotov6.SchemaAttribute{Type: tftypes.String, Optional: true, WriteOnly: true},
			`{"type":"string","description_kind":"plain","optional":true,"write_only":true}`},
		{"deprecated", &tfprotov6.SchemaAttribute{Type: tftypes.String, Optional: true, Deprecated: true},
			`{"type":"string","description_kind":"plain","deprecated":true,"optional":true}`},
		{"plain description", &tfprotov6.SchemaAttribute{Type: tftypes.String, Optional: true, Description: "A value."},
			`{"type":"string","description":"A value.","description_kind":"plain","optional":true}`},
		{"markdown description", &tfprotov6.SchemaAttribute{Type: tftypes.String, Optional: true,
			Description: "A `value`.", DescriptionKind: tfprotov6.StringKindMarkdown},
			`{"type":"string","description":"A ` + "`value`" + `.","description_kind":"markdown","optional":true}`},
		{"single nested attribute", &tfprotov6.SchemaAttribute{Optional: true, NestedType: &tfprotov6.SchemaObject{
			Nesting:    tfprotov6.SchemaObjectNestingModeSingle,
			Attributes: []*tfprotov6.SchemaAttribute{{Name: "x", Type: tftypes.String, Required: true}},
		}}, `{"nested_type":{"attributes":{"x":{"type":"string","description_kind":"plain","required":true}},"nesting_mode":"single"},"description_kind":"plain","optional":true}`},
		{"list nested attribute", &tfprotov6.SchemaAttribute{Computed: true, NestedType: &tfprotov6.SchemaObject{
			Nesting: tfprotov6.SchemaObjectNestingModeList,
			Attributes: []*tfprotov6.SchemaAttribute{
				{Name: "id", Type: tftypes.Number, Computed: true},
				{Name: "secret", Type: tftypes.String, Computed: true, Sensitive: true},
			},
		}}, `{"nested_type":{"attributes":{"id":{"type":"number","description_kind":"plain","computed":true},"secret":{"type":"string","description_kind":"plain","computed":true,"sensitive":true}},"nesting_mode":"list"},"description_kind":"plain","computed":true}`},
		{"set nested attribute", &tfprotov6.SchemaAttribute{Optional: true, NestedType: &tfprotov6.SchemaObject{
			Nesting:    tfprotov6.SchemaObjectNestingModeSet,
			Attributes: []*tfprotov6.SchemaAttribute{{Name: "x", Type: tftypes.Bool, Optional: true}},
		}}, `{"nested_type":{"attributes":{"x":{"type":"bool","description_kind":"plain","optional":true}},"nesting_mode":"set"},"description_kind":"plain","optional":true}`},
		{"map nested attribute", &tfprotov6.SchemaAttribute{Optional: true, NestedType: &tfprotov6.SchemaObject{
			Nesting:    tfprotov6.SchemaObjectNestingModeMap,
			Attributes: []*tfprotov6.SchemaAttribute{{Name: "x", Type: tftypes.Number, Optional: true}},
		}}, `{"nested_type":{"attributes":{"x":{"type":"number","description_kind":"plain","optional":true}},"nesting_mode":"map"},"description_kind":"plain","optional":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.attr.Name = "attr"
			got := convertOne(t, &tfprotov6.SchemaBlock{Attributes: []*tfprotov6.SchemaAttribute{tt.attr}})
			assertJSON(t, got.Attributes["attr"], tt.want)
		})
	}
}

// TestConvertBlocks checks nested blocks of every nesting mode, their limits and descriptions.
func TestConvertBlocks(t *testing.T) {
	inner := &tfprotov6.SchemaBlock{
		Description: "Inner *block*.", DescriptionKind: tfprotov6.StringKindMarkdown,
		Attributes: []*tfprotov6.SchemaAttribute{{Name: "v", Type: tftypes.String, Optional: true}},
	}
	const innerJSON = `{"attributes":{"v":{"type":"string","description_kind":"plain","optional":true}},"description":"Inner *block*.","description_kind":"markdown"}`
	tests := []struct {
		name  string
		block *tfprotov6.SchemaNestedBlock
		want  string
	}{
		{"single", &tfprotov6.SchemaNestedBlock{Nesting: tfprotov6.SchemaNestedBlockNestingModeSingle, Block: inner},
			`{"nesting_mode":"single","block":` + innerJSON + `}`},
		{"group", &tfprotov6.SchemaNestedBlock{Nesting: tfprotov6.SchemaNestedBlockNestingModeGroup, Block: inner},
			`{"nesting_mode":"group","block":` + innerJSON + `}`},
		{"list with limits", &tfprotov6.SchemaNestedBlock{Nesting: tfprotov6.SchemaNestedBlockNestingModeList, Block: inner, MinItems: 1, MaxItems: 3},
			`{"nesting_mode":"list","block":` + innerJSON + `,"min_items":1,"max_items":3}`},
		{"set", &tfprotov6.SchemaNestedBlock{Nesting: tfprotov6.SchemaNestedBlockNestingModeSet, Block: inner},
			`{"nesting_mode":"set","block":` + innerJSON + `}`},
		{"map", &tfprotov6.SchemaNestedBlock{Nesting: tfprotov6.SchemaNestedBlockNestingModeMap, Block: inner},
			`{"nesting_mode":"map","block":` + innerJSON + `}`},
		{"empty block", &tfprotov6.SchemaNestedBlock{Nesting: tfprotov6.SchemaNestedBlockNestingModeSingle},
			`{"nesting_mode":"single","block":{"description_kind":"plain"}}`},
		{"block in a block", &tfprotov6.SchemaNestedBlock{Nesting: tfprotov6.SchemaNestedBlockNestingModeList, Block: &tfprotov6.SchemaBlock{
			BlockTypes: []*tfprotov6.SchemaNestedBlock{{TypeName: "deep", Nesting: tfprotov6.SchemaNestedBlockNestingModeSingle, Block: inner}},
		}}, `{"nesting_mode":"list","block":{"block_types":{"deep":{"nesting_mode":"single","block":` + innerJSON + `}},"description_kind":"plain"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.block.TypeName = "nested"
			got := convertOne(t, &tfprotov6.SchemaBlock{BlockTypes: []*tfprotov6.SchemaNestedBlock{tt.block}})
			assertJSON(t, got.NestedBlocks["nested"], tt.want)
		})
	}
}

// TestConvertKinds checks that every kind of schema lands under its own key, with versions
// and identities.
func TestConvertKinds(t *testing.T) {
	block := &tfprotov6.SchemaBlock{
		Description: "Thing.",
		Attributes:  []*tfprotov6.SchemaAttribute{{Name: "id", Type: tftypes.String, Computed: true}},
	}
	const blockJSON = `{"attributes":{"id":{"type":"string","description_kind":"plain","computed":true}},"description":"Thing.","description_kind":"plain"}`
	resp := &tfprotov6.GetProviderSchemaResponse{
		Provider:                 &tfprotov6.Schema{Block: block},
		ResourceSchemas:          map[string]*tfprotov6.Schema{"p_r": {Version: 2, Block: block}},
		DataSourceSchemas:        map[string]*tfprotov6.Schema{"p_d": {Block: block}},
		EphemeralResourceSchemas: map[string]*tfprotov6.Schema{"p_e": {Block: block}},
		ListResourceSchemas:      map[string]*tfprotov6.Schema{"p_r": {Block: block}},
		ActionSchemas:            map[string]*tfprotov6.ActionSchema{"p_a": {Schema: &tfprotov6.Schema{Block: block}}},
		Functions: map[string]*tfprotov6.Function{"f": {
			Summary:    "Adds.",
			Parameters: []*tfprotov6.FunctionParameter{{Name: "x", Type: tftypes.Number, AllowNullValue: true}},
			Return:     &tfprotov6.FunctionReturn{Type: tftypes.Number},
		}},
	}
	identity := &tfprotov6.GetResourceIdentitySchemasResponse{IdentitySchemas: map[string]*tfprotov6.ResourceIdentitySchema{
		"p_r": {Version: 1, IdentityAttributes: []*tfprotov6.ResourceIdentitySchemaAttribute{
			{Name: "id", Type: tftypes.Number, RequiredForImport: true, Description: "The id."},
			{Name: "region", Type: tftypes.String, OptionalForImport: true},
		}},
	}}
	got, err := schemajson.Convert(resp, identity)
	if err != nil {
		t.Fatal(err)
	}
	assertJSON(t, got, `{
		"provider": {"version": 0, "block": `+blockJSON+`},
		"resource_schemas": {"p_r": {"version": 2, "block": `+blockJSON+`}},
		"data_source_schemas": {"p_d": {"version": 0, "block": `+blockJSON+`}},
		"ephemeral_resource_schemas": {"p_e": {"version": 0, "block": `+blockJSON+`}},
		"list_resource_schemas": {"p_r": {"version": 0, "block": `+blockJSON+`}},
		"action_schemas": {"p_a": {"block": `+blockJSON+`}},
		"functions": {"f": {"summary": "Adds.", "return_type": "number", "parameters": [{"name": "x", "is_nullable": true, "type": "number"}]}},
		"resource_identity_schemas": {"p_r": {"version": 1, "attributes": {
			"id": {"type": "number", "description": "The id.", "required_for_import": true},
			"region": {"type": "string", "optional_for_import": true}
		}}}
	}`)
}

// TestConvertErrors checks that what has no JSON form is refused, naming where it is.
func TestConvertErrors(t *testing.T) {
	tests := []struct {
		name string
		resp *tfprotov6.GetProviderSchemaResponse
	}{
		{"attribute without a type", &tfprotov6.GetProviderSchemaResponse{ResourceSchemas: map[string]*tfprotov6.Schema{
			"p_r": {Block: &tfprotov6.SchemaBlock{Attributes: []*tfprotov6.SchemaAttribute{{Name: "x", Optional: true}}}},
		}}},
		{"invalid block nesting", &tfprotov6.GetProviderSchemaResponse{DataSourceSchemas: map[string]*tfprotov6.Schema{
			"p_d": {Block: &tfprotov6.SchemaBlock{BlockTypes: []*tfprotov6.SchemaNestedBlock{{TypeName: "b"}}}},
		}}},
		{"invalid attribute nesting", &tfprotov6.GetProviderSchemaResponse{ActionSchemas: map[string]*tfprotov6.ActionSchema{
			"p_a": {Schema: &tfprotov6.Schema{Block: &tfprotov6.SchemaBlock{Attributes: []*tfprotov6.SchemaAttribute{
				{Name: "n", Optional: true, NestedType: &tfprotov6.SchemaObject{}},
			}}}},
		}}},
		{"negative version", &tfprotov6.GetProviderSchemaResponse{ListResourceSchemas: map[string]*tfprotov6.Schema{"p_l": {Version: -1}}}},
		{"attribute of an unknown type", &tfprotov6.GetProviderSchemaResponse{ResourceSchemas: map[string]*tfprotov6.Schema{
			"p_r": {Block: &tfprotov6.SchemaBlock{Attributes: []*tfprotov6.SchemaAttribute{
				{Name: "x", Optional: true, Type: tftypes.List{ElementType: unknownType{}}},
			}}},
		}}},
		{"function without return", &tfprotov6.GetProviderSchemaResponse{Functions: map[string]*tfprotov6.Function{"f": {}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := schemajson.Convert(tt.resp, nil)
			if !errors.Is(err, schemajson.ErrUnsupported) {
				t.Fatalf("Convert = %v, want an ErrUnsupported", err)
			}
		})
	}
}

// TestFromServerProvider converts the project's provider and checks that what older terraform
// versions leave out is there: the action, the list resource and the resource identity.
func TestFromServerProvider(t *testing.T) {
	server, err := provider.NewProtocol6Server("test")()
	if err != nil {
		t.Fatal(err)
	}
	const addr = "registry.terraform.io/hashicorp/camunda"
	schemas, err := schemajson.FromServer(context.Background(), server, addr)
	if err != nil {
		t.Fatal(err)
	}
	b, err := schemajson.Marshal(schemas)
	if err != nil {
		t.Fatal(err)
	}
	// The document must read back as terraform's own (tfjson checks the format version).
	var back tfjson.ProviderSchemas
	if err := back.UnmarshalJSON(b); err != nil {
		t.Fatalf("read back: %v", err)
	}
	ps := back.Schemas[addr]
	if ps == nil {
		t.Fatalf("no schema under %s: %s", addr, b)
	}
	const name = "camunda_webapp_backup"
	for kind, ok := range map[string]bool{
		"provider":          ps.ConfigSchema != nil && ps.ConfigSchema.Block.NestedBlocks["actuator"] != nil,
		"resource":          ps.ResourceSchemas[name] != nil && ps.ResourceSchemas[name].Version == 1,
		"data source":       ps.DataSourceSchemas["camunda_webapp_backups"] != nil,
		"action":            ps.ActionSchemas[name] != nil && ps.ActionSchemas[name].Block.Attributes["keep_last"] != nil,
		"list resource":     ps.ListResourceSchemas[name] != nil && ps.ListResourceSchemas[name].Block.Attributes["pattern"] != nil,
		"resource identity": ps.ResourceIdentitySchemas[name] != nil && ps.ResourceIdentitySchemas[name].Attributes["backup_id"].RequiredForImport,
	} {
		if !ok {
			t.Errorf("the %s schema is missing or incomplete", kind)
		}
	}
	if a := ps.ConfigSchema.Block.NestedBlocks["actuator"].Block.Attributes["token"]; a == nil || !a.Sensitive {
		t.Errorf("actuator.token should be sensitive: %+v", a)
	}
	again, err := schemajson.FromServer(context.Background(), server, addr)
	if err != nil {
		t.Fatal(err)
	}
	b2, err := schemajson.Marshal(again)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != string(b2) {
		t.Error("two runs gave different JSON")
	}
}

// TestFromServerDiagnostics checks that a provider's error diagnostics fail the conversion.
func TestFromServerDiagnostics(t *testing.T) {
	_, err := schemajson.FromServer(context.Background(), failingServer{}, "x/y/z")
	if !errors.Is(err, schemajson.ErrProvider) {
		t.Fatalf("FromServer = %v, want an ErrProvider", err)
	}
}

// unknownType is a type the protocol does not know.
type unknownType struct{ tftypes.Type }

func (unknownType) Equal(tftypes.Type) bool { return false }
func (unknownType) String() string          { return "unknown" }

// failingServer answers GetProviderSchema with an error diagnostic.
type failingServer struct{ tfprotov6.ProviderServer }

func (failingServer) GetProviderSchema(context.Context, *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	return &tfprotov6.GetProviderSchemaResponse{Diagnostics: []*tfprotov6.Diagnostic{{
		Severity: tfprotov6.DiagnosticSeverityError, Summary: "Broken", Detail: "the schema is broken",
	}}}, nil
}

func convertOne(t *testing.T, block *tfprotov6.SchemaBlock) *tfjson.SchemaBlock {
	t.Helper()
	got, err := schemajson.Convert(&tfprotov6.GetProviderSchemaResponse{
		ResourceSchemas: map[string]*tfprotov6.Schema{"p_r": {Block: block}},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return got.ResourceSchemas["p_r"].Block
}

// assertJSON compares the JSON of got with want, as values (key order and spacing aside).
func assertJSON(t *testing.T, got any, want string) {
	t.Helper()
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation %s: %v", want, err)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("JSON differs (-want +got):\n%s\ngot: %s", diff, b)
	}
}

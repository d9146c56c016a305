// Package schemajson writes a provider's schema as `terraform providers schema -json` does,
// straight from the provider's protocol server, without a terraform binary. The result does
// not depend on the terraform version at hand: it carries the action, list resource and
// resource identity schemas that only recent terraform versions print, so documentation
// generated from it is the same on every machine.
package schemajson

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/zclconf/go-cty/cty"
)

// FormatVersion is the format_version of the JSON written, the one terraform writes.
const FormatVersion = "1.0"

// ErrProvider is the class of errors the provider reports itself (error diagnostics in its
// answers), as opposed to schemas this package cannot convert.
var ErrProvider = errors.New("the provider reported an error")

// ErrUnsupported is the class of errors about schema elements that have no JSON form here:
// an unknown nesting mode or a type that cannot be written as a cty type.
var ErrUnsupported = errors.New("unsupported schema element")

// FromServer asks server for its schemas (GetProviderSchema, and GetResourceIdentitySchemas)
// and returns them as terraform's providers-schema document, under the provider address
// addr (e.g. "registry.terraform.io/hashicorp/camunda").
func FromServer(ctx context.Context, server tfprotov6.ProviderServer, addr string) (*tfjson.ProviderSchemas, error) {
	schemaResp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return nil, fmt.Errorf("GetProviderSchema: %w", err)
	}
	if err := diagnosticsError("GetProviderSchema", schemaResp.Diagnostics); err != nil {
		return nil, err
	}
	identityResp, err := server.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		return nil, fmt.Errorf("GetResourceIdentitySchemas: %w", err)
	}
	if err := diagnosticsError("GetResourceIdentitySchemas", identityResp.Diagnostics); err != nil {
		return nil, err
	}
	ps, err := Convert(schemaResp, identityResp)
	if err != nil {
		return nil, err
	}
	return &tfjson.ProviderSchemas{
		FormatVersion: FormatVersion,
		Schemas:       map[string]*tfjson.ProviderSchema{addr: ps},
	}, nil
}

// Marshal is the indented JSON of schemas, ending in a newline. Map keys are sorted, so the
// same schemas always give the same bytes.
func Marshal(schemas *tfjson.ProviderSchemas) ([]byte, error) {
	b, err := json.MarshalIndent(schemas, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("marshal the provider schemas: %w", err)
	}
	return append(b, '\n'), nil
}

// diagnosticsError joins the error diagnostics of an answer; nil when there are none.
func diagnosticsError(call string, diags []*tfprotov6.Diagnostic) error {
	var msgs []string
	for _, d := range diags {
		if d != nil && d.Severity == tfprotov6.DiagnosticSeverityError {
			msgs = append(msgs, strings.TrimSpace(d.Summary+": "+d.Detail))
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return fmt.Errorf("%s: %w: %s", call, ErrProvider, strings.Join(msgs, "; "))
}

// Convert turns the protocol's schemas into terraform's JSON form: the provider
// configuration, resources, data sources, ephemeral resources, list resources, actions,
// state stores, functions, and the resources' identities. identity may be nil.
func Convert(resp *tfprotov6.GetProviderSchemaResponse, identity *tfprotov6.GetResourceIdentitySchemasResponse) (*tfjson.ProviderSchema, error) {
	ps := &tfjson.ProviderSchema{}
	var err error
	if resp.Provider != nil {
		if ps.ConfigSchema, err = convertSchema(resp.Provider); err != nil {
			return nil, fmt.Errorf("provider: %w", err)
		}
	}
	if ps.ResourceSchemas, err = convertSchemas("resource", resp.ResourceSchemas); err != nil {
		return nil, err
	}
	if ps.DataSourceSchemas, err = convertSchemas("data source", resp.DataSourceSchemas); err != nil {
		return nil, err
	}
	if ps.EphemeralResourceSchemas, err = convertSchemas("ephemeral resource", resp.EphemeralResourceSchemas); err != nil {
		return nil, err
	}
	if ps.ListResourceSchemas, err = convertSchemas("list resource", resp.ListResourceSchemas); err != nil {
		return nil, err
	}
	if ps.StateStoreSchemas, err = convertSchemas("state store", resp.StateStoreSchemas); err != nil {
		return nil, err
	}
	for name, a := range resp.ActionSchemas {
		if a == nil || a.Schema == nil {
			continue
		}
		block, err := convertBlock(a.Schema.Block)
		if err != nil {
			return nil, fmt.Errorf("action %s: %w", name, err)
		}
		if ps.ActionSchemas == nil {
			ps.ActionSchemas = map[string]*tfjson.ActionSchema{}
		}
		ps.ActionSchemas[name] = &tfjson.ActionSchema{Block: block}
	}
	for name, f := range resp.Functions {
		sig, err := convertFunction(f)
		if err != nil {
			return nil, fmt.Errorf("function %s: %w", name, err)
		}
		if ps.Functions == nil {
			ps.Functions = map[string]*tfjson.FunctionSignature{}
		}
		ps.Functions[name] = sig
	}
	if identity != nil {
		for name, s := range identity.IdentitySchemas {
			is, err := convertIdentity(s)
			if err != nil {
				return nil, fmt.Errorf("identity of resource %s: %w", name, err)
			}
			if ps.ResourceIdentitySchemas == nil {
				ps.ResourceIdentitySchemas = map[string]*tfjson.IdentitySchema{}
			}
			ps.ResourceIdentitySchemas[name] = is
		}
	}
	return ps, nil
}

// convertSchemas converts one kind of schemas; nil when there are none, as terraform omits
// empty kinds.
func convertSchemas(kind string, in map[string]*tfprotov6.Schema) (map[string]*tfjson.Schema, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make(map[string]*tfjson.Schema, len(in))
	for name, s := range in {
		c, err := convertSchema(s)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", kind, name, err)
		}
		out[name] = c
	}
	return out, nil
}

func convertSchema(s *tfprotov6.Schema) (*tfjson.Schema, error) {
	if s == nil {
		return &tfjson.Schema{Block: &tfjson.SchemaBlock{DescriptionKind: tfjson.SchemaDescriptionKindPlain}}, nil
	}
	if s.Version < 0 {
		return nil, fmt.Errorf("%w: negative schema version %d", ErrUnsupported, s.Version)
	}
	block, err := convertBlock(s.Block)
	if err != nil {
		return nil, err
	}
	return &tfjson.Schema{Version: uint64(s.Version), Block: block}, nil
}

func convertBlock(b *tfprotov6.SchemaBlock) (*tfjson.SchemaBlock, error) {
	out := &tfjson.SchemaBlock{DescriptionKind: tfjson.SchemaDescriptionKindPlain}
	if b == nil {
		return out, nil
	}
	out.Description = b.Description
	out.DescriptionKind = descriptionKind(b.DescriptionKind)
	out.Deprecated = b.Deprecated
	var err error
	if out.Attributes, err = convertAttributes(b.Attributes); err != nil {
		return nil, err
	}
	for _, nb := range b.BlockTypes {
		if nb == nil {
			continue
		}
		mode, err := blockNesting(nb.Nesting)
		if err != nil {
			return nil, fmt.Errorf("block %s: %w", nb.TypeName, err)
		}
		inner, err := convertBlock(nb.Block)
		if err != nil {
			return nil, fmt.Errorf("block %s: %w", nb.TypeName, err)
		}
		if nb.MinItems < 0 || nb.MaxItems < 0 {
			return nil, fmt.Errorf("block %s: %w: negative item limits", nb.TypeName, ErrUnsupported)
		}
		if out.NestedBlocks == nil {
			out.NestedBlocks = map[string]*tfjson.SchemaBlockType{}
		}
		out.NestedBlocks[nb.TypeName] = &tfjson.SchemaBlockType{
			NestingMode: mode,
			Block:       inner,
			MinItems:    uint64(nb.MinItems),
			MaxItems:    uint64(nb.MaxItems),
		}
	}
	return out, nil
}

func convertAttributes(attrs []*tfprotov6.SchemaAttribute) (map[string]*tfjson.SchemaAttribute, error) {
	var out map[string]*tfjson.SchemaAttribute
	for _, a := range attrs {
		if a == nil {
			continue
		}
		c := &tfjson.SchemaAttribute{
			Description:     a.Description,
			DescriptionKind: descriptionKind(a.DescriptionKind),
			Deprecated:      a.Deprecated,
			Required:        a.Required,
			Optional:        a.Optional,
			Computed:        a.Computed,
			Sensitive:       a.Sensitive,
			WriteOnly:       a.WriteOnly,
		}
		switch {
		case a.NestedType != nil:
			mode, err := objectNesting(a.NestedType.Nesting)
			if err != nil {
				return nil, fmt.Errorf("attribute %s: %w", a.Name, err)
			}
			inner, err := convertAttributes(a.NestedType.Attributes)
			if err != nil {
				return nil, fmt.Errorf("attribute %s: %w", a.Name, err)
			}
			c.AttributeNestedType = &tfjson.SchemaNestedAttributeType{Attributes: inner, NestingMode: mode}
		case a.Type != nil:
			t, err := ctyType(a.Type)
			if err != nil {
				return nil, fmt.Errorf("attribute %s: %w", a.Name, err)
			}
			c.AttributeType = t
		default:
			return nil, fmt.Errorf("attribute %s: %w: neither a type nor a nested type", a.Name, ErrUnsupported)
		}
		if out == nil {
			out = map[string]*tfjson.SchemaAttribute{}
		}
		out[a.Name] = c
	}
	return out, nil
}

func convertIdentity(s *tfprotov6.ResourceIdentitySchema) (*tfjson.IdentitySchema, error) {
	if s == nil {
		return &tfjson.IdentitySchema{}, nil
	}
	if s.Version < 0 {
		return nil, fmt.Errorf("%w: negative identity version %d", ErrUnsupported, s.Version)
	}
	out := &tfjson.IdentitySchema{Version: uint64(s.Version)}
	for _, a := range s.IdentityAttributes {
		if a == nil {
			continue
		}
		t, err := ctyType(a.Type)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", a.Name, err)
		}
		if out.Attributes == nil {
			out.Attributes = map[string]*tfjson.IdentityAttribute{}
		}
		out.Attributes[a.Name] = &tfjson.IdentityAttribute{
			IdentityType:      t,
			Description:       a.Description,
			RequiredForImport: a.RequiredForImport,
			OptionalForImport: a.OptionalForImport,
		}
	}
	return out, nil
}

func convertFunction(f *tfprotov6.Function) (*tfjson.FunctionSignature, error) {
	if f == nil || f.Return == nil {
		return nil, fmt.Errorf("%w: a function without a return type", ErrUnsupported)
	}
	ret, err := ctyType(f.Return.Type)
	if err != nil {
		return nil, fmt.Errorf("return type: %w", err)
	}
	sig := &tfjson.FunctionSignature{
		Description:        f.Description,
		Summary:            f.Summary,
		DeprecationMessage: f.DeprecationMessage,
		ReturnType:         ret,
	}
	for _, p := range f.Parameters {
		cp, err := convertParameter(p)
		if err != nil {
			return nil, err
		}
		sig.Parameters = append(sig.Parameters, cp)
	}
	if f.VariadicParameter != nil {
		if sig.VariadicParameter, err = convertParameter(f.VariadicParameter); err != nil {
			return nil, err
		}
	}
	return sig, nil
}

func convertParameter(p *tfprotov6.FunctionParameter) (*tfjson.FunctionParameter, error) {
	if p == nil {
		return nil, fmt.Errorf("%w: a nil function parameter", ErrUnsupported)
	}
	t, err := ctyType(p.Type)
	if err != nil {
		return nil, fmt.Errorf("parameter %s: %w", p.Name, err)
	}
	return &tfjson.FunctionParameter{Name: p.Name, Description: p.Description, IsNullable: p.AllowNullValue, Type: t}, nil
}

// ctyType turns a protocol type into the cty type terraform describes it with.
func ctyType(t tftypes.Type) (cty.Type, error) {
	switch t := t.(type) {
	case nil:
		return cty.NilType, fmt.Errorf("%w: no type", ErrUnsupported)
	case tftypes.List:
		e, err := ctyType(t.ElementType)
		return cty.List(e), err
	case tftypes.Set:
		e, err := ctyType(t.ElementType)
		return cty.Set(e), err
	case tftypes.Map:
		e, err := ctyType(t.ElementType)
		return cty.Map(e), err
	case tftypes.Tuple:
		elems := make([]cty.Type, len(t.ElementTypes))
		for i, et := range t.ElementTypes {
			e, err := ctyType(et)
			if err != nil {
				return cty.NilType, err
			}
			elems[i] = e
		}
		return cty.Tuple(elems), nil
	case tftypes.Object:
		attrs := make(map[string]cty.Type, len(t.AttributeTypes))
		for name, at := range t.AttributeTypes {
			a, err := ctyType(at)
			if err != nil {
				return cty.NilType, fmt.Errorf("object attribute %s: %w", name, err)
			}
			attrs[name] = a
		}
		if len(t.OptionalAttributes) == 0 {
			return cty.Object(attrs), nil
		}
		optional := make([]string, 0, len(t.OptionalAttributes))
		for name := range t.OptionalAttributes {
			optional = append(optional, name)
		}
		return cty.ObjectWithOptionalAttrs(attrs, optional), nil
	}
	switch {
	case t.Equal(tftypes.String):
		return cty.String, nil
	case t.Equal(tftypes.Number):
		return cty.Number, nil
	case t.Equal(tftypes.Bool):
		return cty.Bool, nil
	case t.Equal(tftypes.DynamicPseudoType):
		return cty.DynamicPseudoType, nil
	}
	return cty.NilType, fmt.Errorf("%w: type %s", ErrUnsupported, t)
}

// descriptionKind is terraform's name of a description's kind; terraform writes "plain" for
// every kind but markdown.
func descriptionKind(k tfprotov6.StringKind) tfjson.SchemaDescriptionKind {
	if k == tfprotov6.StringKindMarkdown {
		return tfjson.SchemaDescriptionKindMarkdown
	}
	return tfjson.SchemaDescriptionKindPlain
}

func blockNesting(m tfprotov6.SchemaNestedBlockNestingMode) (tfjson.SchemaNestingMode, error) {
	switch m {
	case tfprotov6.SchemaNestedBlockNestingModeSingle:
		return tfjson.SchemaNestingModeSingle, nil
	case tfprotov6.SchemaNestedBlockNestingModeGroup:
		return tfjson.SchemaNestingModeGroup, nil
	case tfprotov6.SchemaNestedBlockNestingModeList:
		return tfjson.SchemaNestingModeList, nil
	case tfprotov6.SchemaNestedBlockNestingModeSet:
		return tfjson.SchemaNestingModeSet, nil
	case tfprotov6.SchemaNestedBlockNestingModeMap:
		return tfjson.SchemaNestingModeMap, nil
	}
	return "", fmt.Errorf("%w: block nesting mode %s", ErrUnsupported, m)
}

func objectNesting(m tfprotov6.SchemaObjectNestingMode) (tfjson.SchemaNestingMode, error) {
	switch m {
	case tfprotov6.SchemaObjectNestingModeSingle:
		return tfjson.SchemaNestingModeSingle, nil
	case tfprotov6.SchemaObjectNestingModeList:
		return tfjson.SchemaNestingModeList, nil
	case tfprotov6.SchemaObjectNestingModeSet:
		return tfjson.SchemaNestingModeSet, nil
	case tfprotov6.SchemaObjectNestingModeMap:
		return tfjson.SchemaNestingModeMap, nil
	}
	return "", fmt.Errorf("%w: nested attribute nesting mode %s", ErrUnsupported, m)
}

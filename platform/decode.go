package platform

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// content returns the content of body under schema. In native syntax every argument and block the schema does
// not know is reported with a hint for the context where (a block type, or "file"); other syntaxes (the JSON
// that Publish writes) get HCL's own messages, which already point at the item.
func content(body hcl.Body, schema *hcl.BodySchema, where string) (*hcl.BodyContent, hcl.Diagnostics) {
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		return body.Content(schema)
	}
	attrs, blocks := map[string]bool{}, map[string]bool{}
	for _, a := range schema.Attributes {
		attrs[a.Name] = true
	}
	for _, b := range schema.Blocks {
		blocks[b.Type] = true
	}
	var diags hcl.Diagnostics
	for _, name := range sortedKeys(sb.Attributes) {
		if !attrs[name] {
			summary, detail := unsupported(where, name, false, schema)
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail,
				Subject: sb.Attributes[name].NameRange.Ptr()})
		}
	}
	for _, b := range sb.Blocks {
		if !blocks[b.Type] {
			summary, detail := unsupported(where, b.Type, true, schema)
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail,
				Subject: b.TypeRange.Ptr()})
		}
	}
	c, _, more := body.PartialContent(schema)
	return c, append(diags, more...)
}

// singleBlock returns the first block of typ in c (nil when there is none) and reports every later one.
func singleBlock(c *hcl.BodyContent, typ string) (*hcl.Block, hcl.Diagnostics) {
	var first *hcl.Block
	var diags hcl.Diagnostics
	for _, b := range c.Blocks {
		switch {
		case b.Type != typ:
		case first == nil:
			first = b
		default:
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Duplicate %s block", typ),
				Detail:   fmt.Sprintf("Only one %s block is allowed; the first one is at %s. Merge the two.", typ, first.DefRange),
				Subject:  b.DefRange.Ptr(),
			})
		}
	}
	return first, diags
}

// value evaluates attr without variables or functions and converts it to ty. A null value comes back as a null
// value of ty: callers treat it as unset.
func value(attr *hcl.Attribute, ty cty.Type) (cty.Value, hcl.Diagnostics) {
	v, diags := attr.Expr.Value(nil)
	if diags.HasErrors() {
		return cty.NullVal(ty), diags
	}
	conv, err := convert.Convert(v, ty)
	if err != nil {
		return cty.NullVal(ty), hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Incorrect attribute value type",
			Detail:   fmt.Sprintf("The value of %q must be %s, not %s.", attr.Name, typeName(ty), typeName(v.Type())),
			Subject:  attr.Expr.Range().Ptr(),
		}}
	}
	return conv, nil
}

// str decodes a string attribute; nil means null.
func str(attr *hcl.Attribute) (*string, hcl.Diagnostics) {
	v, diags := value(attr, cty.String)
	if v.IsNull() {
		return nil, diags
	}
	s := v.AsString()
	return &s, diags
}

// boolean decodes a bool attribute; nil means null.
func boolean(attr *hcl.Attribute) (*bool, hcl.Diagnostics) {
	v, diags := value(attr, cty.Bool)
	if v.IsNull() {
		return nil, diags
	}
	b := v.True()
	return &b, diags
}

// strList decodes a list of strings; nil means null, an empty list is a non-nil empty slice.
func strList(attr *hcl.Attribute) ([]string, hcl.Diagnostics) {
	v, diags := value(attr, cty.List(cty.String))
	if v.IsNull() {
		return nil, diags
	}
	out := []string{}
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() {
			return nil, append(diags, invalid(attr.Expr.Range(), "Null element",
				fmt.Sprintf("The value of %q contains a null element. Remove it.", attr.Name)))
		}
		out = append(out, e.AsString())
	}
	return out, diags
}

// invalid returns an error diagnostic about the value at rng.
func invalid(rng hcl.Range, summary, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: rng.Ptr()}
}

// typeName names ty the way docs/platform.md does.
func typeName(ty cty.Type) string {
	switch {
	case ty == cty.String:
		return "a string"
	case ty == cty.Bool:
		return "a bool (true or false)"
	case ty == cty.Number:
		return "a number"
	case ty.IsListType():
		return "a list of strings"
	case ty.IsTupleType():
		return "a list"
	case ty.IsObjectType() || ty.IsMapType():
		return "an object"
	}
	return ty.FriendlyName()
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

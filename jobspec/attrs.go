package jobspec

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/gocty"
)

// decoder evaluates attribute expressions of the app body. It carries the eval context and collects the model
// paths of values that derive from sensitive variables. One decoder serves one Parse call.
type decoder struct {
	ctx       *hcl.EvalContext
	sensitive map[string]struct{}
}

func newDecoder(ctx *hcl.EvalContext) *decoder {
	return &decoder{ctx: ctx, sensitive: map[string]struct{}{}}
}

// value evaluates attr, converts the result to ty and returns it unmarked. A null result is returned as a null
// value of ty (callers treat null as unset). Marks are recorded under path; strings anywhere in the value are
// checked for route smuggling.
func (d *decoder) value(attr *hcl.Attribute, ty cty.Type, path string) (cty.Value, hcl.Diagnostics) {
	val, diags := attr.Expr.Value(d.ctx)
	if diags.HasErrors() {
		return cty.NullVal(ty), diags
	}
	conv, err := convert.Convert(val, ty)
	if err != nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity:    hcl.DiagError,
			Summary:     "Incorrect attribute value type",
			Detail:      fmt.Sprintf("Inappropriate value for attribute %q: %s. It must be a %s.", attr.Name, convertErrString(err), friendlyType(ty)),
			Subject:     attr.Expr.Range().Ptr(),
			Expression:  attr.Expr,
			EvalContext: d.ctx,
		})
		return cty.NullVal(ty), diags
	}
	if !conv.IsWhollyKnown() {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Value not known",
			Detail:   fmt.Sprintf("The value of %q cannot be determined while the spec is parsed. Use only variables, locals and literal values.", attr.Name),
			Subject:  attr.Expr.Range().Ptr(),
		})
		return cty.NullVal(ty), diags
	}
	unmarked, pvms := conv.UnmarkDeepWithPaths()
	for _, pvm := range pvms {
		if _, ok := pvm.Marks[sensitiveMark]; ok {
			d.sensitive[path+pathString(pvm.Path)] = struct{}{}
		}
	}
	diags = append(diags, checkSmuggle(unmarked, attr)...)
	return unmarked, diags
}

// str evaluates a string attribute; nil means null/unset.
func (d *decoder) str(attr *hcl.Attribute, path string) (*string, hcl.Diagnostics) {
	v, diags := d.value(attr, cty.String, path)
	if diags.HasErrors() || v.IsNull() {
		return nil, diags
	}
	s := v.AsString()
	return &s, diags
}

// int evaluates a whole-number attribute; nil means null/unset.
func (d *decoder) int(attr *hcl.Attribute, path string) (*int, hcl.Diagnostics) {
	v, diags := d.value(attr, cty.Number, path)
	if diags.HasErrors() || v.IsNull() {
		return nil, diags
	}
	var i int
	if err := gocty.FromCtyValue(v, &i); err != nil {
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid whole number",
			Detail:   fmt.Sprintf("The value of %q must be a whole number that fits in 64 bits.", attr.Name),
			Subject:  attr.Expr.Range().Ptr(),
		})
	}
	return &i, diags
}

// bool evaluates a bool attribute; nil means null/unset.
func (d *decoder) bool(attr *hcl.Attribute, path string) (*bool, hcl.Diagnostics) {
	v, diags := d.value(attr, cty.Bool, path)
	if diags.HasErrors() || v.IsNull() {
		return nil, diags
	}
	b := v.True()
	return &b, diags
}

// strList evaluates a list(string) attribute; nil means null/unset. Null elements are errors.
func (d *decoder) strList(attr *hcl.Attribute, path string) ([]string, hcl.Diagnostics) {
	v, diags := d.value(attr, cty.List(cty.String), path)
	if diags.HasErrors() || v.IsNull() {
		return nil, diags
	}
	out := make([]string, 0, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		_, ev := it.Element()
		if ev.IsNull() {
			return nil, append(diags, nullElement(attr))
		}
		out = append(out, ev.AsString())
	}
	return out, diags
}

// strMap evaluates a map(string) attribute; nil means null/unset. Null elements are errors.
func (d *decoder) strMap(attr *hcl.Attribute, path string) (map[string]string, hcl.Diagnostics) {
	v, diags := d.value(attr, cty.Map(cty.String), path)
	if diags.HasErrors() || v.IsNull() {
		return nil, diags
	}
	out := make(map[string]string, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		if ev.IsNull() {
			return nil, append(diags, nullElement(attr))
		}
		out[k.AsString()] = ev.AsString()
	}
	return out, diags
}

func nullElement(attr *hcl.Attribute) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Null element",
		Detail:   fmt.Sprintf("The value of %q contains a null element. Remove it or give it a value.", attr.Name),
		Subject:  attr.Expr.Range().Ptr(),
	}
}

// itemRange returns the source range of the element key (an object key or a tuple index) inside expr when expr is
// a literal object or tuple, and the whole expression's range otherwise.
func itemRange(expr hcl.Expression, key string) hcl.Range {
	switch e := expr.(type) {
	case *hclsyntax.ObjectConsExpr:
		for _, item := range e.Items {
			kv, diags := item.KeyExpr.Value(nil)
			if diags.HasErrors() || !kv.IsKnown() || kv.IsNull() || kv.IsMarked() {
				continue
			}
			ks, err := convert.Convert(kv, cty.String)
			if err == nil && ks.AsString() == key {
				return hcl.RangeBetween(item.KeyExpr.Range(), item.ValueExpr.Range())
			}
		}
	case *hclsyntax.TupleConsExpr:
		for i, item := range e.Exprs {
			if fmt.Sprint(i) == key {
				return item.Range()
			}
		}
	}
	return expr.Range()
}

// pathString renders a cty.Path as ".key" / "[0]" steps appended to a model path.
func pathString(p cty.Path) string {
	var b strings.Builder
	for _, step := range p {
		switch s := step.(type) {
		case cty.GetAttrStep:
			b.WriteString("." + s.Name)
		case cty.IndexStep:
			if s.Key.Type() == cty.String {
				b.WriteString("." + s.Key.AsString())
			} else if s.Key.Type() == cty.Number {
				b.WriteString("[" + s.Key.AsBigFloat().Text('f', 0) + "]")
			}
		}
	}
	return b.String()
}

func convertErrString(err error) string {
	if pe, ok := err.(cty.PathError); ok && len(pe.Path) > 0 {
		return fmt.Sprintf("element %s: %s", strings.TrimPrefix(pathString(pe.Path), "."), pe.Error())
	}
	return err.Error()
}

func friendlyType(ty cty.Type) string {
	switch {
	case ty == cty.String:
		return "string"
	case ty == cty.Number:
		return "number"
	case ty == cty.Bool:
		return "bool"
	case ty.IsListType():
		return "list of " + friendlyType(ty.ElementType())
	case ty.IsMapType():
		return "map of " + friendlyType(ty.ElementType())
	}
	return ty.FriendlyName()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

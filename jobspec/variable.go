package jobspec

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Variable is a declared input variable with its resolved value. Variables work like Terraform's: a type
// constraint, an optional default, validation rules, and values from the environment, var files and -var.
type Variable struct {
	// Name is the variable's name (var.<Name> in expressions); Description documents it.
	Name        string
	Description string
	// Type is the type constraint (cty.DynamicPseudoType for "any" or no type).
	Type cty.Type
	// Default is the default value, or cty.NilVal when the variable is required.
	Default cty.Value
	// Sensitive marks the value as secret: it is marked while evaluating, recorded in App.Sensitive where it
	// reaches the model, and never printed in diagnostics.
	Sensitive bool
	// Nullable allows null as a value (default true).
	Nullable bool
	// Validations are the variable's validation blocks, checked in order.
	Validations []*VariableValidation
	// Value is the resolved, type-converted, unmarked value; Source says where it came from ("default",
	// "environment", "auto var file", "var file" or "-var") and ValueRange points at it.
	Value      cty.Value
	Source     string
	ValueRange hcl.Range

	// DeclRange is the variable block header.
	DeclRange hcl.Range

	typeDefaults *typeexpr.Defaults
	literal      bool // -var and SKIFF_VAR_ values are literal strings (type string or no type)
}

// VariableValidation is a validation block of a variable: when Condition is false, ErrorMessage is reported.
type VariableValidation struct {
	Condition    hcl.Expression
	ErrorMessage hcl.Expression
	DeclRange    hcl.Range
}

var variableBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type"},
		{Name: "default"},
		{Name: "description"},
		{Name: "sensitive"},
		{Name: "nullable"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "validation"}},
}

var validationBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "condition", Required: true},
		{Name: "error_message", Required: true},
	},
}

// decodeVariableBlock decodes a variable block. Variables have no normalization step beyond their own
// defaults (type any, nullable), so the model type is built directly.
func decodeVariableBlock(block *hcl.Block) (*Variable, hcl.Diagnostics) {
	v := &Variable{
		Name: block.Labels[0], Type: cty.DynamicPseudoType, Nullable: true, literal: true, DeclRange: block.DefRange,
	}
	var diags hcl.Diagnostics
	if !hclsyntax.ValidIdentifier(v.Name) {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid variable name",
			Detail:   "A variable name must start with a letter or underscore and contain only letters, digits, underscores and dashes.",
			Subject:  block.LabelRanges[0].Ptr(),
		})
	}
	c, ds := content(block.Body, variableBlockSchema, "variable")
	diags = append(diags, ds...)
	if c == nil {
		return v, diags
	}
	if a := c.Attributes["type"]; a != nil {
		ty, defaults, ds := typeexpr.TypeConstraintWithDefaults(a.Expr)
		diags = append(diags, ds...)
		if !ds.HasErrors() {
			v.Type, v.typeDefaults = ty, defaults
			v.literal = ty == cty.String || ty == cty.DynamicPseudoType && hcl.ExprAsKeyword(a.Expr) == ""
		}
	}
	if a := c.Attributes["description"]; a != nil {
		diags = append(diags, literalString(a, &v.Description)...)
	}
	for _, name := range []string{"sensitive", "nullable"} {
		a := c.Attributes[name]
		if a == nil {
			continue
		}
		val, ds := a.Expr.Value(nil)
		diags = append(diags, ds...)
		if ds.HasErrors() {
			continue
		}
		if val, err := convert.Convert(val, cty.Bool); err != nil || val.IsNull() || !val.IsKnown() {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid " + name + " argument",
				Detail:   fmt.Sprintf("%s must be true or false.", name),
				Subject:  a.Expr.Range().Ptr(),
			})
		} else if name == "sensitive" {
			v.Sensitive = val.True()
		} else {
			v.Nullable = val.True()
		}
	}
	if a := c.Attributes["default"]; a != nil {
		val, ds := a.Expr.Value(nil)
		diags = append(diags, ds...)
		if !ds.HasErrors() {
			if v.typeDefaults != nil && !val.IsNull() {
				val = v.typeDefaults.Apply(val)
			}
			conv, err := convert.Convert(val, v.Type)
			if err != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid default value for variable",
					Detail:   fmt.Sprintf("This default value is not compatible with the variable's type constraint: %s.", convertErrString(err)),
					Subject:  a.Expr.Range().Ptr(),
				})
			} else {
				v.Default = conv
			}
		}
	}
	for _, b := range c.Blocks {
		vc, ds := content(b.Body, validationBlockSchema, "validation")
		diags = append(diags, ds...)
		if vc == nil || vc.Attributes["condition"] == nil || vc.Attributes["error_message"] == nil {
			continue
		}
		cond := vc.Attributes["condition"].Expr
		for _, tr := range cond.Variables() {
			if tr.RootName() == "var" && len(tr) > 1 {
				if s, ok := tr[1].(hcl.TraverseAttr); ok && s.Name == v.Name {
					continue
				}
			}
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid reference in variable validation",
				Detail:   fmt.Sprintf("The condition of a validation rule may refer only to the variable itself, var.%s.", v.Name),
				Subject:  tr.SourceRange().Ptr(),
			})
		}
		v.Validations = append(v.Validations, &VariableValidation{
			Condition: cond, ErrorMessage: vc.Attributes["error_message"].Expr, DeclRange: b.DefRange,
		})
	}
	return v, diags
}

// literalString evaluates a constant string attribute (no variables or functions) into dst.
func literalString(a *hcl.Attribute, dst *string) hcl.Diagnostics {
	val, diags := a.Expr.Value(nil)
	if diags.HasErrors() {
		return diags
	}
	val, err := convert.Convert(val, cty.String)
	if err != nil || val.IsNull() || !val.IsKnown() {
		return append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid " + a.Name,
			Detail:   fmt.Sprintf("%s must be a literal string.", a.Name),
			Subject:  a.Expr.Range().Ptr(),
		})
	}
	*dst = val.AsString()
	return diags
}

package jobspec

import (
	"github.com/hashicorp/hcl/v2"
)

// Constraint restricts where a process may be placed (Nomad's constraint block).
type Constraint struct {
	// Attribute is the node attribute, normalized to Nomad's "${...}" form (write "node.class" or
	// "attr.kernel.name"; "$${node.class}" also works).
	Attribute string `json:"attribute,omitempty"`
	// Operator is one of Nomad's constraint operators ("=" by default).
	Operator string `json:"operator"`
	// Value is the value compared against.
	Value string `json:"value,omitempty"`
	// DeclRange is the constraint block header.
	DeclRange hcl.Range `json:"-"`
}

// constraintInput is a decoded constraint block before normalization.
type constraintInput struct {
	DeclRange                     hcl.Range
	Attribute, Operator, Value    *string
	AttributeRange, OperatorRange hcl.Range
}

var constraintBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "attribute"},
		{Name: "operator"},
		{Name: "value"},
	},
}

// constraintOperators lists the operators Nomad accepts.
func constraintOperators() []string {
	return []string{"=", "!=", ">", ">=", "<", "<=", "distinct_hosts", "distinct_property", "regexp",
		"set_contains", "set_contains_all", "set_contains_any", "version", "semver", "is_set", "is_not_set"}
}

// decodeConstraintBlock decodes a constraint block.
func decodeConstraintBlock(d *decoder, block *hcl.Block, path string) (*constraintInput, hcl.Diagnostics) {
	in := &constraintInput{DeclRange: block.DefRange}
	c, diags := content(block.Body, constraintBlockSchema, "constraint")
	if c == nil {
		return in, diags
	}
	var ds hcl.Diagnostics
	if a := c.Attributes["attribute"]; a != nil {
		in.Attribute, ds = d.str(a, path+".attribute")
		in.AttributeRange = a.Expr.Range()
		diags = append(diags, ds...)
	}
	if a := c.Attributes["operator"]; a != nil {
		in.Operator, ds = d.str(a, path+".operator")
		in.OperatorRange = a.Expr.Range()
		diags = append(diags, ds...)
	}
	if a := c.Attributes["value"]; a != nil {
		in.Value, ds = d.str(a, path+".value")
		diags = append(diags, ds...)
	}
	return in, diags
}

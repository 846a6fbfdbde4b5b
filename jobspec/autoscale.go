package jobspec

import (
	"encoding/json"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Autoscale is the autoscaling policy of a web or worker process (a Nomad scaling block for the Nomad
// Autoscaler).
type Autoscale struct {
	// Min and Max bound the instance count; Min <= Process.Count <= Max.
	Min int `json:"min"`
	Max int `json:"max"`
	// CPU and Memory are target average utilizations in percent (0: not a target).
	CPU    int `json:"cpu,omitempty"`
	Memory int `json:"memory,omitempty"`
	// Policy is a raw Nomad Autoscaler policy object (JSON) merged over the one generated from CPU and Memory.
	Policy json.RawMessage `json:"policy,omitempty"`
	// DeclRange is the autoscale block header.
	DeclRange hcl.Range `json:"-"`
}

// autoscaleInput is a decoded autoscale block before normalization.
type autoscaleInput struct {
	DeclRange          hcl.Range
	Min, Max, CPU, Mem *int
	MinRange, MaxRange hcl.Range
	CPURange, MemRange hcl.Range
	Policy             json.RawMessage
}

var autoscaleBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "min"},
		{Name: "max", Required: true},
		{Name: "cpu"},
		{Name: "memory"},
		{Name: "policy"},
	},
}

// decodeAutoscaleBlock decodes an autoscale block.
func decodeAutoscaleBlock(d *decoder, block *hcl.Block, path string) (*autoscaleInput, hcl.Diagnostics) {
	in := &autoscaleInput{DeclRange: block.DefRange}
	c, diags := content(block.Body, autoscaleBlockSchema, "autoscale")
	if c == nil {
		return in, diags
	}
	var ds hcl.Diagnostics
	for _, name := range sortedKeys(c.Attributes) {
		a := c.Attributes[name]
		p := path + "." + name
		switch name {
		case "min":
			in.Min, ds = d.int(a, p)
			in.MinRange = a.Expr.Range()
		case "max":
			in.Max, ds = d.int(a, p)
			in.MaxRange = a.Expr.Range()
		case "cpu":
			in.CPU, ds = d.int(a, p)
			in.CPURange = a.Expr.Range()
		case "memory":
			in.Mem, ds = d.int(a, p)
			in.MemRange = a.Expr.Range()
		case "policy":
			in.Policy, ds = d.object(a, p)
		}
		diags = append(diags, ds...)
	}
	return in, diags
}

// object evaluates an attribute that must be an object or map and returns it as JSON (nil when null).
func (d *decoder) object(a *hcl.Attribute, path string) (json.RawMessage, hcl.Diagnostics) {
	v, diags := d.value(a, cty.DynamicPseudoType, path)
	if diags.HasErrors() || v.IsNull() {
		return nil, diags
	}
	if !v.Type().IsObjectType() && !v.Type().IsMapType() {
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Object required",
			Detail:   "The value of \"" + a.Name + "\" must be an object, such as { key = \"value\" }.",
			Subject:  a.Expr.Range().Ptr(),
		})
	}
	raw, err := ctyToJSON(v)
	if err != nil {
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Value not representable as JSON",
			Detail:   "The value of \"" + a.Name + "\" must contain only strings, numbers, bools, lists and objects: " + err.Error() + ".",
			Subject:  a.Expr.Range().Ptr(),
		})
	}
	return raw, diags
}

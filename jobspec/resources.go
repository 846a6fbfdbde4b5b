package jobspec

import (
	"github.com/hashicorp/hcl/v2"
)

// Resources are the resources reserved for each instance of a process.
type Resources struct {
	// CPU is in MHz; Memory is the reserved memory in MB; MemoryMax the hard memory limit in MB (0: no
	// oversubscription, the limit is Memory).
	CPU       int `json:"cpu"`
	Memory    int `json:"memory"`
	MemoryMax int `json:"memory_max,omitempty"`
	// DeclRange is the resources block header (the process header when defaulted).
	DeclRange hcl.Range `json:"-"`
}

// resourcesInput is a decoded resources block before normalization.
type resourcesInput struct {
	DeclRange                    hcl.Range
	CPU, Memory, MemoryMax       *int
	CPURange, MemoryRange, MaxRg hcl.Range
}

var resourcesBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "cpu"},
		{Name: "memory"},
		{Name: "memory_max"},
	},
}

// decodeResourcesBlock decodes a resources block.
func decodeResourcesBlock(d *decoder, block *hcl.Block, path string) (*resourcesInput, hcl.Diagnostics) {
	in := &resourcesInput{DeclRange: block.DefRange}
	c, diags := content(block.Body, resourcesBlockSchema, "resources")
	if c == nil {
		return in, diags
	}
	var ds hcl.Diagnostics
	if a := c.Attributes["cpu"]; a != nil {
		in.CPU, ds = d.int(a, path+".cpu")
		in.CPURange = a.Expr.Range()
		diags = append(diags, ds...)
	}
	if a := c.Attributes["memory"]; a != nil {
		in.Memory, ds = d.int(a, path+".memory")
		in.MemoryRange = a.Expr.Range()
		diags = append(diags, ds...)
	}
	if a := c.Attributes["memory_max"]; a != nil {
		in.MemoryMax, ds = d.int(a, path+".memory_max")
		in.MaxRg = a.Expr.Range()
		diags = append(diags, ds...)
	}
	return in, diags
}

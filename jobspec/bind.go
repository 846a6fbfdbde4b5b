package jobspec

import (
	"github.com/hashicorp/hcl/v2"
)

// Bind binds a backing service from the offerings catalog to the app. skiff asks Vault for credentials at run
// time and renders them into environment variables named from EnvPrefix.
type Bind struct {
	// Name is the binding's DNS-safe name, unique among the app's binds.
	Name string `json:"name"`
	// Offering names the catalog offering, such as "postgres".
	Offering string `json:"offering"`
	// Params are offering-specific parameters.
	Params map[string]string `json:"params,omitempty"`
	// EnvPrefix prefixes the environment variables the binding produces (EnvPrefix+"_URL" and the others the
	// offering defines).
	EnvPrefix string `json:"env_prefix"`
	// Processes names the processes that receive the binding; empty means all of them.
	Processes []string `json:"processes,omitempty"`

	// DeclRange is the block header; NameRange its label; OfferingRange the offering argument;
	// ProcessesRange the processes argument (DeclRange when unset).
	DeclRange      hcl.Range `json:"-"`
	NameRange      hcl.Range `json:"-"`
	OfferingRange  hcl.Range `json:"-"`
	ProcessesRange hcl.Range `json:"-"`
}

// EnvNames returns the variable names the binding produces for the given credential fields (such as "URL").
func (b *Bind) EnvNames(fields ...string) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = b.EnvPrefix + "_" + f
	}
	return out
}

// bindInput is a decoded bind block before normalization.
type bindInput struct {
	Name                     string
	DeclRange, NameRange     hcl.Range
	Offering, EnvPrefix      *string
	OfferingRange, PrefixRng hcl.Range
	Params                   map[string]string
	Processes                []string
	ProcessesRange           hcl.Range
}

var bindBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "offering", Required: true},
		{Name: "params"},
		{Name: "env_prefix"},
		{Name: "processes"},
	},
}

// decodeBindBlock decodes a bind "name" block.
func decodeBindBlock(d *decoder, block *hcl.Block) (*bindInput, hcl.Diagnostics) {
	in := &bindInput{Name: block.Labels[0], DeclRange: block.DefRange, NameRange: block.LabelRanges[0]}
	path := "bind." + in.Name + "."
	c, diags := content(block.Body, bindBlockSchema, "bind")
	if c == nil {
		return in, diags
	}
	var ds hcl.Diagnostics
	if a := c.Attributes["offering"]; a != nil {
		in.Offering, ds = d.str(a, path+"offering")
		in.OfferingRange = a.Expr.Range()
		diags = append(diags, ds...)
	}
	if a := c.Attributes["params"]; a != nil {
		in.Params, ds = d.strMap(a, path+"params")
		diags = append(diags, ds...)
	}
	if a := c.Attributes["env_prefix"]; a != nil {
		in.EnvPrefix, ds = d.str(a, path+"env_prefix")
		in.PrefixRng = a.Expr.Range()
		diags = append(diags, ds...)
	}
	if a := c.Attributes["processes"]; a != nil {
		in.Processes, ds = d.strList(a, path+"processes")
		in.ProcessesRange = a.Expr.Range()
		diags = append(diags, ds...)
	}
	return in, diags
}

package jobspec

import (
	"github.com/hashicorp/hcl/v2"
)

// Upstream is a Consul Connect upstream: the app's processes reach Destination on 127.0.0.1:LocalPort, and
// skiff creates the Consul intention that allows it (everything else is denied).
type Upstream struct {
	// Name is the upstream's DNS-safe name, unique among the app's upstreams.
	Name string `json:"name"`
	// Destination is the Consul service name reached ("app-process" for another skiff app's process).
	Destination string `json:"destination"`
	// LocalPort is the loopback port the local Connect proxy listens on.
	LocalPort int `json:"local_port"`
	// Datacenter is the Consul datacenter of the destination (empty: the local one).
	Datacenter string `json:"datacenter,omitempty"`
	// Processes names the processes that get the upstream; empty means every web, worker and system process.
	Processes []string `json:"processes,omitempty"`

	// DeclRange is the block header; NameRange its label; LocalPortRange and DestinationRange the arguments
	// (DeclRange when unset); ProcessesRange the processes argument.
	DeclRange        hcl.Range `json:"-"`
	NameRange        hcl.Range `json:"-"`
	LocalPortRange   hcl.Range `json:"-"`
	DestinationRange hcl.Range `json:"-"`
	ProcessesRange   hcl.Range `json:"-"`
}

// upstreamInput is a decoded upstream block before normalization.
type upstreamInput struct {
	Name                    string
	DeclRange, NameRange    hcl.Range
	Destination, Datacenter *string
	DestinationRange        hcl.Range
	LocalPort               *int
	LocalPortRange          hcl.Range
	Processes               []string
	ProcessesRange          hcl.Range
}

var upstreamBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "destination"},
		{Name: "local_port", Required: true},
		{Name: "datacenter"},
		{Name: "processes"},
	},
}

// decodeUpstreamBlock decodes an upstream "name" block.
func decodeUpstreamBlock(d *decoder, block *hcl.Block) (*upstreamInput, hcl.Diagnostics) {
	in := &upstreamInput{Name: block.Labels[0], DeclRange: block.DefRange, NameRange: block.LabelRanges[0]}
	path := "upstream." + in.Name + "."
	c, diags := content(block.Body, upstreamBlockSchema, "upstream")
	if c == nil {
		return in, diags
	}
	var ds hcl.Diagnostics
	if a := c.Attributes["destination"]; a != nil {
		in.Destination, ds = d.str(a, path+"destination")
		in.DestinationRange = a.Expr.Range()
		diags = append(diags, ds...)
	}
	if a := c.Attributes["local_port"]; a != nil {
		in.LocalPort, ds = d.int(a, path+"local_port")
		in.LocalPortRange = a.Expr.Range()
		diags = append(diags, ds...)
	}
	if a := c.Attributes["datacenter"]; a != nil {
		in.Datacenter, ds = d.str(a, path+"datacenter")
		diags = append(diags, ds...)
	}
	if a := c.Attributes["processes"]; a != nil {
		in.Processes, ds = d.strList(a, path+"processes")
		in.ProcessesRange = a.Expr.Range()
		diags = append(diags, ds...)
	}
	return in, diags
}

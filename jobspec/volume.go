package jobspec

import (
	"github.com/hashicorp/hcl/v2"
)

// Volume is a volume mounted into every instance of a process.
type Volume struct {
	// Name is the volume's label; Type "host" (a Nomad host volume) or "csi"; Source the host volume or CSI
	// volume ID; Destination the mount path in the task; ReadOnly mounts it read-only.
	Name        string `json:"name"`
	Type        string `json:"type"`
	Source      string `json:"source"`
	Destination string `json:"destination"`
	ReadOnly    bool   `json:"read_only,omitempty"`
	// DeclRange is the volume block header.
	DeclRange hcl.Range `json:"-"`
}

// volumeInput is a decoded volume block before normalization.
type volumeInput struct {
	Name                 string
	DeclRange, NameRange hcl.Range
	Type, Source, Dest   *string
	TypeRange, DestRange hcl.Range
	ReadOnly             *bool
}

var volumeBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type"},
		{Name: "source"},
		{Name: "destination", Required: true},
		{Name: "read_only"},
	},
}

// decodeVolumeBlock decodes a volume "name" block.
func decodeVolumeBlock(d *decoder, block *hcl.Block, path string) (*volumeInput, hcl.Diagnostics) {
	in := &volumeInput{Name: block.Labels[0], DeclRange: block.DefRange, NameRange: block.LabelRanges[0]}
	c, diags := content(block.Body, volumeBlockSchema, "volume")
	if c == nil {
		return in, diags
	}
	var ds hcl.Diagnostics
	if a := c.Attributes["type"]; a != nil {
		in.Type, ds = d.str(a, path+".type")
		in.TypeRange = a.Expr.Range()
		diags = append(diags, ds...)
	}
	if a := c.Attributes["source"]; a != nil {
		in.Source, ds = d.str(a, path+".source")
		diags = append(diags, ds...)
	}
	if a := c.Attributes["destination"]; a != nil {
		in.Dest, ds = d.str(a, path+".destination")
		in.DestRange = a.Expr.Range()
		diags = append(diags, ds...)
	}
	if a := c.Attributes["read_only"]; a != nil {
		in.ReadOnly, ds = d.bool(a, path+".read_only")
		diags = append(diags, ds...)
	}
	return in, diags
}

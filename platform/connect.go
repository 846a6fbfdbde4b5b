package platform

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/skiffpaas/skiff/catalog"
)

// Connect configures the Consul Connect mesh of the compiled jobs.
type Connect struct {
	// Mesh puts every web, worker and system process with a port in the mesh, so that other apps' upstreams can
	// reach it (a process must be in the mesh to be an upstream's destination). Without it, only processes that
	// have upstreams join.
	Mesh bool `json:"mesh"`
	// BuiltinProxy, if set, replaces Nomad's default Envoy sidecar by Consul's built-in proxy (dev stacks,
	// where Envoy is not installed).
	BuiltinProxy *BuiltinProxy `json:"builtin_proxy,omitempty"`
	// DeclRange is the connect block's header; the zero range when the block was not written.
	DeclRange hcl.Range `json:"-"`
}

// Sidecar returns the sidecar that replaces Envoy, or nil for Envoy.
func (c Connect) Sidecar() *catalog.BuiltinProxy {
	if c.BuiltinProxy == nil {
		return nil
	}
	return &catalog.BuiltinProxy{Launcher: c.BuiltinProxy.Launcher, Consul: c.BuiltinProxy.Consul,
		ConsulAddr: c.BuiltinProxy.ConsulAddr}
}

// connectInput is a decoded connect block before normalization.
type connectInput struct {
	DeclRange    hcl.Range
	Mesh         *bool
	BuiltinProxy *builtinProxyInput
}

var connectBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "mesh"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "builtin_proxy"},
	},
}

// decodeConnectBlock decodes a connect block and its builtin_proxy block.
func decodeConnectBlock(block *hcl.Block) (*connectInput, hcl.Diagnostics) {
	in := &connectInput{DeclRange: block.DefRange}
	c, diags := content(block.Body, connectBlockSchema, "connect")
	if c == nil {
		return in, diags
	}
	if a, ok := c.Attributes["mesh"]; ok {
		var ds hcl.Diagnostics
		in.Mesh, ds = boolean(a)
		diags = append(diags, ds...)
	}
	if b, ds := singleBlock(c, "builtin_proxy"); b != nil {
		diags = append(diags, ds...)
		in.BuiltinProxy, ds = decodeBuiltinProxyBlock(b)
		diags = append(diags, ds...)
	}
	return in, diags
}

// normalize applies the defaults and checks the values; a nil input is a block that was not written.
func (in *connectInput) normalize() (Connect, hcl.Diagnostics) {
	if in == nil {
		return Connect{}, nil
	}
	out := Connect{DeclRange: in.DeclRange}
	if in.Mesh != nil {
		out.Mesh = *in.Mesh
	}
	var diags hcl.Diagnostics
	if in.BuiltinProxy != nil {
		out.BuiltinProxy, diags = in.BuiltinProxy.normalize()
	}
	return out, diags
}

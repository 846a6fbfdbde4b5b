package platform

import (
	"github.com/hashicorp/hcl/v2"
)

// BuiltinProxy runs Consul's built-in Connect proxy as the sidecar task of every Connect service, through the
// dev stack's launcher (see catalog.BuiltinProxy, which Connect.Sidecar returns). All three fields are set.
type BuiltinProxy struct {
	// Launcher is the host path of the launcher binary that Nomad runs under raw_exec.
	Launcher string `json:"launcher"`
	// Consul is the host path of the consul binary the launcher runs.
	Consul string `json:"consul"`
	// ConsulAddr is the host:port of the Consul agent's HTTP API on the host's loopback.
	ConsulAddr string `json:"consul_addr"`
	// DeclRange is the builtin_proxy block's header.
	DeclRange hcl.Range `json:"-"`
}

// builtinProxyInput is a decoded builtin_proxy block before normalization.
type builtinProxyInput struct {
	DeclRange                             hcl.Range
	Launcher, Consul, ConsulAddr          *string
	LauncherRange, ConsulRange, AddrRange hcl.Range
}

var builtinProxyBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "launcher", Required: true},
		{Name: "consul", Required: true},
		{Name: "consul_addr", Required: true},
	},
}

// decodeBuiltinProxyBlock decodes a builtin_proxy block.
func decodeBuiltinProxyBlock(block *hcl.Block) (*builtinProxyInput, hcl.Diagnostics) {
	in := &builtinProxyInput{DeclRange: block.DefRange}
	c, diags := content(block.Body, builtinProxyBlockSchema, "builtin_proxy")
	if c == nil {
		return in, diags
	}
	var ds hcl.Diagnostics
	for _, name := range sortedKeys(c.Attributes) {
		a := c.Attributes[name]
		switch name {
		case "launcher":
			in.Launcher, ds = str(a)
			in.LauncherRange = a.Expr.Range()
		case "consul":
			in.Consul, ds = str(a)
			in.ConsulRange = a.Expr.Range()
		case "consul_addr":
			in.ConsulAddr, ds = str(a)
			in.AddrRange = a.Expr.Range()
		}
		diags = append(diags, ds...)
	}
	return in, diags
}

// normalize checks the values: both paths absolute, the address a host:port.
func (in *builtinProxyInput) normalize() (*BuiltinProxy, hcl.Diagnostics) {
	out := &BuiltinProxy{DeclRange: in.DeclRange}
	var diags hcl.Diagnostics
	if in.Launcher != nil {
		out.Launcher = *in.Launcher
	}
	if in.Consul != nil {
		out.Consul = *in.Consul
	}
	if in.ConsulAddr != nil {
		out.ConsulAddr = *in.ConsulAddr
	}
	diags = append(diags, checkAbsPath("launcher", out.Launcher, in.LauncherRange)...)
	diags = append(diags, checkAbsPath("consul", out.Consul, in.ConsulRange)...)
	diags = append(diags, checkHostPort("consul_addr", out.ConsulAddr, in.AddrRange)...)
	return out, diags
}

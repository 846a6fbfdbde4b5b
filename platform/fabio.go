package platform

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/skiffpaas/skiff/edge"
)

// Defaults of the fabio block: Fabio's own defaults, on this host.
const (
	DefaultFabioProxyAddr = "http://localhost:9999"
	DefaultFabioUIAddr    = "http://localhost:9998"
)

// Fabio says where Fabio keeps manual routes and where it listens.
type Fabio struct {
	// KVPath is Fabio's registry.consul.kvpath, under which skiff writes canary weights (edge.DefaultKVPath).
	KVPath string `json:"kv_path"`
	// ProxyAddr is the URL of Fabio's public proxy listener, which the app URLs that deploy prints name
	// (DefaultFabioProxyAddr).
	ProxyAddr string `json:"proxy_addr"`
	// UIAddr is the URL of Fabio's UI and API, where `skiff routes` reads the live routes (DefaultFabioUIAddr).
	UIAddr string `json:"ui_addr"`
	// DeclRange is the fabio block's header; the zero range when the block was not written.
	DeclRange hcl.Range `json:"-"`
}

// fabioInput is a decoded fabio block before normalization.
type fabioInput struct {
	DeclRange                        hcl.Range
	KVPath, ProxyAddr, UIAddr        *string
	KVPathRange, ProxyRange, UIRange hcl.Range
}

var fabioBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "kv_path"},
		{Name: "proxy_addr"},
		{Name: "ui_addr"},
	},
}

// decodeFabioBlock decodes a fabio block.
func decodeFabioBlock(block *hcl.Block) (*fabioInput, hcl.Diagnostics) {
	in := &fabioInput{DeclRange: block.DefRange}
	c, diags := content(block.Body, fabioBlockSchema, "fabio")
	if c == nil {
		return in, diags
	}
	var ds hcl.Diagnostics
	for _, name := range sortedKeys(c.Attributes) {
		a := c.Attributes[name]
		switch name {
		case "kv_path":
			in.KVPath, ds = str(a)
			in.KVPathRange = a.Expr.Range()
		case "proxy_addr":
			in.ProxyAddr, ds = str(a)
			in.ProxyRange = a.Expr.Range()
		case "ui_addr":
			in.UIAddr, ds = str(a)
			in.UIRange = a.Expr.Range()
		}
		diags = append(diags, ds...)
	}
	return in, diags
}

// normalize applies the defaults and checks the values; a nil input is a block that was not written.
func (in *fabioInput) normalize() (Fabio, hcl.Diagnostics) {
	if in == nil {
		in = &fabioInput{}
	}
	out := Fabio{KVPath: edge.DefaultKVPath, ProxyAddr: DefaultFabioProxyAddr, UIAddr: DefaultFabioUIAddr,
		DeclRange: in.DeclRange}
	var diags hcl.Diagnostics
	if in.KVPath != nil {
		out.KVPath = *in.KVPath
		diags = append(diags, checkKVPath(out.KVPath, in.KVPathRange)...)
	}
	if in.ProxyAddr != nil {
		out.ProxyAddr = trimSlash(*in.ProxyAddr)
		diags = append(diags, checkURL("proxy_addr", out.ProxyAddr, in.ProxyRange, "9999")...)
	}
	if in.UIAddr != nil {
		out.UIAddr = trimSlash(*in.UIAddr)
		diags = append(diags, checkURL("ui_addr", out.UIAddr, in.UIRange, "9998")...)
	}
	return out, diags
}

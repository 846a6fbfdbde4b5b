package jobspec

import (
	"github.com/hashicorp/hcl/v2"
)

// Route is an HTTP route to a web process, written by skiff as a router (Fabio) tag.
type Route struct {
	// Host is the host name matched (may start with "*." for a wildcard); empty matches any host.
	Host string `json:"host,omitempty"`
	// Path is the path prefix matched; it starts with "/".
	Path string `json:"path"`
	// Strip removes Path from the request path before it reaches the process.
	Strip bool `json:"strip,omitempty"`
	// HTTPSOnly redirects plain-HTTP requests to HTTPS.
	HTTPSOnly bool `json:"https_only,omitempty"`
	// Redirect, when set, answers every request with a redirect to this URL instead of proxying; RedirectCode is
	// its HTTP status (301, 302, 303, 307 or 308).
	Redirect     string `json:"redirect,omitempty"`
	RedirectCode int    `json:"redirect_code,omitempty"`

	// DeclRange is the block header; HostRange and PathRange the arguments (DeclRange when unset).
	DeclRange hcl.Range `json:"-"`
	HostRange hcl.Range `json:"-"`
	PathRange hcl.Range `json:"-"`
}

// routeInput is a decoded route block before normalization.
type routeInput struct {
	DeclRange                hcl.Range
	Host, Path, Redirect     *string
	HostRange, PathRange     hcl.Range
	RedirectRange, CodeRange hcl.Range
	Strip, HTTPSOnly         *bool
	RedirectCode             *int
}

var routeBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "host"},
		{Name: "path"},
		{Name: "strip"},
		{Name: "https_only"},
		{Name: "redirect"},
		{Name: "redirect_code"},
	},
}

// decodeRouteBlock decodes a route block of a web process.
func decodeRouteBlock(d *decoder, block *hcl.Block, path string) (*routeInput, hcl.Diagnostics) {
	in := &routeInput{DeclRange: block.DefRange}
	c, diags := content(block.Body, routeBlockSchema, "route")
	if c == nil {
		return in, diags
	}
	var ds hcl.Diagnostics
	for _, name := range sortedKeys(c.Attributes) {
		a := c.Attributes[name]
		switch name {
		case "host":
			in.Host, ds = d.str(a, path+".host")
			in.HostRange = a.Expr.Range()
		case "path":
			in.Path, ds = d.str(a, path+".path")
			in.PathRange = a.Expr.Range()
		case "redirect":
			in.Redirect, ds = d.str(a, path+".redirect")
			in.RedirectRange = a.Expr.Range()
		case "redirect_code":
			in.RedirectCode, ds = d.int(a, path+".redirect_code")
			in.CodeRange = a.Expr.Range()
		case "strip":
			in.Strip, ds = d.bool(a, path+".strip")
		case "https_only":
			in.HTTPSOnly, ds = d.bool(a, path+".https_only")
		}
		diags = append(diags, ds...)
	}
	return in, diags
}

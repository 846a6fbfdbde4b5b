package jobspec

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// fabioRouteCommand matches Fabio's route command language ("route add svc host/path http://..."), which Fabio
// also reads from Consul KV and service tags.
var fabioRouteCommand = regexp.MustCompile(`(?i)^\s*route\s+(add|del|weight)\s`)

// smuggledRoute reports whether s looks like a router tag: the "urlprefix-" prefix Fabio reads routes from, or a
// raw Fabio route command. Only skiff writes routes.
func smuggledRoute(s string) bool {
	return strings.Contains(strings.ToLower(s), "urlprefix-") || fabioRouteCommand.MatchString(s)
}

// checkSmuggle walks every string (and map key) in v, the unmarked value of attr, and rejects router tags.
func checkSmuggle(v cty.Value, attr *hcl.Attribute) hcl.Diagnostics {
	var diags hcl.Diagnostics
	report := func(p cty.Path) {
		rng := attr.Expr.Range()
		if len(p) > 0 {
			switch s := p[0].(type) {
			case cty.IndexStep:
				if s.Key.Type() == cty.String {
					rng = itemRange(attr.Expr, s.Key.AsString())
				} else if s.Key.Type() == cty.Number {
					rng = itemRange(attr.Expr, s.Key.AsBigFloat().Text('f', 0))
				}
			case cty.GetAttrStep:
				rng = itemRange(attr.Expr, s.Name)
			}
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Router tag not allowed",
			Detail: fmt.Sprintf("The value of %q contains a router tag (\"urlprefix-\" or a Fabio route command). Only skiff writes routes, "+
				"so that routes follow releases and rollbacks: declare a route block inside a web process instead.", attr.Name),
			Subject: rng.Ptr(),
		})
	}
	_ = cty.Walk(v, func(p cty.Path, val cty.Value) (bool, error) {
		if len(diags) > 0 {
			return false, nil
		}
		if len(p) > 0 {
			if s, ok := p[len(p)-1].(cty.IndexStep); ok && s.Key.Type() == cty.String && smuggledRoute(s.Key.AsString()) {
				report(p)
				return false, nil
			}
			if s, ok := p[len(p)-1].(cty.GetAttrStep); ok && smuggledRoute(s.Name) {
				report(p)
				return false, nil
			}
		}
		if val.IsKnown() && !val.IsNull() && val.Type() == cty.String && smuggledRoute(val.AsString()) {
			report(p)
			return false, nil
		}
		return true, nil
	})
	return diags
}

// checkSmuggleName rejects router tags in block labels.
func checkSmuggleName(what, name string, rng hcl.Range) hcl.Diagnostics {
	if !smuggledRoute(name) {
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Router tag not allowed",
		Detail:   fmt.Sprintf("The %s name contains \"urlprefix-\". Only skiff writes routes: declare a route block inside a web process instead.", what),
		Subject:  rng.Ptr(),
	}}
}

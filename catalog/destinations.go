package catalog

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner/change"
)

// checkDestinations catches the likely mistake of naming a skiff destination "<app>-<process>" (the form
// older docs showed) when it is registered as "<process>-<app>-<namespace>". A destination that is simply not
// registered yet is not an error: apps that call each other must be deployable in either order, and the plan
// notes it instead.
func (in *Intentions) checkDestinations(ctx context.Context, app *jobspec.App) error {
	if len(app.Upstreams) == 0 {
		return nil
	}
	registered, err := in.registered(ctx)
	if err != nil {
		return err
	}
	var diags hcl.Diagnostics
	for _, u := range app.Upstreams {
		dest := UpstreamService(u)
		if registered[dest] {
			continue
		}
		if alt := appProcessForm(dest, app.Namespace, registered); alt != "" {
			rng := u.DestinationRange
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unknown upstream destination",
				Detail: fmt.Sprintf("No Consul service is named %q, but %q is registered. Destinations are Consul "+
					"service names, which skiff gives as <process>-<app>-<namespace>: did you mean %q?", dest, alt, alt),
				Subject: &rng,
			})
		}
	}
	if diags.HasErrors() {
		return &change.DiagnosticsError{Diags: diags}
	}
	return nil
}

// appProcessForm reads dest as "<app>-<process>" at each dash and returns the first such split whose skiff
// service name in namespace is registered, or "".
func appProcessForm(dest, namespace string, registered map[string]bool) string {
	for i := strings.IndexByte(dest, '-'); i > 0 && i < len(dest)-1; {
		if name := ServiceName(dest[:i], namespace, dest[i+1:]); registered[name] {
			return name
		}
		next := strings.IndexByte(dest[i+1:], '-')
		if next < 0 {
			break
		}
		i += next + 1
	}
	return ""
}

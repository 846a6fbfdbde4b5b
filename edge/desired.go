package edge

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"

	"github.com/skiffpaas/skiff/catalog"
	"github.com/skiffpaas/skiff/jobspec"
)

// DesiredRoute is one route the spec (or, lacking the spec, the live registrations) asks Fabio for: one tag of
// one web process. An https_only route yields two, the route and its host:80 redirect.
type DesiredRoute struct {
	Route
	Tag       string `json:"tag"`
	Service   string `json:"service"`
	Process   string `json:"process,omitempty"`
	Namespace string `json:"namespace"`
	App       string `json:"app"`
	// CanaryWeight is the process's canary_weight in percent (0: canaries, if any, get no fixed share).
	CanaryWeight int `json:"canary_weight,omitempty"`
	// Spec is the route block it comes from; nil when read from live registrations.
	Spec *jobspec.Route `json:"-"`
}

// DesiredRoutes returns the routes of app's web processes, in spec order.
func DesiredRoutes(app *jobspec.App) []DesiredRoute {
	var out []DesiredRoute
	for _, p := range app.Processes {
		if p.Kind != jobspec.KindWeb || p.PrimaryPort() == nil {
			continue
		}
		weight := 0
		if hasRoutedCanaries(p) {
			weight = p.Rollout.CanaryWeight
		}
		svc := catalog.ServiceName(app.Name, app.Namespace, p.Name)
		for _, r := range p.Routes {
			for _, tag := range RouteTags(r) {
				parsed, ok := ParseTag(tag)
				if !ok {
					continue
				}
				out = append(out, DesiredRoute{Route: parsed, Tag: tag, Service: svc, Process: p.Name,
					Namespace: app.Namespace, App: app.Name, CanaryWeight: weight, Spec: r})
			}
		}
	}
	return out
}

// DesiredFromLive returns the routes the live registrations of an app (namespace and app; app "" for every
// app of the namespace, both "" for every skiff app) ask for: the spec is not at hand, the tags are.
func DesiredFromLive(live []LiveRoute, namespace, app string) []DesiredRoute {
	var out []DesiredRoute
	for _, l := range live {
		if l.App == "" || (namespace != "" && l.Namespace != namespace) || (app != "" && l.App != app) {
			continue
		}
		out = append(out, DesiredRoute{Route: l.Route, Tag: l.Tag, Service: l.Service, Namespace: l.Namespace,
			App: l.App, CanaryWeight: l.CanaryWeight})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Src < out[j].Src })
	return out
}

// Conflicts returns an error diagnostic for every route of app whose host and path another app (or a service
// skiff does not manage) already has in live. The diagnostic points at the route's host, or its path when
// the route matches any host.
func Conflicts(app *jobspec.App, live []LiveRoute) hcl.Diagnostics {
	taken := map[string]LiveRoute{}
	for _, l := range live {
		if l.App == app.Name && l.Namespace == app.Namespace {
			continue
		}
		if _, seen := taken[l.Key()]; !seen {
			taken[l.Key()] = l
		}
	}
	var diags hcl.Diagnostics
	reported := map[*jobspec.Route]bool{}
	for _, d := range DesiredRoutes(app) {
		other, clash := taken[d.Key()]
		if !clash || reported[d.Spec] {
			continue
		}
		reported[d.Spec] = true
		subject := d.Spec.HostRange
		what := fmt.Sprintf("host %q and path %q", d.Spec.Host, routePath(d.Spec))
		if d.Spec.Host == "" {
			subject = d.Spec.PathRange
			what = fmt.Sprintf("path %q on any host", routePath(d.Spec))
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Route already taken",
			Detail: fmt.Sprintf("%s already routes %s, and Fabio cannot split the same requests between two apps. "+
				"Choose another host or path, or remove the route from the other app first.", capitalize(other.Owner()), what),
			Subject: subject.Ptr(),
			Context: d.Spec.DeclRange.Ptr(),
		})
	}
	return diags
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

package edge

import (
	"context"
	"fmt"
	"sort"
	"strings"

	consulapi "github.com/hashicorp/consul/api"

	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner/change"
)

// Resource types of the Changes Router plans.
const (
	ResourceRoute        = "fabio_route"
	ResourceCanaryWeight = "fabio_canary_weight"
)

// Router plans an app's Fabio routes and canary weights (the planner's change.ResourcePlanner). Routes reach
// Fabio through the tags Nomad registers with the app's instances, so applying them is the job's business;
// Router checks them against the other apps' routes, shows their changes in the plan, and clears weights
// left over from ended deployments.
type Router struct {
	consul  *consulapi.Client
	weights *WeightStore
}

var _ change.ResourcePlanner = (*Router)(nil)

// NewRouter returns a Router reading the Consul catalog and the weights in weights.
func NewRouter(consul *consulapi.Client, weights *WeightStore) *Router {
	return &Router{consul: consul, weights: weights}
}

// PlanResources returns one fabio_route change per route of app (and a delete per live route it no longer
// has) and one fabio_canary_weight change per web process with canaries. A route that another app already
// serves fails the plan with a *change.DiagnosticsError pointing at the route.
func (r *Router) PlanResources(ctx context.Context, app *jobspec.App) ([]*change.Change, error) {
	live, err := LiveRoutes(ctx, r.consul)
	if err != nil {
		return nil, err
	}
	if diags := Conflicts(app, live); diags.HasErrors() {
		return nil, &change.DiagnosticsError{Diags: diags}
	}
	stored, err := r.weights.List(ctx, app.Namespace, app.Name)
	if err != nil {
		return nil, err
	}
	return append(routeChanges(app, live), weightChanges(app, live, stored)...), nil
}

// System reports "fabio".
func (r *Router) System() string { return "fabio" }

// Uses reports whether the app has a web process (routes and canary weights belong to web processes).
func (r *Router) Uses(app *jobspec.App) bool { return len(app.ProcessesOf(jobspec.KindWeb)) > 0 }

// ApplyResources writes nothing: routes are tags of the jobs' services, and canary weights are written while
// a deployment is watched (Traffic).
func (r *Router) ApplyResources(context.Context, *jobspec.App) error { return nil }

// PruneResources removes the app's weights that no deployment needs any more: of processes without canaries
// now, and of services none of whose instances is a canary (their deployment ended outside skiff's watch,
// e.g. promoted with `nomad deployment promote`). Weights of running canaries stay.
func (r *Router) PruneResources(ctx context.Context, app *jobspec.App) error {
	live, err := LiveRoutes(ctx, r.consul)
	if err != nil {
		return err
	}
	stored, err := r.weights.List(ctx, app.Namespace, app.Name)
	if err != nil {
		return err
	}
	wanted := wantedWeights(app)
	canaries := liveCanaries(app, live)
	for _, sw := range stored {
		if wanted[sw.Service] > 0 && canaries[sw.Service] > 0 {
			continue
		}
		if _, err := r.weights.Delete(ctx, app.Namespace, app.Name, sw.Service); err != nil {
			return err
		}
	}
	return nil
}

// DestroyResources removes every weight of the app; its routes leave with its jobs.
func (r *Router) DestroyResources(ctx context.Context, namespace, app string) error {
	return r.weights.DeleteApp(ctx, namespace, app)
}

// routeChanges compares the app's routes with its live registrations, one change per spec route.
func routeChanges(app *jobspec.App, live []LiveRoute) []*change.Change {
	type liveSet struct {
		tags, services map[string]bool
	}
	own := map[string]*liveSet{} // by Route.Key
	for _, l := range live {
		if l.App != app.Name || l.Namespace != app.Namespace {
			continue
		}
		s := own[l.Key()]
		if s == nil {
			s = &liveSet{tags: map[string]bool{}, services: map[string]bool{}}
			own[l.Key()] = s
		}
		s.tags[l.Tag] = true
		s.services[l.Service] = true
	}
	var out []*change.Change
	seen := map[string]bool{}
	desired := DesiredRoutes(app)
	for i := 0; i < len(desired); {
		// The tags of one spec route are adjacent.
		j, tags := i, []string{}
		for ; j < len(desired) && desired[j].Spec == desired[i].Spec; j++ {
			tags = append(tags, desired[j].Tag)
		}
		d := desired[i]
		i = j
		key := d.Key()
		seen[key] = true
		ch := &change.Change{Resource: ResourceRoute, Name: d.Src, Namespace: app.Namespace, Action: change.None,
			Notes: []string{"served by " + d.Service}}
		s := own[key]
		switch {
		case s == nil:
			ch.Action = change.Create
			ch.Notes = append(ch.Notes, "Nomad registers it with the instances; Fabio routes it once they pass their checks")
		case !sameSet(s.tags, tags) || !s.services[d.Service] || len(s.services) > 1:
			ch.Action = change.Update
			ch.Diff = []*change.DiffNode{{Action: change.Update, Name: "tags", Old: joinSorted(s.tags), New: strings.Join(tags, " | ")}}
			if !s.services[d.Service] || len(s.services) > 1 {
				ch.Diff = append(ch.Diff, &change.DiffNode{Action: change.Update, Name: "service",
					Old: joinSorted(s.services), New: d.Service})
			}
		}
		out = append(out, ch)
	}
	var gone []string
	for key := range own {
		if !seen[key] {
			gone = append(gone, key)
		}
	}
	sort.Strings(gone)
	for _, key := range gone {
		out = append(out, &change.Change{Resource: ResourceRoute, Name: key, Namespace: app.Namespace,
			Action: change.Delete, Notes: []string{"no longer in the spec: leaves Fabio with the instances that register it (" +
				joinSorted(own[key].services) + ")"}})
	}
	return out
}

// weightChanges shows each web process's canary weight next to the one stored for a running deployment.
func weightChanges(app *jobspec.App, live []LiveRoute, stored []StoredWeight) []*change.Change {
	wanted := wantedWeights(app)
	canaries := liveCanaries(app, live)
	have := map[string]StoredWeight{}
	for _, sw := range stored {
		have[sw.Service] = sw
	}
	var out []*change.Change
	var services []string
	for svc := range wanted {
		services = append(services, svc)
	}
	sort.Strings(services)
	for _, svc := range services {
		pct := wanted[svc]
		sw, ok := have[svc]
		ch := &change.Change{Resource: ResourceCanaryWeight, Name: svc, Namespace: app.Namespace, Action: change.None}
		switch {
		case pct == 0 && ok:
			ch.Action = change.Delete
			ch.Notes = []string{"canary_weight is 0: canaries get an even share"}
		case pct == 0:
			ch.Notes = []string{"canary_weight is 0: canaries get an even share"}
		case !ok:
			ch.Notes = []string{fmt.Sprintf("during a deployment, unpromoted canaries get %d%% of the requests", pct)}
		case canaries[svc] == 0:
			ch.Notes = []string{fmt.Sprintf("a weight of deployment %s is left in Consul KV; no canary matches it, so "+
				"Fabio ignores it; the next deployment removes it", shortID(sw.Deployment))}
		case sw.Percent != pct:
			ch.Action = change.Update
			ch.Diff = []*change.DiffNode{{Action: change.Update, Name: "percent", Old: fmt.Sprint(sw.Percent), New: fmt.Sprint(pct)}}
			ch.Notes = []string{fmt.Sprintf("the canaries of deployment %s get %d%% now", shortID(sw.Deployment), sw.Percent)}
		default:
			ch.Notes = []string{fmt.Sprintf("the canaries of deployment %s get %d%% now", shortID(sw.Deployment), sw.Percent)}
		}
		out = append(out, ch)
		delete(have, svc)
	}
	for _, sw := range stored {
		if _, left := have[sw.Service]; left {
			out = append(out, &change.Change{Resource: ResourceCanaryWeight, Name: sw.Service, Namespace: app.Namespace,
				Action: change.Delete, Notes: []string{"the process no longer has routed canaries"}})
		}
	}
	return out
}

// wantedWeights returns the canary weight (percent) of each web service of app that has routed canaries.
func wantedWeights(app *jobspec.App) map[string]int {
	out := map[string]int{}
	for _, d := range DesiredRoutes(app) {
		if p := app.Process(d.Process); p != nil && hasRoutedCanaries(p) {
			out[d.Service] = d.CanaryWeight
		}
	}
	return out
}

// liveCanaries counts the registered canary instances of each service of app (the most over its routes).
func liveCanaries(app *jobspec.App, live []LiveRoute) map[string]int {
	out := map[string]int{}
	for _, l := range live {
		if l.App == app.Name && l.Namespace == app.Namespace && l.Canaries > out[l.Service] {
			out[l.Service] = l.Canaries
		}
	}
	return out
}

func sameSet(set map[string]bool, list []string) bool {
	if len(set) != len(list) {
		return false
	}
	for _, s := range list {
		if !set[s] {
			return false
		}
	}
	return true
}

func joinSorted(set map[string]bool) string {
	var out []string
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return strings.Join(out, " | ")
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

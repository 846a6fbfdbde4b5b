package catalog

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	consulapi "github.com/hashicorp/consul/api"

	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner/change"
)

// ResourceIntention is the Change resource type of a Consul service-intentions config entry.
const ResourceIntention = "consul_intention"

// ownerPrefix starts the Description of every intention source skiff writes; Owner completes it.
const ownerPrefix = "managed by skiff for "

// Owner returns the Description that marks an intention source as owned by the app ns/app.
func Owner(namespace, app string) string { return ownerPrefix + namespace + "/" + app }

// casAttempts bounds the read-modify-write retries of one entry when other writers keep changing it.
const casAttempts = 10

// Intentions plans and applies an app's Consul intentions (see the package doc). It implements
// change.ResourcePlanner and keeps no state: everything is read from Consul on each call.
type Intentions struct {
	consul *consulapi.Client
}

var _ change.ResourcePlanner = (*Intentions)(nil)

// NewIntentions returns the intentions planner over a Consul client whose token may read the catalog and
// read and write service-intentions config entries.
func NewIntentions(consul *consulapi.Client) *Intentions {
	return &Intentions{consul: consul}
}

// Desired returns the intention sources that app owns, keyed by destination service and then by source
// service: "*" → deny on each of the app's services, source → allow on each upstream's destination for every
// calling process that has a service.
func Desired(app *jobspec.App) map[string]map[string]consulapi.IntentionAction {
	out := map[string]map[string]consulapi.IntentionAction{}
	add := func(dest, src string, a consulapi.IntentionAction) {
		if out[dest] == nil {
			out[dest] = map[string]consulapi.IntentionAction{}
		}
		out[dest][src] = a
	}
	services := Services(app)
	for _, svc := range services {
		add(svc, "*", consulapi.IntentionActionDeny)
	}
	for _, p := range app.Processes {
		src, ok := services[p.Name]
		if !ok {
			continue
		}
		for _, u := range UpstreamsOf(app, p) {
			add(UpstreamService(u), src, consulapi.IntentionActionAllow)
		}
	}
	return out
}

// PlanResources returns one change per service-intentions entry in which the app owns or wants sources. An
// upstream whose destination looks like the "<app>-<process>" form of a service that is registered under
// its skiff name is a *change.DiagnosticsError pointing at the destination.
func (in *Intentions) PlanResources(ctx context.Context, app *jobspec.App) ([]*change.Change, error) {
	if err := in.checkDestinations(ctx, app); err != nil {
		return nil, err
	}
	plans, err := in.plan(ctx, app.Namespace, app.Name, Desired(app))
	if err != nil {
		return nil, err
	}
	registered, err := in.registered(ctx)
	if err != nil {
		return nil, err
	}
	destinations := map[string]bool{}
	for _, u := range app.Upstreams {
		destinations[UpstreamService(u)] = true
	}
	var out []*change.Change
	for _, p := range plans {
		ch := p.change(app.Namespace)
		switch {
		case len(p.want) > 0 && !registered[p.name]:
			ch.Notes = append(ch.Notes, fmt.Sprintf("no service %q is registered in Consul yet", p.name))
		case destinations[p.name]:
			meshed, _, err := in.consul.Catalog().Connect(p.name, "", (&consulapi.QueryOptions{}).WithContext(ctx))
			if err != nil {
				return nil, fmt.Errorf("listing Connect instances of %q: %w", p.name, err)
			}
			if len(meshed) == 0 {
				ch.Notes = append(ch.Notes, fmt.Sprintf("%q is registered but has no Connect sidecar, so the upstream "+
					"cannot reach it: deploy its app into the mesh (connect { mesh = true } in the platform config)", p.name))
			}
		}
		out = append(out, ch)
	}
	return out, nil
}

// System reports "consul".
func (in *Intentions) System() string { return "consul" }

// Uses reports true: every app registers its services in Consul, and Consul holds skiff's releases.
func (in *Intentions) Uses(*jobspec.App) bool { return true }

// ApplyResources adds the app's new sources to every entry that needs them and removes none, so that callers
// of the running release keep their access until the new release is healthy; each entry is written with
// check-and-set so that other apps' concurrent changes are kept.
func (in *Intentions) ApplyResources(ctx context.Context, app *jobspec.App) error {
	want := Desired(app)
	plans, err := in.plan(ctx, app.Namespace, app.Name, want)
	if err != nil {
		return err
	}
	widened := map[string]map[string]consulapi.IntentionAction{}
	for _, p := range plans {
		if len(p.want) == 0 && p.live == nil {
			continue
		}
		w := map[string]consulapi.IntentionAction{}
		for src, a := range p.owned {
			w[src] = a
		}
		for src, a := range p.want {
			if cur, ok := w[src]; !ok || cur != consulapi.IntentionActionAllow {
				w[src] = a
			}
		}
		widened[p.name] = w
	}
	return in.apply(ctx, app.Namespace, app.Name, widened, nil)
}

// PruneResources makes the app's sources exactly what it declares: sources it no longer declares are removed.
func (in *Intentions) PruneResources(ctx context.Context, app *jobspec.App) error {
	return in.apply(ctx, app.Namespace, app.Name, Desired(app), nil)
}

// DestroyResources removes every source the app owns and deletes the entries of the app's own services (those
// in which it owns the "*" source), other apps' sources on them included.
func (in *Intentions) DestroyResources(ctx context.Context, namespace, app string) error {
	return in.apply(ctx, namespace, app, nil, func(e *consulapi.ServiceIntentionsConfigEntry) bool {
		for _, s := range e.Sources {
			if s.Name == "*" && s.Description == Owner(namespace, app) {
				return true
			}
		}
		return false
	})
}

// entryPlan is the comparison of one entry's sources owned by one app with what the app wants.
type entryPlan struct {
	name string
	// live is the entry as read, nil when it does not exist.
	live *consulapi.ServiceIntentionsConfigEntry
	// want are the app's desired sources (source name → action); owned those it has now.
	want, owned map[string]consulapi.IntentionAction
	// takeover names wanted sources that exist without skiff's mark and will be replaced.
	takeover []string
}

// plan compares want with the sources the app owns in every live entry. A wanted source that another skiff
// app owns is an error: two apps never share a source name, since sources are the apps' own services.
func (in *Intentions) plan(ctx context.Context, ns, app string, want map[string]map[string]consulapi.IntentionAction) ([]*entryPlan, error) {
	entries, err := in.list(ctx)
	if err != nil {
		return nil, err
	}
	mark := Owner(ns, app)
	byName := map[string]*entryPlan{}
	get := func(name string) *entryPlan {
		if p := byName[name]; p != nil {
			return p
		}
		p := &entryPlan{name: name, live: entries[name], want: want[name], owned: map[string]consulapi.IntentionAction{}}
		byName[name] = p
		return p
	}
	for name, e := range entries {
		for _, s := range e.Sources {
			if s.Description == mark {
				get(name).owned[s.Name] = s.Action
			}
		}
	}
	for name, sources := range want {
		p := get(name)
		if p.live == nil {
			continue
		}
		for _, s := range p.live.Sources {
			if _, ok := sources[s.Name]; !ok || s.Description == mark {
				continue
			}
			if strings.HasPrefix(s.Description, ownerPrefix) {
				return nil, fmt.Errorf("intention source %q on %q is %s, not for %s/%s: two apps claim one service name",
					s.Name, name, s.Description, ns, app)
			}
			p.takeover = append(p.takeover, s.Name)
		}
	}
	out := make([]*entryPlan, 0, len(byName))
	for _, p := range byName {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// list reads every service-intentions config entry, keyed by destination name.
func (in *Intentions) list(ctx context.Context) (map[string]*consulapi.ServiceIntentionsConfigEntry, error) {
	raw, _, err := in.consul.ConfigEntries().List(consulapi.ServiceIntentions, (&consulapi.QueryOptions{}).WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("listing Consul intentions: %w", err)
	}
	out := map[string]*consulapi.ServiceIntentionsConfigEntry{}
	for _, e := range raw {
		if si, ok := e.(*consulapi.ServiceIntentionsConfigEntry); ok {
			out[si.Name] = si
		}
	}
	return out, nil
}

// registered returns the set of service names in Consul's catalog.
func (in *Intentions) registered(ctx context.Context) (map[string]bool, error) {
	svcs, _, err := in.consul.Catalog().Services((&consulapi.QueryOptions{}).WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("listing Consul services: %w", err)
	}
	out := make(map[string]bool, len(svcs))
	for name := range svcs {
		out[name] = true
	}
	return out, nil
}

// apply makes every entry match want for the app's own sources, re-reading each entry before writing it.
// dropEntry, if set, selects entries to delete outright.
func (in *Intentions) apply(ctx context.Context, ns, app string, want map[string]map[string]consulapi.IntentionAction,
	dropEntry func(*consulapi.ServiceIntentionsConfigEntry) bool) error {
	plans, err := in.plan(ctx, ns, app, want)
	if err != nil {
		return err
	}
	for _, p := range plans {
		if p.live != nil && dropEntry != nil && dropEntry(p.live) {
			if err := in.deleteEntry(ctx, p.name); err != nil {
				return err
			}
			continue
		}
		if p.change(ns).Action == change.None {
			continue
		}
		if err := in.writeEntry(ctx, p.name, Owner(ns, app), p.want); err != nil {
			return err
		}
	}
	return nil
}

// writeEntry replaces the sources marked mark in the entry name by want, keeping every other source; an entry
// left without sources is deleted. It retries when another writer changed the entry in between.
func (in *Intentions) writeEntry(ctx context.Context, name, mark string, want map[string]consulapi.IntentionAction) error {
	ce := in.consul.ConfigEntries()
	for attempt := 0; attempt < casAttempts; attempt++ {
		var index uint64
		entry := &consulapi.ServiceIntentionsConfigEntry{Kind: consulapi.ServiceIntentions, Name: name}
		raw, _, err := ce.Get(consulapi.ServiceIntentions, name, (&consulapi.QueryOptions{}).WithContext(ctx))
		switch {
		case isNotFound(err):
		case err != nil:
			return fmt.Errorf("reading Consul intentions of %q: %w", name, err)
		default:
			entry = raw.(*consulapi.ServiceIntentionsConfigEntry)
			index = entry.ModifyIndex
		}
		entry.Sources = mergeSources(entry.Sources, mark, want)
		var ok bool
		w := (&consulapi.WriteOptions{}).WithContext(ctx)
		if len(entry.Sources) == 0 {
			if index == 0 {
				return nil
			}
			ok, _, err = ce.DeleteCAS(consulapi.ServiceIntentions, name, index, w)
		} else {
			ok, _, err = ce.CAS(entry, index, w)
		}
		if err != nil {
			return fmt.Errorf("writing Consul intentions of %q: %w", name, err)
		}
		if ok {
			return nil
		}
	}
	return fmt.Errorf("writing Consul intentions of %q: the entry kept changing (%d attempts)", name, casAttempts)
}

// mergeSources returns sources without those marked mark or named in want, plus want's sources marked mark,
// in a stable order: other sources first as they were, then want's by name.
func mergeSources(sources []*consulapi.SourceIntention, mark string, want map[string]consulapi.IntentionAction) []*consulapi.SourceIntention {
	var out []*consulapi.SourceIntention
	for _, s := range sources {
		if _, wanted := want[s.Name]; wanted || s.Description == mark {
			continue
		}
		out = append(out, s)
	}
	names := make([]string, 0, len(want))
	for n := range want {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		out = append(out, &consulapi.SourceIntention{Name: n, Action: want[n], Type: consulapi.IntentionSourceConsul,
			Description: mark})
	}
	return out
}

// deleteEntry deletes the entry name; a missing entry is not an error.
func (in *Intentions) deleteEntry(ctx context.Context, name string) error {
	_, err := in.consul.ConfigEntries().Delete(consulapi.ServiceIntentions, name, (&consulapi.WriteOptions{}).WithContext(ctx))
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("deleting Consul intentions of %q: %w", name, err)
	}
	return nil
}

// change returns the plan change of one entry: its sources added, removed and changed by the app.
func (p *entryPlan) change(ns string) *change.Change {
	ch := &change.Change{Resource: ResourceIntention, Name: p.name, Namespace: ns, Action: change.None}
	names := map[string]bool{}
	for n := range p.want {
		names[n] = true
	}
	for n := range p.owned {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		want, wanted := p.want[n]
		have, owned := p.owned[n]
		node := &change.DiffNode{Name: "source " + strconv.Quote(n)}
		switch {
		case wanted && !owned:
			node.Action, node.New = change.Create, string(want)
		case !wanted && owned:
			node.Action, node.Old = change.Delete, string(have)
		case want != have:
			node.Action, node.Old, node.New = change.Update, string(have), string(want)
		default:
			continue
		}
		ch.Diff = append(ch.Diff, node)
	}
	for _, n := range p.takeover {
		ch.Notes = append(ch.Notes, fmt.Sprintf("source %q exists without skiff's mark: it will be replaced", n))
	}
	if len(ch.Diff) == 0 {
		return ch
	}
	others := 0
	if p.live != nil {
		others = len(p.live.Sources) - len(p.owned)
	}
	switch {
	case p.live == nil:
		ch.Action = change.Create
	case len(p.want) == 0 && others == 0:
		ch.Action = change.Delete
	default:
		ch.Action = change.Update
	}
	return ch
}

// isNotFound reports whether err is Consul's 404.
func isNotFound(err error) bool {
	var se consulapi.StatusError
	if errors.As(err, &se) {
		return se.Code == 404
	}
	return false
}

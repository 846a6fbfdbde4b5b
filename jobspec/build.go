package jobspec

import (
	"time"

	"github.com/hashicorp/hcl/v2"
)

// buildApp converts a normalized input into the App model. It is the only conversion from input to model; it
// relies on normalizeApp having set every defaulted pointer.
func buildApp(in *appInput) *App {
	app := &App{
		Name: in.Name, Namespace: *in.Namespace, Datacenters: in.Datacenters,
		Image: deref(in.Image), Artifact: deref(in.Artifact), Driver: *in.Driver,
		Env: in.Env, Meta: in.Meta, Patch: in.Patch,
		DeclRange: in.DeclRange, NameRange: in.NameRange,
		ImageRange: orRange(in.ImageRange, in.DeclRange), ArtifactRange: orRange(in.ArtifactRange, in.DeclRange),
		EnvRanges: in.EnvRanges, MetaRanges: in.MetaRanges,
	}
	app.Constraints = buildConstraints(in.Constraints)
	for _, p := range in.Processes {
		app.Processes = append(app.Processes, buildProcess(p))
	}
	for _, b := range in.Binds {
		app.Binds = append(app.Binds, &Bind{
			Name: b.Name, Offering: deref(b.Offering), Params: b.Params, EnvPrefix: *b.EnvPrefix, Processes: b.Processes,
			DeclRange: b.DeclRange, NameRange: b.NameRange, OfferingRange: orRange(b.OfferingRange, b.DeclRange),
			ProcessesRange: orRange(b.ProcessesRange, b.DeclRange),
		})
	}
	for _, u := range in.Upstreams {
		app.Upstreams = append(app.Upstreams, &Upstream{
			Name: u.Name, Destination: *u.Destination, LocalPort: derefInt(u.LocalPort), Datacenter: *u.Datacenter,
			Processes: u.Processes, DeclRange: u.DeclRange, NameRange: u.NameRange,
			LocalPortRange: orRange(u.LocalPortRange, u.DeclRange), DestinationRange: orRange(u.DestinationRange, u.NameRange),
			ProcessesRange: orRange(u.ProcessesRange, u.DeclRange),
		})
	}
	return app
}

func buildProcess(p *processInput) *Process {
	out := &Process{
		Kind: p.Kind, Name: p.Name, Image: deref(p.Image), Artifact: deref(p.Artifact), Driver: *p.Driver,
		Command: p.Command, Env: p.Env, Meta: p.Meta, Count: *p.Count, Ports: p.Ports, Patch: p.Patch,
		DeclRange: p.DeclRange, NameRange: p.NameRange, CountRange: orRange(p.CountRange, p.DeclRange),
		ScheduleRange: orRange(p.ScheduleRange, p.DeclRange), EnvRanges: p.EnvRanges, MetaRanges: p.MetaRanges,
		Schedule: deref(p.Schedule), TimeZone: deref(p.TimeZone), ProhibitOverlap: derefBool(p.ProhibitOverlap),
		Payload: deref(p.Payload), MetaRequired: p.MetaRequired, MetaOptional: p.MetaOptional,
		Timeout: derefDur(p.Timeout), ShutdownDelay: derefDur(p.ShutdownDelay),
	}
	r := p.Resources
	out.Resources = &Resources{CPU: *r.CPU, Memory: *r.Memory, MemoryMax: *r.MemoryMax, DeclRange: r.DeclRange}
	for _, r := range p.Routes {
		out.Routes = append(out.Routes, &Route{
			Host: *r.Host, Path: *r.Path, Strip: *r.Strip, HTTPSOnly: *r.HTTPSOnly, Redirect: deref(r.Redirect),
			RedirectCode: *r.RedirectCode, DeclRange: r.DeclRange,
			HostRange: orRange(r.HostRange, r.DeclRange), PathRange: orRange(r.PathRange, r.DeclRange),
		})
	}
	if h := p.Health; h != nil {
		out.Health = &Health{
			Type: *h.Type, Path: *h.Path, Port: *h.Port, Interval: *h.Interval, Timeout: *h.Timeout,
			DeclRange: h.DeclRange, PortRange: orRange(h.PortRange, h.DeclRange),
		}
		if h.CheckRestart {
			out.Health.CheckRestart = &CheckRestart{Limit: *h.RestartLimit, Grace: *h.RestartGrace, DeclRange: h.CheckRestartRange}
		}
	}
	if r := p.Rollout; r != nil && p.Kind.IsService() {
		out.Rollout = &Rollout{
			Strategy: *r.Strategy, MaxParallel: *r.MaxParallel, Canary: *r.Canary, AutoPromote: *r.AutoPromote,
			AutoRevert: *r.AutoRevert, MinHealthyTime: *r.MinHealthyTime, HealthyDeadline: *r.HealthyDeadline,
			ProgressDeadline: *r.Progress, CanaryWeight: *r.CanaryWeight, DeclRange: r.DeclRange,
		}
	}
	if a := p.Autoscale; a != nil {
		out.Autoscale = &Autoscale{Min: *a.Min, Max: *a.Max, CPU: *a.CPU, Memory: *a.Mem, Policy: a.Policy, DeclRange: a.DeclRange}
	}
	for _, v := range p.Volumes {
		out.Volumes = append(out.Volumes, &Volume{
			Name: v.Name, Type: *v.Type, Source: *v.Source, Destination: deref(v.Dest), ReadOnly: *v.ReadOnly,
			DeclRange: v.DeclRange,
		})
	}
	out.Constraints = buildConstraints(p.Constraints)
	return out
}

func buildConstraints(in []*constraintInput) []*Constraint {
	var out []*Constraint
	for _, c := range in {
		out = append(out, &Constraint{Attribute: *c.Attribute, Operator: *c.Operator, Value: *c.Value, DeclRange: c.DeclRange})
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefInt(i *int) int {
	if i == nil {
		return 0
	}
	return *i
}

func derefBool(b *bool) bool {
	return b != nil && *b
}

func derefDur(d *time.Duration) time.Duration {
	if d == nil {
		return 0
	}
	return *d
}

// orRange returns r, or fallback when r is the zero range (the argument was not set).
func orRange(r, fallback hcl.Range) hcl.Range {
	if r == (hcl.Range{}) {
		return fallback
	}
	return r
}

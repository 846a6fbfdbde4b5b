package server

import (
	"context"
	"fmt"
	"sync"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/planner"
	"github.com/skiffpaas/skiff/planner/compile"
	"github.com/skiffpaas/skiff/server/readmodel"
)

// statusReader answers status from the read model (fed by Nomad's event stream) instead of a round of Nomad
// and Consul queries per request: counts and deployments come from the model, what only the job spec says
// (group kinds, service names, cron schedules) from a cache of job specs keyed by version, and the releases
// from their two Consul keys. Healthy counts instances whose allocation Nomad marked healthy. Before the model's
// first full read, or without a model, it answers as the CLI does (planner.Stack.Status).
type statusReader struct {
	stack    *planner.Stack
	model    *readmodel.Model
	mu       sync.Mutex
	specs    map[specKey]*nomadapi.Job
	releases map[readmodel.AppRef]cachedReleases
}

// cachedReleases are an app's live and latest releases as read at a time. They are kept for releaseTTL, and
// dropped as soon as a deployment this server runs changes the app; a release made by another process (the
// direct-mode CLI) shows within releaseTTL.
type cachedReleases struct {
	at           time.Time
	live, latest *planner.Release
}

const releaseTTL = time.Second

// invalidate drops the app's cached releases.
func (r *statusReader) invalidate(ns, app string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.releases, readmodel.AppRef{Namespace: ns, App: app})
}

// liveAndLatest returns the app's live release and, when it is another one, its newest.
func (r *statusReader) liveAndLatest(ctx context.Context, ns, app string) (live, latest *planner.Release, err error) {
	key := readmodel.AppRef{Namespace: ns, App: app}
	r.mu.Lock()
	c, ok := r.releases[key]
	r.mu.Unlock()
	if ok && time.Since(c.at) < releaseTTL {
		return c.live, c.latest, nil
	}
	at := time.Now()
	head, err := r.stack.Releases.Head(ctx, ns, app)
	if err != nil {
		return nil, nil, err
	}
	if head.Live > 0 {
		if live, err = r.stack.Releases.Get(ctx, ns, app, head.Live); err != nil {
			return nil, nil, err
		}
	}
	if head.Latest > head.Live {
		if latest, err = r.stack.Releases.Get(ctx, ns, app, head.Latest); err != nil {
			return nil, nil, err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.releases) > 10000 {
		r.releases = map[readmodel.AppRef]cachedReleases{}
	}
	r.releases[key] = cachedReleases{at: at, live: live, latest: latest}
	return live, latest, nil
}

type specKey struct {
	ns, id  string
	version uint64
}

func (r *statusReader) ready() bool {
	if r.model == nil {
		return false
	}
	select {
	case <-r.model.Ready():
		return true
	default:
		return false
	}
}

// status returns the app's status.
func (r *statusReader) status(ctx context.Context, ns, app string) (*planner.AppStatus, error) {
	if !r.ready() {
		return r.stack.Status(ctx, ns, app)
	}
	view, ok := r.model.App(ns, app)
	if !ok {
		return r.stack.Status(ctx, ns, app) // no jobs: the library says why (never deployed, destroy unfinished)
	}
	st := &planner.AppStatus{App: app, Namespace: ns}
	var err error
	if st.Release, st.Latest, err = r.liveAndLatest(ctx, ns, app); err != nil {
		return nil, err
	}
	for _, jv := range view.Jobs {
		if jv.ParentID != "" || jv.Stop || jv.Kind == compile.KindRun {
			continue
		}
		spec, err := r.spec(ctx, ns, jv)
		if err != nil {
			return nil, err
		}
		st.Processes = append(st.Processes, processes(jv, spec)...)
		if d := jv.Deployment; d != nil && (jv.Type == nomadapi.JobTypeService || jv.Type == nomadapi.JobTypeSystem) {
			st.Deployments = append(st.Deployments, planner.DeploymentStatus{JobID: jv.ID, ID: d.ID,
				JobVersion: d.JobVersion, Status: d.Status, Description: d.Description})
		}
	}
	return st, nil
}

// processes turns one job of the view into its processes' status, in the job's group order.
func processes(jv readmodel.JobView, spec *nomadapi.Job) []planner.ProcessStatus {
	groups := map[string]*nomadapi.TaskGroup{}
	for _, g := range spec.TaskGroups {
		groups[*g.Name] = g
	}
	var out []planner.ProcessStatus
	for _, gv := range jv.Groups {
		g := groups[gv.Name]
		if g == nil {
			continue // a group only older allocations still have
		}
		ps := planner.ProcessStatus{Name: gv.Name, Kind: jv.Kind, JobID: jv.ID, Desired: gv.Desired,
			Running: gv.Allocs.Running, Failed: gv.Allocs.Failed, Healthy: gv.Allocs.Healthy}
		if jv.Kind == compile.KindService {
			ps.Kind = g.Meta[compile.MetaKind]
		}
		for _, svc := range g.Services {
			ps.Service, ps.DNS = svc.Name, svc.Name+".service.consul"
		}
		if spec.Periodic != nil && spec.Periodic.Spec != nil {
			if next, err := spec.Periodic.Next(time.Now()); err == nil {
				ps.NextRun = &next
			}
		}
		out = append(out, ps)
	}
	return out
}

// spec returns the job spec of the view's version, from the cache or Nomad.
func (r *statusReader) spec(ctx context.Context, ns string, jv readmodel.JobView) (*nomadapi.Job, error) {
	key := specKey{ns: ns, id: jv.ID, version: jv.Version}
	r.mu.Lock()
	j := r.specs[key]
	r.mu.Unlock()
	if j != nil {
		return j, nil
	}
	j, _, err := r.stack.Nomad.Jobs().Info(jv.ID, (&nomadapi.QueryOptions{Namespace: ns}).WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("reading job %q: %w", jv.ID, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.specs) > 10000 {
		r.specs = map[specKey]*nomadapi.Job{} // bounded: specs are re-read on demand
	}
	r.specs[specKey{ns: ns, id: jv.ID, version: *j.Version}] = j
	return j, nil
}

// counts fills the instance counts of an app's summary from the read model, when it is ready.
func (r *statusReader) counts(ns, app string, sum *AppSummary) {
	if !r.ready() {
		return
	}
	desired, running := 0, 0
	if view, ok := r.model.App(ns, app); ok {
		for _, jv := range view.Jobs {
			if jv.ParentID != "" || jv.Stop || (jv.Type != nomadapi.JobTypeService && jv.Type != nomadapi.JobTypeSystem) {
				continue
			}
			for _, g := range jv.Groups {
				desired += g.Desired
				running += g.Allocs.Running
			}
		}
	}
	sum.Desired, sum.Running = &desired, &running
}

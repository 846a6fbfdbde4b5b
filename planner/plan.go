package planner

import (
	"context"
	"fmt"
	"github.com/skiffpaas/skiff/planner/compile"
	"github.com/skiffpaas/skiff/planner/release"
	"sort"
	"strconv"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/jobspec"
)

// Resource types of the planner's own Changes; Consul, Vault and Fabio objects join the same plan.
const (
	ResourceNomadJob = "nomad_job"
)

// Plan is the difference between an app's spec and the live stack.
type Plan struct {
	App       string `json:"app"`
	Namespace string `json:"namespace"`
	// Release is the app's live release (0: never deployed); a deploy of this plan records release Next.
	Release int `json:"release"`
	Next    int `json:"next_release"`
	// Changes lists every object, changed or not, in apply order; prunes come last.
	Changes  []*Change `json:"changes"`
	Warnings []string  `json:"warnings,omitempty"`

	desired *compile.Desired
	// jobs holds the live version and job modify index of every desired job that exists.
	jobs map[string]liveJob
	// resources are the planners the plan consulted: those whose system the spec or the live release uses.
	resources []ResourcePlanner
	// secretVersions are the config versions the desired jobs read.
	secretVersions map[string]int
}

// liveJob is what the plan saw of a live job: registering over it enforces that nothing changed since.
type liveJob struct {
	version, modifyIndex uint64
}

// HasChanges reports whether applying the plan would change anything.
func (p *Plan) HasChanges() bool {
	for _, c := range p.Changes {
		if c.Action != ActionNone {
			return true
		}
	}
	return false
}

// changed reports whether the plan changes the Nomad job id.
func (p *Plan) changed(id string) bool {
	for _, c := range p.Changes {
		if c.Resource == ResourceNomadJob && c.Name == id {
			return c.Action != ActionNone
		}
	}
	return false
}

// summary returns one line per change ("+ nomad_job shop-report").
func (p *Plan) summary() []string {
	sym := map[Action]string{ActionCreate: "+", ActionUpdate: "~", ActionDelete: "-"}
	var out []string
	for _, c := range p.Changes {
		if c.Action != ActionNone {
			out = append(out, sym[c.Action]+" "+c.Resource+" "+c.Name)
		}
	}
	return out
}

// Plan compiles app against the live release and diffs every job through Nomad's plan API; managed jobs of
// the app that the spec no longer has are planned for deletion (prune). Systems that neither the spec nor the
// live release uses are not read (Vault may be down for an app without secrets or binds).
func (s *Stack) Plan(ctx context.Context, app *jobspec.App) (*Plan, error) {
	live, err := s.liveJobs(ctx, app.Namespace, app.Name)
	if err != nil {
		return nil, err
	}
	head, err := s.Releases.Head(ctx, app.Namespace, app.Name)
	if err != nil {
		return nil, err
	}
	var liveRec *release.Record
	if head.Live > 0 {
		if liveRec, err = s.Releases.Get(ctx, app.Namespace, app.Name, head.Live); err != nil {
			return nil, err
		}
	}
	plan := &Plan{App: app.Name, Namespace: app.Namespace, Release: head.Live, Next: head.Latest + 1,
		resources: s.resourcesFor(app, liveRec)}
	opts, err := s.compileOptions(ctx, app, plan.Release)
	if err != nil {
		return nil, err
	}
	plan.secretVersions = opts.SecretVersions
	if plan.desired, err = compile.Compile(app, opts); err != nil {
		return nil, err
	}
	plan.Warnings = plan.desired.Warnings
	if plan.jobs, err = s.checkOwnership(ctx, plan.desired); err != nil {
		return nil, err
	}
	wanted := map[string]bool{}
	for _, job := range plan.desired.AllJobs() {
		wanted[*job.ID] = true
		ch, err := s.planJob(ctx, job, live[*job.ID] != nil)
		if err != nil {
			return nil, err
		}
		plan.Changes = append(plan.Changes, ch)
	}
	var prune []string
	for id, stub := range live {
		if !wanted[id] && !stub.Stop {
			prune = append(prune, id)
		}
	}
	sort.Strings(prune)
	for _, id := range prune {
		plan.Changes = append(plan.Changes, &Change{Resource: ResourceNomadJob, Name: id, Namespace: app.Namespace,
			Action: ActionDelete, Notes: []string{"no longer in the spec: the job is stopped and purged"}})
	}
	for _, rp := range plan.resources {
		changes, err := rp.PlanResources(ctx, app)
		if err != nil {
			return nil, err
		}
		plan.Changes = append(plan.Changes, changes...)
	}
	return plan, nil
}

// resourcesFor returns the planners whose system app or the live release uses.
func (s *Stack) resourcesFor(app *jobspec.App, live *release.Record) []ResourcePlanner {
	var out []ResourcePlanner
	for _, rp := range s.Resources {
		if rp.Uses(app) || live.Uses(rp.System()) {
			out = append(out, rp)
		}
	}
	return out
}

// systemsOf lists the systems app has objects in (release records keep it).
func (s *Stack) systemsOf(app *jobspec.App) []string {
	seen := map[string]bool{}
	var out []string
	for _, rp := range s.Resources {
		if sys := rp.System(); rp.Uses(app) && !seen[sys] {
			seen[sys] = true
			out = append(out, sys)
		}
	}
	sort.Strings(out)
	return out
}

func (s *Stack) planJob(ctx context.Context, job *nomadapi.Job, exists bool) (*Change, error) {
	w := (&nomadapi.WriteOptions{Namespace: *job.Namespace}).WithContext(ctx)
	resp, _, err := s.Nomad.Jobs().PlanOpts(job, &nomadapi.PlanOptions{Diff: true}, w)
	if err != nil {
		return nil, fmt.Errorf("planning job %q: %w", *job.ID, err)
	}
	ch := &Change{Resource: ResourceNomadJob, Name: *job.ID, Namespace: *job.Namespace, Action: ActionNone}
	if resp.Diff != nil {
		switch resp.Diff.Type {
		case "Added":
			ch.Action = ActionCreate
		case "Edited":
			if ch.Diff = jobDiffNodes(resp.Diff); len(ch.Diff) > 0 {
				ch.Action = ActionUpdate
			}
		case "Deleted":
			ch.Action = ActionDelete
		}
	}
	if !exists && ch.Action == ActionNone {
		ch.Action = ActionCreate
	}
	for tg, m := range resp.FailedTGAllocs {
		ch.Notes = append(ch.Notes, fmt.Sprintf("group %q cannot be placed now: %d node(s) evaluated, %d filtered, "+
			"%d exhausted", tg, m.NodesEvaluated, m.NodesFiltered, m.NodesExhausted))
	}
	if resp.Warnings != "" {
		ch.Notes = append(ch.Notes, "nomad: "+resp.Warnings)
	}
	sort.Strings(ch.Notes)
	return ch, nil
}

// liveJobs returns the app's managed jobs in namespace, keyed by ID. Dispatched and periodic children are not
// included: they belong to their parent.
func (s *Stack) liveJobs(ctx context.Context, namespace, app string) (map[string]*nomadapi.JobListStub, error) {
	// Job list stubs carry meta only when asked for it.
	q := (&nomadapi.QueryOptions{Namespace: namespace, Params: map[string]string{"meta": "true"}}).WithContext(ctx)
	stubs, _, err := s.Nomad.Jobs().List(q)
	if err != nil {
		return nil, fmt.Errorf("listing jobs in namespace %q: %w", namespace, err)
	}
	out := map[string]*nomadapi.JobListStub{}
	for _, j := range stubs {
		if j.ParentID != "" || j.Meta[compile.MetaManagedBy] != compile.ManagedBy || j.Meta[compile.MetaApp] != app || j.Meta[compile.MetaKind] == compile.KindRun {
			continue
		}
		out[j.ID] = j
	}
	return out, nil
}

// checkOwnership refuses to plan over a job with a desired ID that skiff does not manage for this app, and
// returns what it read of the desired jobs that exist.
func (s *Stack) checkOwnership(ctx context.Context, d *compile.Desired) (map[string]liveJob, error) {
	out := map[string]liveJob{}
	for _, job := range d.AllJobs() {
		q := (&nomadapi.QueryOptions{Namespace: d.Namespace}).WithContext(ctx)
		live, _, err := s.Nomad.Jobs().Info(*job.ID, q)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading job %q: %w", *job.ID, err)
		}
		if live.Meta[compile.MetaManagedBy] != compile.ManagedBy || live.Meta[compile.MetaApp] != d.App.Name {
			owner := "not managed by skiff"
			if a := live.Meta[compile.MetaApp]; a != "" {
				owner = "managed by skiff for app " + strconv.Quote(a)
			}
			return nil, fmt.Errorf("job %q in namespace %q already exists and is %s: rename the process or the app",
				*job.ID, d.Namespace, owner)
		}
		out[*job.ID] = liveJob{version: *live.Version, modifyIndex: *live.JobModifyIndex}
	}
	return out, nil
}

package planner

import (
	"context"
	"fmt"
	"github.com/skiffpaas/skiff/planner/compile"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/jobspec"
)

// DeployOptions control Deploy and Rollback.
type DeployOptions struct {
	// Detach returns once the jobs are registered, without watching their deployments. Release tasks are still
	// waited for: they gate the rollout.
	Detach bool
	// Progress, if set, receives progress events as they happen.
	Progress func(Event)
	// CreatedBy is recorded on the release (a user or token name).
	CreatedBy string
}

func (o DeployOptions) emit(e Event) {
	if o.Progress != nil {
		if e.Time.IsZero() {
			e.Time = time.Now()
		}
		o.Progress(e)
	}
}

// Result is the outcome of a Deploy or Rollback that did not fail.
type Result struct {
	// Plan is what was applied (nil for a rollback).
	Plan *Plan `json:"plan,omitempty"`
	// Release is the release that was created, or nil when nothing changed.
	Release *Release `json:"release,omitempty"`
	// Notes say what the caller should know (a deployment awaiting manual promotion, a detached watch).
	Notes []string `json:"notes,omitempty"`
}

// applySet is one ordered apply: run, register, watch, prune, record.
type applySet struct {
	namespace, app, specHash string
	number                   int
	description              string
	// run are release jobs dispatched once, in order, before register; timeouts bound each run.
	run      []*nomadapi.Job
	timeouts map[string]time.Duration
	// register are the jobs registered after the release tasks (release job parents included).
	register []*nomadapi.Job
	prune    []string
	// spec is the spec being deployed; nil for a rollback, which restores jobs only.
	spec *jobspec.App
}

// Deploy applies app to the stack: plan → release tasks (waited for; a failure aborts before any other job
// changes) → register jobs → watch deployments until healthy or failed → prune jobs the spec no longer has →
// record the release. A spec that matches the live release changes nothing and records nothing. A failed
// deploy returns a *DeployError with per-allocation reasons.
func (s *Stack) Deploy(ctx context.Context, app *jobspec.App, opts DeployOptions) (*Result, error) {
	plan, err := s.Plan(ctx, app)
	if err != nil {
		return nil, err
	}
	res := &Result{Plan: plan}
	if !plan.HasChanges() {
		opts.emit(Event{Kind: EventStep, Message: fmt.Sprintf("No changes: release %d matches the spec.", plan.Release)})
		return res, nil
	}
	next := plan.Release + 1
	copts, err := s.compileOptions(ctx, app, next)
	if err != nil {
		return nil, err
	}
	desired, err := compile.Compile(app, copts)
	if err != nil {
		return nil, err
	}
	set := &applySet{namespace: app.Namespace, app: app.Name, specHash: app.SpecHash, number: next,
		description: "deploy", run: desired.ReleaseJobs, register: desired.AllJobs(), timeouts: map[string]time.Duration{}}
	for _, p := range app.Processes {
		if p.Kind == jobspec.KindRelease {
			set.timeouts[compile.JobID(app.Name, p.Name)] = p.Timeout
		}
	}
	for _, c := range plan.Changes {
		if c.Resource == ResourceNomadJob && c.Action == ActionDelete {
			set.prune = append(set.prune, c.Name)
		}
	}
	set.spec = app
	res.Release, res.Notes, err = s.apply(ctx, set, opts)
	return res, err
}

// apply runs set in order and records the release when every step succeeded.
func (s *Stack) apply(ctx context.Context, set *applySet, opts DeployOptions) (*Release, []string, error) {
	if err := s.ensureNamespace(ctx, set.namespace); err != nil {
		return nil, nil, err
	}
	if err := s.applyResources(ctx, set.spec, true); err != nil {
		return nil, nil, err
	}
	w := (&nomadapi.WriteOptions{Namespace: set.namespace}).WithContext(ctx)
	for _, job := range set.run {
		opts.emit(Event{Kind: EventStep, Job: *job.ID, Message: fmt.Sprintf("Running release task %s", *job.ID)})
		if _, _, err := s.Nomad.Jobs().Register(job, w); err != nil {
			return nil, nil, fmt.Errorf("registering release job %q: %w", *job.ID, err)
		}
		if err := s.runOnce(ctx, job, set.timeouts[*job.ID], opts); err != nil {
			return nil, nil, err
		}
	}
	versions := map[string]uint64{}
	evals := map[string]string{}
	for _, job := range set.register {
		resp, _, err := s.Nomad.Jobs().Register(job, w)
		if err != nil {
			return nil, nil, fmt.Errorf("registering job %q: %w", *job.ID, err)
		}
		evals[*job.ID] = resp.EvalID
		live, _, err := s.Nomad.Jobs().Info(*job.ID, (&nomadapi.QueryOptions{Namespace: set.namespace}).WithContext(ctx))
		if err != nil {
			return nil, nil, fmt.Errorf("reading job %q after registering it: %w", *job.ID, err)
		}
		versions[*job.ID] = *live.Version
		opts.emit(Event{Kind: EventStep, Job: *job.ID, Message: fmt.Sprintf("Registered job %s (version %d)", *job.ID, *live.Version)})
	}
	var notes []string
	if opts.Detach {
		notes = append(notes, "detached: deployments were not watched (see `skiff status`)")
	} else {
		for _, job := range set.register {
			if t := *job.Type; t != nomadapi.JobTypeService && t != nomadapi.JobTypeSystem {
				continue
			}
			res, err := s.watch(ctx, registration{Job: job, Version: versions[*job.ID], EvalID: evals[*job.ID]}, opts, nil)
			if err != nil {
				return nil, nil, err
			}
			if res.Note != "" {
				notes = append(notes, res.Note)
			}
		}
	}
	if err := s.applyResources(ctx, set.spec, false); err != nil {
		return nil, notes, err
	}
	for _, id := range set.prune {
		if _, _, err := s.Nomad.Jobs().Deregister(id, true, w); err != nil {
			return nil, notes, fmt.Errorf("pruning job %q: %w", id, err)
		}
		opts.emit(Event{Kind: EventStep, Job: id, Message: fmt.Sprintf("Pruned job %s (no longer in the spec)", id)})
	}
	rel := &Release{Number: set.number, SpecHash: set.specHash, Jobs: versions, Description: set.description,
		CreatedAt: time.Now().UTC(), CreatedBy: opts.CreatedBy}
	if err := s.Releases.Record(ctx, set.namespace, set.app, rel, set.register); err != nil {
		return nil, notes, err
	}
	opts.emit(Event{Kind: EventStep, Message: fmt.Sprintf("Release %d recorded", set.number)})
	return rel, notes, nil
}

// ensureNamespace creates the Nomad namespace if it does not exist.
func (s *Stack) ensureNamespace(ctx context.Context, ns string) error {
	_, _, err := s.Nomad.Namespaces().Info(ns, (&nomadapi.QueryOptions{}).WithContext(ctx))
	if err == nil {
		return nil
	}
	if !isNotFound(err) {
		return fmt.Errorf("reading namespace %q: %w", ns, err)
	}
	_, err = s.Nomad.Namespaces().Register(&nomadapi.Namespace{Name: ns,
		Description: "created by skiff", Meta: map[string]string{compile.MetaManagedBy: compile.ManagedBy}},
		(&nomadapi.WriteOptions{}).WithContext(ctx))
	if err != nil {
		return fmt.Errorf("creating namespace %q: %w", ns, err)
	}
	return nil
}

// applyResources runs the other systems' planners of one stage: ApplyResources (additions) before any job
// changes, PruneResources (removals) after the new release is healthy. A rollback (spec nil) restores jobs only.
func (s *Stack) applyResources(ctx context.Context, spec *jobspec.App, early bool) error {
	if spec == nil {
		return nil
	}
	for _, rp := range s.Resources {
		var err error
		if early {
			err = rp.ApplyResources(ctx, spec)
		} else {
			err = rp.PruneResources(ctx, spec)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

package planner

import (
	"context"
	"errors"
	"fmt"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner/release"
)

// applySet is one ordered apply of a release.
type applySet struct {
	namespace string
	// app is the model the other systems' objects derive from (the spec, or a rollback target's snapshot).
	app *jobspec.App
	rec *Release
	// live is the release the app ran before (0: none): a failure returns every job to it.
	live int
	// resources are applied before the jobs and pruned after them.
	resources []ResourcePlanner
	// run are the release jobs dispatched once each, in order, before the other jobs are registered.
	run      []*nomadapi.Job
	timeouts map[string]time.Duration
	// jobs are every job of the release (release job parents included); changed says which to register, and
	// enforce the job modify index each was planned against (0: it must not exist).
	jobs    []*nomadapi.Job
	changed map[string]bool
	enforce map[string]uint64
	prune   []string
}

// ReleaseFailedError is the error of a release that failed: every job of the app was returned to release
// RevertedTo (0: the app had no live release, and the release's jobs were stopped).
type ReleaseFailedError struct {
	Release    int
	RevertedTo int
	// Err is why the release failed (a *DeployError when the stack reported it).
	Err error
	// RevertErr is set when returning the jobs to RevertedTo failed too.
	RevertErr error
}

func (e *ReleaseFailedError) Error() string {
	return fmt.Sprintf("release %d failed: %v; %s", e.Release, e.Err, e.Outcome())
}

// Outcome says what the app runs after the failure.
func (e *ReleaseFailedError) Outcome() string {
	switch {
	case e.RevertErr != nil:
		return fmt.Sprintf("returning the app's jobs to release %d failed too: %v", e.RevertedTo, e.RevertErr)
	case e.RevertedTo > 0:
		return fmt.Sprintf("every job of the app runs release %d again", e.RevertedTo)
	default:
		return "the release's jobs were stopped (the app had no earlier release)"
	}
}

func (e *ReleaseFailedError) Unwrap() error { return e.Err }

// apply runs set in order, recording each step on the release so that a process that dies leaves a record
// that says how far it got. It returns the notes of a release that succeeded (or was detached).
func (s *Stack) apply(ctx context.Context, set *applySet, opts DeployOptions) ([]string, error) {
	ns, rec := set.namespace, set.rec
	if err := s.phase(ctx, rec, release.PhaseResources); err != nil {
		return nil, err
	}
	if err := s.ensureNamespace(ctx, ns); err != nil {
		return nil, s.fail(ctx, set, err)
	}
	for _, rp := range set.resources {
		if err := rp.ApplyResources(ctx, set.app); err != nil {
			return nil, s.fail(ctx, set, err)
		}
	}
	if err := s.phase(ctx, rec, release.PhaseReleaseTasks); err != nil {
		return nil, err
	}
	for _, job := range set.run {
		if _, err := s.register(ctx, set, job, opts); err != nil {
			return nil, s.fail(ctx, set, err)
		}
		if err := s.runReleaseTask(ctx, set, job, opts); err != nil {
			return nil, s.fail(ctx, set, err)
		}
	}
	if err := s.phase(ctx, rec, release.PhaseRegister); err != nil {
		return nil, err
	}
	var regs []registration
	for _, job := range set.jobs {
		if isReleaseJob(set, job) {
			continue
		}
		evalID, err := s.register(ctx, set, job, opts)
		if err != nil {
			return nil, s.fail(ctx, set, err)
		}
		if set.changed[*job.ID] {
			regs = append(regs, registration{Job: job, Version: rec.Jobs[*job.ID], EvalID: evalID})
		}
	}
	if opts.Detach {
		rec.Detached = true
		if err := s.pruneJobs(ctx, set, opts); err != nil {
			return nil, err
		}
		if err := s.phase(ctx, rec, release.PhaseWatch); err != nil {
			return nil, err
		}
		return []string{fmt.Sprintf("detached: release %d is deploying; `skiff releases` shows what Nomad made of it", rec.Number)}, nil
	}
	if err := s.phase(ctx, rec, release.PhaseWatch); err != nil {
		return nil, err
	}
	var notes []string
	for _, reg := range regs {
		if t := *reg.Job.Type; t != nomadapi.JobTypeService && t != nomadapi.JobTypeSystem {
			continue
		}
		res, err := s.watch(ctx, reg, opts, func(id string) error {
			if rec.Deployments == nil {
				rec.Deployments = map[string]string{}
			}
			rec.Deployments[*reg.Job.ID] = id
			return s.Releases.Update(ctx, ns, set.app.Name, rec)
		})
		if err != nil {
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				return nil, s.interrupted(set, err)
			}
			return nil, s.fail(ctx, set, err)
		}
		if res.Note != "" {
			notes = append(notes, res.Note) // canaries healthy, waiting for a manual promotion
		}
	}
	if len(notes) > 0 {
		// Not healthy yet: the release stays deploying until `skiff promote` (or a later reader, from Nomad's
		// state) sees its deployments through; the removals wait for the next deploy.
		return append(notes, fmt.Sprintf("release %d stays deploying until its deployment is promoted", rec.Number)), nil
	}
	if err := s.phase(ctx, rec, release.PhasePrune); err != nil {
		return nil, err
	}
	if err := s.pruneJobs(ctx, set, opts); err != nil {
		return notes, err
	}
	for _, rp := range set.resources {
		if err := rp.PruneResources(ctx, set.app); err != nil {
			return notes, fmt.Errorf("release %d is healthy, but removing what it no longer needs failed (the next deploy retries): %w", rec.Number, err)
		}
	}
	notes = append(notes, s.tagVersions(ctx, set)...)
	rec.State, rec.Phase = release.Succeeded, ""
	if err := s.Releases.Update(ctx, ns, set.app.Name, rec); err != nil {
		return notes, err
	}
	opts.emit(Event{Kind: EventStep, Message: fmt.Sprintf("Release %d succeeded", rec.Number)})
	return notes, nil
}

func isReleaseJob(set *applySet, job *nomadapi.Job) bool {
	for _, r := range set.run {
		if *r.ID == *job.ID {
			return true
		}
	}
	return false
}

// phase records that the release entered phase p.
func (s *Stack) phase(ctx context.Context, rec *Release, p string) error {
	rec.State, rec.Phase = release.Deploying, p
	return s.Releases.Update(ctx, rec.Namespace, rec.App, rec)
}

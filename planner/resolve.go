package planner

import (
	"context"
	"fmt"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner/release"
)

// History returns the app's releases, newest first. A release left pending or deploying by a process that is
// gone (killed, detached, interrupted) is first resolved from Nomad's deployment state and written back, so any
// skiff process reports what Nomad made of it.
func (s *Stack) History(ctx context.Context, ns, app string) ([]*Release, error) {
	if _, err := s.resolvePending(ctx, ns, app, false); err != nil {
		return nil, err
	}
	return s.Releases.List(ctx, ns, app)
}

// resolvePending resolves the app's newest release when it is not final and no live process applies it. locked
// says the caller holds the deploy lock (so nobody else applies anything). It returns the newest release when it
// stays unresolved — Nomad still rolls it out, its release task still runs, or (for a locked caller) it stopped
// before registering any job and may be adopted by a deploy of the same spec — else nil.
func (s *Stack) resolvePending(ctx context.Context, ns, app string, locked bool) (*Release, error) {
	head, err := s.Releases.Head(ctx, ns, app)
	if err != nil || head.Latest == 0 || head.Latest == head.Live {
		return nil, err // the newest release is the live one: it succeeded
	}
	rec, err := s.Releases.Get(ctx, ns, app, head.Latest)
	if err != nil || rec == nil || rec.State.Final() {
		return nil, err
	}
	if !locked {
		if h, err := s.Releases.Holder(ctx, ns, app); err != nil || h != nil {
			return rec, err // a live process applies it
		}
	}
	if locked && adoptable(rec) {
		return rec, nil
	}
	state, reason, err := s.outcome(ctx, rec)
	if err != nil {
		return nil, err
	}
	if state == release.Deploying {
		return rec, nil
	}
	rec.State, rec.Reason = state, reason
	if err := s.Releases.Update(ctx, ns, app, rec); err != nil {
		return nil, err
	}
	return nil, nil
}

// adoptable reports whether a deploy of the same spec may take rec over: it registered no job but release
// jobs yet (a release task may have run; the record names its child, which is then waited for, never
// dispatched again).
func adoptable(rec *Release) bool {
	switch rec.Phase {
	case "", release.PhaseResources, release.PhaseReleaseTasks:
		return true
	}
	return false
}

// outcome works out from Nomad what became of a release whose deploying process is gone: Deploying while a
// release task or a deployment still runs, else Succeeded or Failed with the reason.
func (s *Stack) outcome(ctx context.Context, rec *Release) (release.State, string, error) {
	q := (&nomadapi.QueryOptions{Namespace: rec.Namespace}).WithContext(ctx)
	switch rec.Phase {
	case "", release.PhaseResources:
		return release.Failed, "the deploying process stopped before any job changed", nil
	case release.PhaseReleaseTasks:
		for _, child := range rec.ReleaseTasks {
			if j, _, err := s.Nomad.Jobs().Info(child, q); err == nil && *j.Status != "dead" {
				return release.Deploying, "", nil
			}
		}
		return release.Failed, "the deploying process stopped during the release task; no other job changed", nil
	case release.PhaseRegister:
		return release.Failed, "the deploying process stopped while registering jobs; the next deploy registers the rest", nil
	}
	for _, id := range rec.Registered {
		d, err := s.deploymentOf(ctx, rec, id)
		if err != nil {
			return "", "", err
		}
		if d == nil {
			continue // batch jobs and versions that need no deployment
		}
		switch d.Status {
		case "successful":
		case "failed", "cancelled":
			return release.Failed, fmt.Sprintf("deployment %s of %s version %d %s: %s", shortID(d.ID), id, d.JobVersion,
				d.Status, d.StatusDescription), nil
		default:
			return release.Deploying, "", nil
		}
	}
	reason := "resolved from Nomad after the deploying process stopped: every deployment succeeded"
	if rec.Detached {
		reason = "detached deploy; every deployment succeeded in Nomad"
	}
	return release.Succeeded, reason, nil
}

// deploymentOf returns the deployment of the release's version of job id: the recorded one, else the one
// Nomad has for that version; nil when there is none.
func (s *Stack) deploymentOf(ctx context.Context, rec *Release, id string) (*nomadapi.Deployment, error) {
	q := (&nomadapi.QueryOptions{Namespace: rec.Namespace}).WithContext(ctx)
	if depID := rec.Deployments[id]; depID != "" {
		d, _, err := s.Nomad.Deployments().Info(depID, q)
		if err != nil && !isNotFound(err) {
			return nil, fmt.Errorf("reading deployment %s of %s: %w", shortID(depID), id, err)
		}
		if err == nil {
			return d, nil
		}
	}
	deps, _, err := s.Nomad.Jobs().Deployments(id, false, q)
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading the deployments of %s: %w", id, err)
	}
	for _, d := range deps {
		if d.JobVersion == rec.Jobs[id] {
			return d, nil
		}
	}
	return nil, nil
}

// adoptOrCreate returns the record the deploy applies: an adoptable unfinished release of the same spec (its
// release task children are kept, so they never run twice), or a new release recorded with its snapshot. An
// unfinished release that is not adopted is marked superseded by the new one.
func (s *Stack) adoptOrCreate(ctx context.Context, app *jobspec.App, orphan, rec *Release, jobs []*nomadapi.Job) (*Release, error) {
	ns := app.Namespace
	if orphan != nil && adoptable(orphan) && orphan.SpecHash == app.SpecHash {
		orphan.Plan, orphan.Jobs, orphan.SecretVersions, orphan.Systems = rec.Plan, rec.Jobs, rec.SecretVersions, rec.Systems
		orphan.CreatedBy, orphan.Reason = rec.CreatedBy, "adopted by a retried deploy of the same spec"
		return orphan, s.Releases.Update(ctx, ns, app.Name, orphan)
	}
	snap, err := release.NewSnapshot(app, jobs)
	if err != nil {
		return nil, err
	}
	if err := s.Releases.Create(ctx, ns, app.Name, rec, snap); err != nil {
		return nil, err
	}
	if orphan != nil {
		orphan.State, orphan.Reason = release.Superseded, fmt.Sprintf("superseded by release %d before it finished", rec.Number)
		if err := s.Releases.Update(ctx, ns, app.Name, orphan); err != nil {
			return nil, err
		}
	}
	return rec, nil
}

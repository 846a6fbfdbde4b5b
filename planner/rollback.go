package planner

import (
	"context"
	"fmt"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
)

// Rollback restores every job of the app to the specs recorded with release n — code, config and routes
// together — as a new release, watched like a deploy. Jobs that release n did not have are pruned. Release
// tasks are registered as they were but not run: a rollback does not re-run migrations. n <= 0 means the
// release before the current one.
func (s *Stack) Rollback(ctx context.Context, namespace, app string, n int, opts DeployOptions) (*Result, error) {
	releases, err := s.Releases.List(ctx, namespace, app)
	if err != nil {
		return nil, err
	}
	if len(releases) == 0 {
		return nil, fmt.Errorf("app %q in namespace %q has no releases", app, namespace)
	}
	live, err := s.liveJobs(ctx, namespace, app)
	if err != nil {
		return nil, err
	}
	current, err := s.currentRelease(ctx, namespace, app, live)
	if err != nil {
		return nil, err
	}
	var target *Release
	for _, r := range releases {
		if (n > 0 && r.Number == n) || (n <= 0 && r.Number < releases[0].Number) {
			target = r
			break
		}
	}
	if target == nil {
		if n <= 0 {
			return nil, fmt.Errorf("app %q has only one release: there is nothing to roll back to", app)
		}
		return nil, fmt.Errorf("release %d of app %q not found (see `skiff releases`)", n, app)
	}
	jobs, err := s.Releases.Jobs(ctx, namespace, app, target.Number)
	if err != nil {
		return nil, err
	}
	set := &applySet{namespace: namespace, app: app, specHash: target.SpecHash, number: current + 1,
		description: fmt.Sprintf("rollback to release %d", target.Number), register: jobs}
	keep := map[string]bool{}
	for _, j := range jobs {
		keep[*j.ID] = true
		resetServerFields(j)
	}
	for id, stub := range live {
		if !keep[id] && !stub.Stop {
			set.prune = append(set.prune, id)
		}
	}
	opts.emit(Event{Kind: EventStep, Time: time.Now(), Message: fmt.Sprintf("Rolling back %s to release %d", app, target.Number)})
	rel, notes, err := s.apply(ctx, set, opts)
	return &Result{Release: rel, Notes: notes}, err
}

// resetServerFields clears what Nomad sets on a registered job so that the stored spec registers as new.
func resetServerFields(j *nomadapi.Job) {
	j.Version, j.Status, j.StatusDescription, j.Stable = nil, nil, nil, nil
	j.CreateIndex, j.ModifyIndex, j.JobModifyIndex, j.SubmitTime = nil, nil, nil, nil
}

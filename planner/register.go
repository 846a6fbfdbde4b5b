package planner

import (
	"context"
	"fmt"
	"sort"

	nomadapi "github.com/hashicorp/nomad/api"
)

// ChangedBehindError is returned when a job changed between the plan and the apply (someone ran `nomad job
// run` or another tool behind skiff's back): Nomad refused the registration because its job modify index moved.
type ChangedBehindError struct {
	Job              string
	Planned, Current uint64
}

func (e *ChangedBehindError) Error() string {
	if e.Planned == 0 {
		return fmt.Sprintf("job %q was created behind skiff's back since the plan: run `skiff plan` and deploy again", e.Job)
	}
	return fmt.Sprintf("job %q changed behind skiff's back since the plan (job modify index %d, now %d): run `skiff plan` "+
		"to see what changed, then deploy again", e.Job, e.Planned, e.Current)
}

// register registers job when the plan changes it, with the job modify index the plan saw (so a change made
// between plan and apply is refused), and records its version on the release. An unchanged job is left alone:
// a deploy that changes one process replaces only that process's allocations. It returns the evaluation ID
// ("" when nothing was registered).
func (s *Stack) register(ctx context.Context, set *applySet, job *nomadapi.Job, opts DeployOptions) (string, error) {
	id, rec := *job.ID, set.rec
	if !set.changed[id] {
		return "", nil
	}
	w := (&nomadapi.WriteOptions{Namespace: set.namespace}).WithContext(ctx)
	resp, _, err := s.Nomad.Jobs().RegisterOpts(job, &nomadapi.RegisterOptions{EnforceIndex: true, ModifyIndex: set.enforce[id]}, w)
	if err != nil {
		if cur := s.jobModifyIndex(ctx, set.namespace, id); cur != set.enforce[id] {
			return "", &ChangedBehindError{Job: id, Planned: set.enforce[id], Current: cur}
		}
		return "", fmt.Errorf("registering job %q: %w", id, err)
	}
	live, _, err := s.Nomad.Jobs().Info(id, (&nomadapi.QueryOptions{Namespace: set.namespace}).WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("reading job %q after registering it: %w", id, err)
	}
	rec.Jobs[id] = *live.Version
	rec.Registered = append(rec.Registered, id)
	if err := s.Releases.Update(ctx, rec.Namespace, rec.App, rec); err != nil {
		return "", err
	}
	opts.emit(Event{Kind: EventStep, Job: id, Message: fmt.Sprintf("Registered job %s (version %d)", id, *live.Version)})
	return resp.EvalID, nil
}

// jobModifyIndex returns the live job modify index of job id, 0 when it does not exist.
func (s *Stack) jobModifyIndex(ctx context.Context, ns, id string) uint64 {
	j, _, err := s.Nomad.Jobs().Info(id, (&nomadapi.QueryOptions{Namespace: ns}).WithContext(ctx))
	if err != nil || j.JobModifyIndex == nil {
		return 0
	}
	return *j.JobModifyIndex
}

// pruneJobs stops and purges the jobs the release no longer has, with their dispatched and periodic children.
func (s *Stack) pruneJobs(ctx context.Context, set *applySet, opts DeployOptions) error {
	for _, id := range set.prune {
		if err := s.purgeJob(ctx, set.namespace, id); err != nil {
			return fmt.Errorf("pruning job %q: %w", id, err)
		}
		opts.emit(Event{Kind: EventStep, Job: id, Message: fmt.Sprintf("Pruned job %s (no longer in the spec)", id)})
	}
	return nil
}

// purgeJob stops and purges job id and every child job of it (periodic launches, dispatches).
func (s *Stack) purgeJob(ctx context.Context, ns, id string) error {
	children, err := s.children(ctx, ns, id)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(children))
	for c := range children {
		ids = append(ids, c)
	}
	sort.Strings(ids)
	w := (&nomadapi.WriteOptions{Namespace: ns}).WithContext(ctx)
	for _, c := range append(ids, id) {
		if _, _, err := s.Nomad.Jobs().Deregister(c, true, w); err != nil && !isNotFound(err) {
			return err
		}
	}
	return nil
}

// tagVersions tags the job versions the release registered "skiff-release-<N>" in Nomad, so that operators see
// the release in `nomad job history`. A failed tag is a note, not a failure.
func (s *Stack) tagVersions(ctx context.Context, set *applySet) []string {
	var notes []string
	w := (&nomadapi.WriteOptions{Namespace: set.namespace}).WithContext(ctx)
	for _, id := range set.rec.Registered {
		name := fmt.Sprintf("skiff-release-%d", set.rec.Number)
		if _, err := s.Nomad.Jobs().TagVersion(id, set.rec.Jobs[id], name, set.rec.Description, w); err != nil {
			notes = append(notes, fmt.Sprintf("could not tag job %s version %d as %s: %v", id, set.rec.Jobs[id], name, err))
		}
	}
	return notes
}

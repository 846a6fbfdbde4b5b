package planner

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/planner/release"
)

// revertTimeout bounds the revert after a failure; it runs even when the deploy's context was cancelled.
const revertTimeout = 2 * time.Minute

// fail records the release failed after returning every job it registered to the live release — a release is
// all-or-nothing across the app's jobs: when the web job's deployment fails, its cron and function jobs go
// back too. Jobs new in the release are stopped. It returns the *ReleaseFailedError to report.
func (s *Stack) fail(ctx context.Context, set *applySet, cause error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), revertTimeout)
	defer cancel()
	e := &ReleaseFailedError{Release: set.rec.Number, RevertedTo: set.live, Err: cause}
	e.RevertErr = s.revert(ctx, set)
	set.rec.State, set.rec.Phase, set.rec.Reason = release.Failed, "", e.Error()
	if err := s.Releases.Update(ctx, set.namespace, set.app.Name, set.rec); err != nil && e.RevertErr == nil {
		e.RevertErr = fmt.Errorf("recording the failure: %w", err)
	}
	return e
}

// revert re-registers, for every job the release registered, the spec the live release ran (with today's
// counts), or stops the job when the live release did not have it.
func (s *Stack) revert(ctx context.Context, set *applySet) error {
	if len(set.rec.Registered) == 0 {
		return nil
	}
	prev := map[string]*nomadapi.Job{}
	if set.live > 0 {
		snap, err := s.Releases.Snapshot(ctx, set.namespace, set.app.Name, set.live)
		if err != nil {
			return err
		}
		for _, j := range snap.Jobs {
			prev[*j.ID] = j
		}
	}
	desired := map[string]*nomadapi.Job{}
	for _, j := range set.jobs {
		desired[*j.ID] = j
	}
	w := (&nomadapi.WriteOptions{Namespace: set.namespace}).WithContext(ctx)
	for i := len(set.rec.Registered) - 1; i >= 0; i-- {
		id := set.rec.Registered[i]
		old := prev[id]
		if old == nil {
			if _, _, err := s.Nomad.Jobs().Deregister(id, false, w); err != nil && !isNotFound(err) {
				return fmt.Errorf("stopping job %q: %w", id, err)
			}
			continue
		}
		j, err := restorable(old, desired[id])
		if err != nil {
			return err
		}
		if _, _, err := s.Nomad.Jobs().Register(j, w); err != nil {
			return fmt.Errorf("returning job %q to release %d: %w", id, set.live, err)
		}
	}
	return nil
}

// restorable returns a copy of a stored job spec that registers as new, with the group counts of current (the
// formation stays as it is, like Heroku's); current may be nil.
func restorable(stored, current *nomadapi.Job) (*nomadapi.Job, error) {
	b, err := json.Marshal(stored)
	if err != nil {
		return nil, err
	}
	j := &nomadapi.Job{}
	if err := json.Unmarshal(b, j); err != nil {
		return nil, err
	}
	j.Version, j.Status, j.StatusDescription, j.Stable = nil, nil, nil, nil
	j.CreateIndex, j.ModifyIndex, j.JobModifyIndex, j.SubmitTime = nil, nil, nil, nil
	j.Stop = nil
	if current != nil {
		counts := map[string]*int{}
		for _, g := range current.TaskGroups {
			counts[*g.Name] = g.Count
		}
		for _, g := range j.TaskGroups {
			if c, ok := counts[*g.Name]; ok && c != nil {
				g.Count = c
			}
		}
	}
	return j, nil
}

// interrupted reports a deploy whose watch was cut short (Ctrl-C, or the deploy lock lost): the jobs are
// registered and Nomad goes on rolling them out, so the release stays deploying until a later skiff process
// resolves it from Nomad's deployment state.
func (s *Stack) interrupted(set *applySet, err error) error {
	return fmt.Errorf("release %d: watching was interrupted (%w); its deployments go on in Nomad, and "+
		"`skiff releases %s` shows how they end", set.rec.Number, err, set.app.Name)
}

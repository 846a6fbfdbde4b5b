package planner

import (
	"context"
	"fmt"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
)

// runReleaseTask runs the release job once for the release: it dispatches a child unless the release record
// already names one (a retried or adopted release waits for that child instead of dispatching again), records
// the child before waiting, and waits for it. A failure, a run that cannot be placed, or a timeout returns a
// *DeployError; a timed-out or interrupted run is stopped.
func (s *Stack) runReleaseTask(ctx context.Context, set *applySet, job *nomadapi.Job, opts DeployOptions) error {
	ns, id, rec := *job.Namespace, *job.ID, set.rec
	w := (&nomadapi.WriteOptions{Namespace: ns}).WithContext(ctx)
	child := rec.ReleaseTasks[id]
	if child == "" {
		opts.emit(Event{Kind: EventStep, Job: id, Message: fmt.Sprintf("Running release task %s", id)})
		// The idempotency token makes a dispatch retried after a crash (before the child was recorded) return
		// the child of the first attempt instead of a second run.
		dw := (&nomadapi.WriteOptions{Namespace: ns,
			IdempotencyToken: fmt.Sprintf("skiff-release-%d-%d", rec.Number, rec.CreatedAt.UnixNano())}).WithContext(ctx)
		resp, _, err := s.Nomad.Jobs().Dispatch(id, nil, nil, fmt.Sprintf("release-%d", rec.Number), dw)
		if err != nil {
			return fmt.Errorf("dispatching release task %q: %w", id, err)
		}
		child = resp.DispatchedJobID
		if rec.ReleaseTasks == nil {
			rec.ReleaseTasks = map[string]string{}
		}
		rec.ReleaseTasks[id] = child
		if err := s.Releases.Update(ctx, rec.Namespace, rec.App, rec); err != nil {
			return err
		}
		opts.emit(Event{Kind: EventStep, Job: id, Message: fmt.Sprintf("Release task %s dispatched as %s", id, child)})
	} else {
		opts.emit(Event{Kind: EventStep, Job: id, Message: fmt.Sprintf("Release task %s already runs for release %d (%s): waiting for it", id, rec.Number, child)})
	}
	step := "release task " + id
	timeout := set.timeouts[id]
	if timeout <= 0 {
		timeout = 10 * time.Minute
	}
	status, allocID, err := s.WaitBatch(ctx, ns, child, timeout)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if err != nil {
		stop := (&nomadapi.WriteOptions{Namespace: ns}).WithContext(context.WithoutCancel(ctx))
		if _, _, derr := s.Nomad.Jobs().Deregister(child, false, stop); derr != nil {
			return fmt.Errorf("%s interrupted (%w); it may still be running as %s: %v", step, err, child, derr)
		}
		return fmt.Errorf("%s interrupted (%w): its run %s was stopped", step, err, child)
	}
	switch status {
	case nomadapi.AllocClientStatusComplete:
		opts.emit(Event{Kind: EventStep, Job: id, Message: fmt.Sprintf("Release task %s completed", id)})
		return nil
	case "timeout":
		_, _, _ = s.Nomad.Jobs().Deregister(child, false, w)
		e := &DeployError{Step: step, Reason: fmt.Sprintf("did not finish within its timeout of %s; it was stopped", timeout)}
		if allocID != "" {
			e.Allocs = []AllocFailure{s.allocFailure(ctx, ns, allocID)}
		}
		return e
	case "unplaceable":
		return &DeployError{Step: step, Reason: "could not be placed on any node: " + allocID}
	default:
		e := &DeployError{Step: step, Reason: "the run ended with status " + status + "; the deploy was aborted before any other job changed"}
		if allocID != "" {
			e.Allocs = []AllocFailure{s.allocFailure(ctx, ns, allocID)}
		}
		return e
	}
}

// WaitBatch waits until the (dispatched or one-off) batch job has a terminal allocation and returns its client
// status ("complete", "failed", "lost") and ID. It returns status "timeout" after timeout, and "unplaceable"
// (with the reason in place of the ID) when the scheduler cannot place it. One blocking query at a time.
func (s *Stack) WaitBatch(ctx context.Context, ns, jobID string, timeout time.Duration) (status, allocID string, err error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var index uint64
	placementChecked := time.Now()
	for {
		q := (&nomadapi.QueryOptions{Namespace: ns, WaitIndex: index, WaitTime: 5 * time.Second}).WithContext(ctx)
		allocs, meta, err := s.Nomad.Jobs().Allocations(jobID, true, q)
		if ctx.Err() != nil {
			return "timeout", lastAllocID(allocs), nil
		}
		if err != nil {
			return "", "", fmt.Errorf("watching job %s: %w", jobID, err)
		}
		index = meta.LastIndex
		for _, a := range allocs {
			switch a.ClientStatus {
			case nomadapi.AllocClientStatusComplete, nomadapi.AllocClientStatusFailed, nomadapi.AllocClientStatusLost:
				return a.ClientStatus, a.ID, nil
			}
		}
		if len(allocs) == 0 && time.Since(placementChecked) > 3*time.Second {
			placementChecked = time.Now()
			if reason := s.blockedReason(ctx, ns, jobID); reason != "" {
				return "unplaceable", reason, nil
			}
		}
	}
}

// blockedReason returns why the job's evaluations could not place it, or "".
func (s *Stack) blockedReason(ctx context.Context, ns, jobID string) string {
	evals, _, err := s.Nomad.Jobs().Evaluations(jobID, (&nomadapi.QueryOptions{Namespace: ns}).WithContext(ctx))
	if err != nil {
		return ""
	}
	for _, e := range evals {
		for tg, m := range e.FailedTGAllocs {
			return fmt.Sprintf("group %q: %d node(s) evaluated, %d filtered, %d exhausted %v", tg,
				m.NodesEvaluated, m.NodesFiltered, m.NodesExhausted, m.ConstraintFiltered)
		}
	}
	return ""
}

func lastAllocID(allocs []*nomadapi.AllocationListStub) string {
	if len(allocs) == 0 {
		return ""
	}
	return allocs[len(allocs)-1].ID
}

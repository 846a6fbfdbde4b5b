package planner

import (
	"context"
	"fmt"

	nomadapi "github.com/hashicorp/nomad/api"
)

// Cancel fails the running Nomad deployments of release n: Nomad stops the rollout (and auto-reverts where the
// rollout says so), the deploy watching it sees the failure and returns every job of the app to the live
// release, and the release is recorded failed. It returns an error when release n has no running deployment.
func (s *Stack) Cancel(ctx context.Context, ns, app string, n int) error {
	rec, err := s.Releases.Get(ctx, ns, app, n)
	if err != nil {
		return err
	}
	if rec == nil {
		return fmt.Errorf("release %d of app %q: %w", n, app, ErrNotDeployed)
	}
	w := (&nomadapi.WriteOptions{Namespace: ns}).WithContext(ctx)
	cancelled := 0
	for job := range rec.Deployments {
		d, err := s.deploymentOf(ctx, rec, job)
		if err != nil {
			return err
		}
		if d == nil || (d.Status != "running" && d.Status != "paused" && d.Status != "pending" && d.Status != "blocked") {
			continue
		}
		if _, _, err := s.Nomad.Deployments().Fail(d.ID, w); err != nil {
			return fmt.Errorf("cancelling deployment %s of %s: %w", shortID(d.ID), job, err)
		}
		cancelled++
	}
	if cancelled == 0 {
		return &NothingToCancelError{Release: n, State: string(rec.State)}
	}
	return nil
}

// NothingToCancelError is returned by Cancel for a release without a running deployment.
type NothingToCancelError struct {
	Release int
	State   string
}

func (e *NothingToCancelError) Error() string {
	return fmt.Sprintf("release %d has no running deployment to cancel (it is %s)", e.Release, e.State)
}

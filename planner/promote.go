package planner

import (
	"context"
	"fmt"

	nomadapi "github.com/hashicorp/nomad/api"
)

// Promote promotes the canaries of the app's running deployment (one that waits for manual promotion, as
// Deploy reports) and watches it to the end like a deploy (problems reported, traffic steering cleared when it
// ends; a failure is a *DeployError), then records the release that waited for it as succeeded. It fails when
// the app has no deployment waiting.
func (s *Stack) Promote(ctx context.Context, ns, app string, opts DeployOptions) error {
	q := (&nomadapi.QueryOptions{Namespace: ns}).WithContext(ctx)
	job, _, err := s.Nomad.Jobs().Info(app, q)
	if isNotFound(err) {
		return fmt.Errorf("app %q has no service job in namespace %q: %w", app, ns, ErrNotDeployed)
	}
	if err != nil {
		return fmt.Errorf("reading job %q: %w", app, err)
	}
	d, _, err := s.Nomad.Jobs().LatestDeployment(app, q)
	if err != nil {
		return fmt.Errorf("reading the deployments of %q: %w", app, err)
	}
	if d == nil || d.Status != "running" {
		return fmt.Errorf("app %q has no running deployment to promote: %w", app, ErrNothingToDo)
	}
	w := (&nomadapi.WriteOptions{Namespace: ns}).WithContext(ctx)
	if _, _, err := s.Nomad.Deployments().PromoteAll(d.ID, w); err != nil {
		return fmt.Errorf("promoting deployment %s: %w", shortID(d.ID), err)
	}
	opts.emit(Event{Kind: EventStep, Job: app, Message: fmt.Sprintf("Promoted deployment %s", shortID(d.ID))})
	if _, err = s.newJobWatch(job, d.JobVersion, opts).followDeployment(ctx, d.ID); err != nil {
		return err
	}
	// The release that waited for this promotion is deploying; record what Nomad made of it.
	_, err = s.resolvePending(ctx, ns, app, false)
	return err
}

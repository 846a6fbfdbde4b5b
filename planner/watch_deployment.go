package planner

import (
	"context"
	"fmt"
	"sort"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
)

// deploymentWait bounds each blocking query on a deployment, so that the allocations' task events and Consul
// checks are looked at every couple of seconds even while the deployment itself does not change.
const deploymentWait = 2 * time.Second

// followDeployment follows deployment id to its end with one blocking query at a time, reading the
// deployment's allocations and their checks after each. It returns "" when the deployment succeeded, a note
// when it waits for manual promotion, and a *DeployError when it failed. A cause no restart fixes (the driver
// cannot start a task) fails the deployment in Nomad at once, so that Nomad stops it and auto-reverts when
// configured, instead of waiting for the progress deadline.
func (w *jobWatch) followDeployment(ctx context.Context, id string) (string, error) {
	var index uint64
	var retry backoff
	last := ""
	for {
		d, meta, err := w.s.Nomad.Deployments().Info(id, w.query(ctx, index, deploymentWait))
		if err != nil {
			if err := retry.wait(ctx, queryErr(ctx, "watching deployment "+shortID(id)+" of "+w.id, err)); err != nil {
				return "", err
			}
			continue
		}
		retry.reset()
		index = nextIndex(index, meta.LastIndex)
		groups := groupProgress(d)
		if line := fmt.Sprint(d.Status, groups); line != last {
			last = line
			w.opts.emit(Event{Kind: EventProgress, Job: w.id, Message: d.StatusDescription, Groups: groups})
			if w.s.Traffic != nil {
				if err := w.s.Traffic.DeploymentChanged(ctx, w.job, d); err != nil {
					return "", fmt.Errorf("steering traffic for %s: %w", w.id, err)
				}
			}
		}
		switch d.Status {
		case nomadapi.DeploymentStatusSuccessful, nomadapi.DeploymentStatusFailed, nomadapi.DeploymentStatusCancelled:
			if w.s.Traffic != nil {
				if err := w.s.Traffic.DeploymentEnded(ctx, w.job, d); err != nil {
					return "", fmt.Errorf("steering traffic for %s: %w", w.id, err)
				}
			}
			if d.Status == nomadapi.DeploymentStatusSuccessful {
				w.opts.emit(Event{Kind: EventStep, Job: w.id, Message: fmt.Sprintf("Deployment of %s version %d is healthy", w.id, d.JobVersion)})
				return "", nil
			}
			return "", w.deploymentFailed(ctx, d)
		}
		if w.failCause != "" {
			continue // failed in Nomad; wait for the deployment to say so
		}
		allocs, _, err := w.s.Nomad.Deployments().Allocations(id, w.query(ctx, 0, 0))
		if err != nil {
			if err := retry.wait(ctx, queryErr(ctx, "reading the allocations of deployment "+shortID(id), err)); err != nil {
				return "", err
			}
			continue
		}
		checks, _ := w.allocChecks(ctx, allocs) // a Consul hiccup only delays what the checks explain
		if fatal := w.problems.observe(allocs, checks, w.since, w.emitProblem); fatal != nil {
			if err := w.failInNomad(ctx, id, fatal.line); err != nil {
				return "", err
			}
			continue
		}
		if awaitingPromotion(d, autoPromoted(w.job)) {
			return fmt.Sprintf("deployment %s of %s waits for manual promotion (its canaries are healthy): "+
				"promote it with `skiff promote %s`", shortID(d.ID), w.id, w.id), nil
		}
	}
}

// failInNomad marks deployment id failed in Nomad because of cause (one line), which becomes the reason of the
// watch's DeployError.
func (w *jobWatch) failInNomad(ctx context.Context, id, cause string) error {
	w.failCause = cause
	wo := (&nomadapi.WriteOptions{Namespace: w.ns}).WithContext(ctx)
	if _, _, err := w.s.Nomad.Deployments().Fail(id, wo); err != nil {
		// A deployment that ended meanwhile cannot be failed; the next read shows how it ended.
		d, _, ierr := w.s.Nomad.Deployments().Info(id, w.query(ctx, 0, 0))
		if ierr != nil || d.Status == nomadapi.DeploymentStatusRunning {
			return queryErr(ctx, "failing deployment "+shortID(id)+" of "+w.id, err)
		}
	}
	return nil
}

// failDeployment fails deployment id in Nomad because of cause and follows it to its end.
func (w *jobWatch) failDeployment(ctx context.Context, id, cause string) error {
	if err := w.failInNomad(ctx, id, cause); err != nil {
		return err
	}
	_, err := w.followDeployment(ctx, id)
	return err
}

// deploymentFailed builds the DeployError of failed deployment d: the cause skiff failed it for, else the
// most common cause its failing allocations reported, else Nomad's description; the failing allocations,
// one per distinct cause; and the auto-revert.
func (w *jobWatch) deploymentFailed(ctx context.Context, d *nomadapi.Deployment) error {
	e := &DeployError{Step: fmt.Sprintf("deployment of %s version %d", d.JobID, d.JobVersion), Reason: w.failCause}
	allocs, _, err := w.s.Nomad.Deployments().Allocations(d.ID, w.query(ctx, 0, 0))
	var failing []*nomadapi.AllocationListStub
	if err == nil {
		for _, a := range allocs {
			unhealthy := a.DeploymentStatus != nil && a.DeploymentStatus.Healthy != nil && !*a.DeploymentStatus.Healthy
			_, hasCause := w.problems.causes[a.ID]
			if unhealthy || hasCause || a.ClientStatus == nomadapi.AllocClientStatusFailed {
				failing = append(failing, a)
			}
		}
		e.Allocs = w.s.failedAllocs(ctx, d.Namespace, failing, w.problems)
	}
	if e.Reason == "" {
		e.Reason = oneLine(d.StatusDescription)
		if cause := mostCommonCause(e.Allocs); cause != "" {
			e.Reason = cause + " (Nomad: " + e.Reason + ")"
		}
	}
	w.s.awaitRevert(ctx, d, e)
	return e
}

// mostCommonCause returns the cause most failed allocations share.
func mostCommonCause(fs []AllocFailure) string {
	best, n := "", 0
	for _, f := range fs {
		if f.Cause != "" && f.Count > n {
			best, n = f.Cause, f.Count
		}
	}
	return best
}

func groupProgress(d *nomadapi.Deployment) []GroupProgress {
	var out []GroupProgress
	for name, st := range d.TaskGroups {
		out = append(out, GroupProgress{Group: name, Desired: st.DesiredTotal, Placed: st.PlacedAllocs,
			Healthy: st.HealthyAllocs, Unhealthy: st.UnhealthyAllocs, DesiredCanaries: st.DesiredCanaries,
			Promoted: st.Promoted})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Group < out[j].Group })
	return out
}

// awaitingPromotion reports whether every canary is placed and healthy but some group needs a manual promote.
func awaitingPromotion(d *nomadapi.Deployment, auto map[string]bool) bool {
	waiting := false
	for name, st := range d.TaskGroups {
		if st.DesiredCanaries == 0 || st.Promoted {
			continue
		}
		if auto[name] || len(st.PlacedCanaries) < st.DesiredCanaries || st.HealthyAllocs < st.DesiredCanaries {
			return false
		}
		waiting = true
	}
	return waiting
}

// autoPromoted returns, per group of job, whether its canaries are promoted automatically.
func autoPromoted(job *nomadapi.Job) map[string]bool {
	out := map[string]bool{}
	for _, g := range job.TaskGroups {
		u := g.Update
		if u == nil {
			u = job.Update
		}
		out[*g.Name] = u != nil && u.AutoPromote != nil && *u.AutoPromote
	}
	return out
}

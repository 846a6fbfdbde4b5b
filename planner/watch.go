package planner

import (
	"context"
	"fmt"
	"sort"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
)

// EventKind classifies progress events.
type EventKind string

// Event kinds.
const (
	// EventStep is a step of the apply (a job registered, a release task started, a job pruned).
	EventStep EventKind = "step"
	// EventProgress carries the per-group counts of a running deployment.
	EventProgress EventKind = "progress"
)

// Event is one progress event of Deploy or Rollback.
type Event struct {
	Time    time.Time       `json:"time"`
	Kind    EventKind       `json:"kind"`
	Job     string          `json:"job,omitempty"`
	Message string          `json:"message"`
	Groups  []GroupProgress `json:"groups,omitempty"`
}

// GroupProgress is one task group's state in a deployment.
type GroupProgress struct {
	Group           string `json:"group"`
	Desired         int    `json:"desired"`
	Placed          int    `json:"placed"`
	Healthy         int    `json:"healthy"`
	Unhealthy       int    `json:"unhealthy"`
	DesiredCanaries int    `json:"desired_canaries,omitempty"`
	Promoted        bool   `json:"promoted,omitempty"`
}

// registration is one job that an apply registered.
type registration struct {
	// Job is the job as registered (namespace, ID, type, update strategy).
	Job *nomadapi.Job
	// Version is the job version the registration created.
	Version uint64
	// EvalID is the evaluation Register returned.
	EvalID string
}

// watchResult is how a watched registration ended without failing.
type watchResult struct {
	// DeploymentID is the deployment Nomad created for the version, or "" when it needed none.
	DeploymentID string
	// Note says what the caller should know (a deployment that waits for manual promotion).
	Note string
}

// watch follows reg to its end. onDeployment, if set, is called as soon as the deployment's ID is known, so that
// the release record holds it before the watch ends. A failure is a *DeployError.
func (s *Stack) watch(ctx context.Context, reg registration, opts DeployOptions, onDeployment func(id string) error) (watchResult, error) {
	dep, err := s.findDeployment(ctx, *reg.Job.Namespace, *reg.Job.ID, reg.Version)
	if err != nil || dep == nil {
		return watchResult{}, err
	}
	if onDeployment != nil {
		if err := onDeployment(dep.ID); err != nil {
			return watchResult{}, err
		}
	}
	note, err := s.watchDeployment(ctx, reg.Job, reg.Version, opts)
	return watchResult{DeploymentID: dep.ID, Note: note}, err
}

// deploymentAppearWait bounds how long a registered job may go without a deployment for its version: a job
// version that changes no allocation gets none.
const deploymentAppearWait = 15 * time.Second

// watchDeployment follows the deployment of job version with one blocking query at a time (Nomad caps HTTP
// connections per client IP). It returns nil when the deployment succeeded, a note when it waits for manual
// promotion, and a *DeployError when it failed.
func (s *Stack) watchDeployment(ctx context.Context, job *nomadapi.Job, version uint64, opts DeployOptions) (string, error) {
	ns, jobID := *job.Namespace, *job.ID
	dep, err := s.findDeployment(ctx, ns, jobID, version)
	if err != nil || dep == nil {
		return "", err
	}
	var index uint64
	last := ""
	for {
		q := (&nomadapi.QueryOptions{Namespace: ns, WaitIndex: index, WaitTime: 10 * time.Second}).WithContext(ctx)
		d, meta, err := s.Nomad.Deployments().Info(dep.ID, q)
		if err != nil {
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			return "", fmt.Errorf("watching deployment of %s: %w", jobID, err)
		}
		if meta.LastIndex < index {
			index = 0 // the index went backwards (a new leader): start over
		} else {
			index = meta.LastIndex
		}
		groups := groupProgress(d)
		if line := fmt.Sprint(d.Status, groups); line != last {
			last = line
			opts.emit(Event{Kind: EventProgress, Job: jobID, Message: d.StatusDescription, Groups: groups})
			if s.Traffic != nil {
				if err := s.Traffic.DeploymentChanged(ctx, job, d); err != nil {
					return "", fmt.Errorf("steering traffic for %s: %w", jobID, err)
				}
			}
		}
		if s.Traffic != nil && (d.Status == "successful" || d.Status == "failed" || d.Status == "cancelled") {
			if err := s.Traffic.DeploymentEnded(ctx, job, d); err != nil {
				return "", fmt.Errorf("steering traffic for %s: %w", jobID, err)
			}
		}
		switch d.Status {
		case "successful":
			opts.emit(Event{Kind: EventStep, Job: jobID, Message: fmt.Sprintf("Deployment of %s version %d is healthy", jobID, version)})
			return "", nil
		case "failed", "cancelled":
			return "", s.deploymentFailure(ctx, d)
		case "blocked", "paused", "pending", "unblocking", "initializing", "running":
			if awaitingPromotion(d, autoPromoted(job)) {
				return fmt.Sprintf("deployment %s of %s waits for manual promotion (its canaries are healthy): "+
					"promote it with `skiff promote %s`", shortID(d.ID), jobID, jobID), nil
			}
		}
	}
}

// findDeployment waits for the deployment of job version to appear; nil when none appears in time.
func (s *Stack) findDeployment(ctx context.Context, ns, jobID string, version uint64) (*nomadapi.Deployment, error) {
	deadline := time.Now().Add(deploymentAppearWait)
	var index uint64
	for time.Now().Before(deadline) {
		q := (&nomadapi.QueryOptions{Namespace: ns, WaitIndex: index, WaitTime: 2 * time.Second}).WithContext(ctx)
		d, meta, err := s.Nomad.Jobs().LatestDeployment(jobID, q)
		if err != nil {
			return nil, fmt.Errorf("reading deployments of %s: %w", jobID, err)
		}
		if d != nil && d.JobVersion == version {
			return d, nil
		}
		if d != nil && d.JobVersion > version {
			return nil, nil // superseded by a newer version
		}
		index = meta.LastIndex
	}
	return nil, nil
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

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
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

package planner

import (
	"context"
	"fmt"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
)

// EventKind classifies progress events.
type EventKind string

// Event kinds.
const (
	// EventStep is a step of the apply (a job registered, a release task started, a job pruned).
	EventStep EventKind = "step"
	// EventProgress carries the per-group counts of a running deployment (or, for a job version that needs
	// no deployment, of its allocations).
	EventProgress EventKind = "progress"
	// EventProblem is trouble seen while watching (an image that cannot be pulled, an OOM kill, a non-zero
	// exit, a failing health check with its output): one event per distinct cause, not one per allocation.
	EventProblem EventKind = "problem"
)

// Event is one progress event of Deploy, Rollback or Promote.
type Event struct {
	Time    time.Time       `json:"time"`
	Kind    EventKind       `json:"kind"`
	Job     string          `json:"job,omitempty"`
	Message string          `json:"message"`
	Groups  []GroupProgress `json:"groups,omitempty"`
	// Release is set on the step that recorded the release (its number), before anything changes.
	Release int `json:"release,omitempty"`
	// Group and Alloc name, on a problem event, the task group and the (short) ID of the first allocation
	// that reported the cause.
	Group string `json:"group,omitempty"`
	Alloc string `json:"alloc,omitempty"`
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
	// EvalID is the evaluation Register returned ("" when it returned none).
	EvalID string
}

// watchResult is how a watched registration ended without failing.
type watchResult struct {
	// DeploymentID is the deployment Nomad created for the version, or "" when it needed none.
	DeploymentID string
	// Note says what the caller should know (a deployment that waits for manual promotion).
	Note string
}

// watch follows reg to its end, the way `nomad job run` does: first the evaluation (a placement failure ends
// the watch at once), then the deployment the evaluation created or, for a version that needs none (system
// jobs, a version that changed no allocation), the allocations of the version and their Consul checks.
// onDeployment, if set, is called as soon as the deployment's ID is known, so that the release record holds
// it before the watch ends. Trouble seen on the way is emitted as EventProblem events. A failure is a
// *DeployError; any other error is one talking to Nomad or Consul (or ctx's).
//
// The watch holds at most one blocking query at a time (Nomad caps HTTP connections per client IP).
func (s *Stack) watch(ctx context.Context, reg registration, opts DeployOptions, onDeployment func(id string) error) (watchResult, error) {
	w := s.newJobWatch(reg.Job, reg.Version, opts)
	depID := ""
	if reg.EvalID != "" {
		ev, err := w.followEval(ctx, reg.EvalID)
		if err != nil {
			return watchResult{}, err
		}
		depID = ev.DeploymentID
		if reason := placementFailure(ev); reason != "" {
			return watchResult{DeploymentID: depID}, w.placementFailed(ctx, ev, reason, onDeployment)
		}
		if ev.Status != nomadapi.EvalStatusComplete {
			return watchResult{}, &DeployError{Step: w.step(), Reason: fmt.Sprintf("Nomad's evaluation %s ended %s: %s",
				shortID(ev.ID), ev.Status, oneLine(ev.StatusDescription))}
		}
	}
	if depID == "" {
		d, err := w.versionDeployment(ctx)
		if err != nil {
			return watchResult{}, err
		}
		if d != nil {
			depID = d.ID
		}
	}
	if depID == "" {
		note, err := w.judgeAllocs(ctx)
		return watchResult{Note: note}, err
	}
	if onDeployment != nil {
		if err := onDeployment(depID); err != nil {
			return watchResult{DeploymentID: depID}, err
		}
	}
	note, err := w.followDeployment(ctx, depID)
	return watchResult{DeploymentID: depID, Note: note}, err
}

// jobWatch is the state of watching one registered job version.
type jobWatch struct {
	s       *Stack
	job     *nomadapi.Job
	ns, id  string
	version uint64
	opts    DeployOptions
	// since is when the watched version began (Nomad's clock, Unix nanoseconds): older task events are history.
	since    int64
	problems *problemSet
	// failCause is set once skiff failed the deployment in Nomad: it is the reason of the watch's failure.
	failCause string
	// agentNode is the node name of the Consul agent skiff talks to, once known.
	agentNode string
}

func (s *Stack) newJobWatch(job *nomadapi.Job, version uint64, opts DeployOptions) *jobWatch {
	ns := "default"
	if job.Namespace != nil && *job.Namespace != "" {
		ns = *job.Namespace
	}
	return &jobWatch{s: s, job: job, ns: ns, id: *job.ID, version: version, opts: opts,
		since: time.Now().UnixNano(), problems: newProblemSet()}
}

func (w *jobWatch) step() string {
	return fmt.Sprintf("deployment of %s version %d", w.id, w.version)
}

func (w *jobWatch) query(ctx context.Context, index uint64, wait time.Duration) *nomadapi.QueryOptions {
	return (&nomadapi.QueryOptions{Namespace: w.ns, WaitIndex: index, WaitTime: wait}).WithContext(ctx)
}

// versionDeployment returns the job's deployment of the watched version, nil when it has none.
func (w *jobWatch) versionDeployment(ctx context.Context) (*nomadapi.Deployment, error) {
	ds, _, err := w.s.Nomad.Jobs().Deployments(w.id, false, w.query(ctx, 0, 0))
	if err != nil {
		return nil, fmt.Errorf("reading deployments of %s: %w", w.id, err)
	}
	for _, d := range ds {
		if d.JobVersion == w.version {
			return d, nil
		}
	}
	return nil, nil
}

// nextIndex returns the index for the next blocking query: the one Nomad returned, or 0 when it went
// backwards (a new leader, a restored snapshot).
func nextIndex(prev, got uint64) uint64 {
	if got < prev {
		return 0
	}
	return got
}

// queryErr wraps an error of a watch query, preferring ctx's error when ctx ended.
func queryErr(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("%s: %w", what, err)
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

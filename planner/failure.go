package planner

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
)

// DeployError is a deploy, rollback or release task that failed on the stack (as opposed to an error talking to
// it). It says which step failed, why, and what each failed allocation reported.
type DeployError struct {
	// Step names what failed ("release task shop-migrate", "deployment of shop version 4").
	Step string `json:"step"`
	// Reason is Nomad's description of the failure.
	Reason string `json:"reason"`
	// Allocs lists the failed or unhealthy allocations.
	Allocs []AllocFailure `json:"allocations,omitempty"`
	// AutoReverted is set when Nomad rolled the job back to its last stable version; RevertedToVersion is the
	// job version it now runs.
	AutoReverted      bool   `json:"auto_reverted,omitempty"`
	RevertedToVersion uint64 `json:"reverted_to_version,omitempty"`
}

// AllocFailure is what one failed allocation reported.
type AllocFailure struct {
	ID     string   `json:"id"`
	Group  string   `json:"group"`
	Status string   `json:"status"`
	Events []string `json:"events,omitempty"`
	// LogTail holds the last lines of the task's stderr (then stdout when stderr is empty).
	LogTail string `json:"log_tail,omitempty"`
}

func (e *DeployError) Error() string {
	msg := e.Step + " failed: " + e.Reason
	if e.AutoReverted {
		msg += fmt.Sprintf(" (Nomad auto-reverted the job; it now runs version %d)", e.RevertedToVersion)
	}
	return msg
}

// deploymentFailure builds the DeployError of a failed deployment.
func (s *Stack) deploymentFailure(ctx context.Context, d *nomadapi.Deployment) error {
	e := &DeployError{Step: fmt.Sprintf("deployment of %s version %d", d.JobID, d.JobVersion), Reason: d.StatusDescription}
	q := (&nomadapi.QueryOptions{Namespace: d.Namespace}).WithContext(ctx)
	allocs, _, err := s.Nomad.Deployments().Allocations(d.ID, q)
	if err == nil {
		for _, a := range allocs {
			unhealthy := a.DeploymentStatus != nil && a.DeploymentStatus.Healthy != nil && !*a.DeploymentStatus.Healthy
			if unhealthy || a.ClientStatus == nomadapi.AllocClientStatusFailed {
				e.Allocs = append(e.Allocs, s.allocFailure(ctx, d.Namespace, a.ID))
			}
		}
	}
	autoRevert := false
	for _, st := range d.TaskGroups {
		autoRevert = autoRevert || st.AutoRevert
	}
	if autoRevert {
		// Nomad registers the revert right after failing the deployment; give it a moment to appear.
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			job, _, err := s.Nomad.Jobs().Info(d.JobID, q)
			if err == nil && *job.Version > d.JobVersion {
				e.AutoReverted, e.RevertedToVersion = true, *job.Version
				break
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
	return e
}

// allocFailure reads an allocation's task events and log tail.
func (s *Stack) allocFailure(ctx context.Context, ns, id string) AllocFailure {
	f := AllocFailure{ID: shortID(id)}
	q := (&nomadapi.QueryOptions{Namespace: ns}).WithContext(ctx)
	a, _, err := s.Nomad.Allocations().Info(id, q)
	if err != nil {
		f.Status = "unknown: " + err.Error()
		return f
	}
	f.Group, f.Status = a.TaskGroup, a.ClientStatus
	if a.DeploymentStatus != nil && a.DeploymentStatus.Healthy != nil && !*a.DeploymentStatus.Healthy {
		f.Status += ", unhealthy"
	}
	tasks := make([]string, 0, len(a.TaskStates))
	for t := range a.TaskStates {
		tasks = append(tasks, t)
	}
	sort.Strings(tasks)
	for _, t := range tasks {
		evs := a.TaskStates[t].Events
		if len(evs) > 6 {
			evs = evs[len(evs)-6:]
		}
		for _, ev := range evs {
			msg := ev.DisplayMessage
			if msg == "" {
				msg = ev.Message
			}
			f.Events = append(f.Events, fmt.Sprintf("%s %s: %s: %s", time.Unix(0, ev.Time).UTC().Format("15:04:05"), t, ev.Type, msg))
		}
		if f.LogTail == "" {
			f.LogTail = s.logTail(ctx, a, t, 2048)
		}
	}
	return f
}

// logTail returns the last n bytes of the task's stderr, or of stdout when stderr is empty, as whole lines.
func (s *Stack) logTail(ctx context.Context, a *nomadapi.Allocation, task string, n int64) string {
	for _, typ := range []string{"stderr", "stdout"} {
		out := s.readLogs(ctx, a, task, typ, n)
		if strings.TrimSpace(out) != "" {
			if i := strings.IndexByte(out, '\n'); i >= 0 && int64(len(out)) >= n {
				out = out[i+1:] // drop the partial first line
			}
			return strings.TrimRight(out, "\n")
		}
	}
	return ""
}

func (s *Stack) readLogs(ctx context.Context, a *nomadapi.Allocation, task, typ string, n int64) string {
	ctx, cancelCtx := context.WithTimeout(ctx, 5*time.Second)
	defer cancelCtx()
	cancel := make(chan struct{})
	defer close(cancel)
	frames, errs := s.Nomad.AllocFS().Logs(a, false, task, typ, "end", n, cancel, (&nomadapi.QueryOptions{Namespace: a.Namespace}).WithContext(ctx))
	var b strings.Builder
	for {
		select {
		case f, ok := <-frames:
			if !ok {
				return b.String()
			}
			b.Write(f.Data)
		case <-errs:
			return b.String()
		case <-ctx.Done():
			return b.String()
		}
	}
}

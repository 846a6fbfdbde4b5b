package planner

import (
	"context"
	"fmt"
	"strings"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
)

// DeployError is a deploy, rollback or release task that failed on the stack (as opposed to an error talking to
// it). It says which step failed, why, and what the failed allocations reported, once per distinct cause.
type DeployError struct {
	// Step names what failed ("release task shop-migrate", "deployment of shop version 4").
	Step string `json:"step"`
	// Reason names the cause in one line (`image "shop:9" cannot be pulled: ...`, `check "web-http" never
	// passed: ...`, a placement failure as the scheduler explains it), else Nomad's description.
	Reason string `json:"reason"`
	// Allocs lists the failed or unhealthy allocations, one entry per distinct cause.
	Allocs []AllocFailure `json:"allocations,omitempty"`
	// AutoReverted is set when Nomad rolled the job back to its last stable version; RevertedToVersion is the
	// job version it now runs.
	AutoReverted      bool   `json:"auto_reverted,omitempty"`
	RevertedToVersion uint64 `json:"reverted_to_version,omitempty"`
}

// AllocFailure is what a failed allocation reported; allocations of the same group that failed for the same
// cause share one AllocFailure (Count, Others).
type AllocFailure struct {
	ID     string `json:"id"`
	Group  string `json:"group"`
	Status string `json:"status"`
	// Cause is the allocation's cause of failure in one line, "" when none was recognized.
	Cause string `json:"cause,omitempty"`
	// Events are the allocation's last distinct task events ("15:04:05 web: Driver Failure: ... (×3)").
	Events []string `json:"events,omitempty"`
	// LogTail holds the last lines of the task's stderr (then stdout when stderr is empty).
	LogTail string `json:"log_tail,omitempty"`
	// Count is the number of allocations this entry stands for (1 when it is unique); Others are the short IDs
	// of the ones besides ID.
	Count  int      `json:"count,omitempty"`
	Others []string `json:"others,omitempty"`
}

func (e *DeployError) Error() string {
	msg := e.Step + " failed: " + e.Reason
	if e.AutoReverted {
		msg += fmt.Sprintf(" (Nomad auto-reverted the job; it now runs version %d)", e.RevertedToVersion)
	}
	return msg
}

// failedAllocs describes the failing allocations stubs, one AllocFailure per group and distinct cause (the
// causes ps recorded while watching, else their task events); the log tail is read for the first allocation
// of each cause only.
func (s *Stack) failedAllocs(ctx context.Context, ns string, stubs []*nomadapi.AllocationListStub, ps *problemSet) []AllocFailure {
	var out []AllocFailure
	index := map[string]int{}
	for _, a := range stubs {
		cause := ps.criticalCheck(a.ID)
		if p, ok := ps.causes[a.ID]; ok && cause == "" {
			cause = p.line
		}
		events, eventKey := taskEventLines(a.TaskStates)
		status := allocStatus(a.ClientStatus, a.DeploymentStatus)
		key := a.TaskGroup + "\x00" + causeKey(cause)
		if cause == "" {
			key += "\x00" + status + "\x00" + eventKey
		}
		if i, ok := index[key]; ok {
			out[i].Count++
			out[i].Others = append(out[i].Others, shortID(a.ID))
			continue
		}
		f := AllocFailure{ID: shortID(a.ID), Group: a.TaskGroup, Status: status, Cause: cause, Events: events, Count: 1}
		if full, _, err := s.Nomad.Allocations().Info(a.ID, (&nomadapi.QueryOptions{Namespace: ns}).WithContext(ctx)); err == nil {
			f.LogTail = s.allocLogTail(ctx, full)
		}
		index[key] = len(out)
		out = append(out, f)
	}
	return out
}

// allocFailure reads an allocation's task events and log tail.
func (s *Stack) allocFailure(ctx context.Context, ns, id string) AllocFailure {
	f := AllocFailure{ID: shortID(id), Count: 1}
	q := (&nomadapi.QueryOptions{Namespace: ns}).WithContext(ctx)
	a, _, err := s.Nomad.Allocations().Info(id, q)
	if err != nil {
		f.Status = "unknown: " + err.Error()
		return f
	}
	f.Group, f.Status = a.TaskGroup, allocStatus(a.ClientStatus, a.DeploymentStatus)
	f.Events, _ = taskEventLines(a.TaskStates)
	f.LogTail = s.allocLogTail(ctx, a)
	return f
}

func allocStatus(client string, ds *nomadapi.AllocDeploymentStatus) string {
	if ds != nil && ds.Healthy != nil && !*ds.Healthy {
		return client + ", unhealthy"
	}
	return client
}

// taskEventLines renders the last six distinct task events of every task (an event repeated, such as a
// restart after the same failure, is shown once with its count) and returns them with a key that is equal
// for allocations that reported the same events.
func taskEventLines(states map[string]*nomadapi.TaskState) ([]string, string) {
	var lines, keys []string
	for _, t := range sortedTasks(states) {
		type seen struct {
			line string
			n    int
		}
		var distinct []*seen
		byKey := map[string]*seen{}
		for _, ev := range states[t].Events {
			msg := oneLine(firstNonEmpty(ev.DisplayMessage, ev.Message))
			k := t + ": " + ev.Type + ": " + causeKey(msg)
			if d := byKey[k]; d != nil {
				d.n++
				continue
			}
			d := &seen{line: fmt.Sprintf("%s %s: %s: %s", time.Unix(0, ev.Time).UTC().Format("15:04:05"), t, ev.Type, msg), n: 1}
			byKey[k], distinct = d, append(distinct, d)
			keys = append(keys, k)
		}
		if len(distinct) > 6 {
			distinct = distinct[len(distinct)-6:]
		}
		for _, d := range distinct {
			if d.n > 1 {
				d.line += fmt.Sprintf(" (×%d)", d.n)
			}
			lines = append(lines, d.line)
		}
	}
	return lines, strings.Join(keys, "\n")
}

// awaitRevert waits a moment for the revert Nomad registers right after failing a deployment that auto-reverts,
// and records it on e.
func (s *Stack) awaitRevert(ctx context.Context, d *nomadapi.Deployment, e *DeployError) {
	autoRevert := false
	for _, st := range d.TaskGroups {
		autoRevert = autoRevert || st.AutoRevert
	}
	if !autoRevert {
		return
	}
	deadline := time.Now().Add(10 * time.Second)
	var index uint64
	for time.Until(deadline) > 0 {
		q := (&nomadapi.QueryOptions{Namespace: d.Namespace, WaitIndex: index, WaitTime: time.Until(deadline)}).WithContext(ctx)
		job, meta, err := s.Nomad.Jobs().Info(d.JobID, q)
		if err != nil {
			return
		}
		if *job.Version > d.JobVersion {
			e.AutoReverted, e.RevertedToVersion = true, *job.Version
			return
		}
		index = nextIndex(index, meta.LastIndex)
	}
}

// allocLogTail returns the log tail of the first task of a that logged anything.
func (s *Stack) allocLogTail(ctx context.Context, a *nomadapi.Allocation) string {
	for _, t := range sortedTasks(a.TaskStates) {
		if ts := a.TaskStates[t]; ts.StartedAt.IsZero() {
			continue // never started: no log
		}
		if tail := s.logTail(ctx, a, t, 2048); tail != "" {
			return tail
		}
	}
	return ""
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

package planner

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
)

// followEval follows the evaluation id with blocking queries until it is done, then along its chain (the next
// evaluation, as `nomad job run` does). It returns the last evaluation of the chain; when it has placement
// failures and a blocked evaluation, the blocked one's failures are merged in. The first evaluation's creation
// time becomes the start of the watched version (w.since).
func (w *jobWatch) followEval(ctx context.Context, id string) (*nomadapi.Evaluation, error) {
	var index uint64
	var retry backoff
	first := id
	for {
		ev, meta, err := w.s.Nomad.Evaluations().Info(id, w.query(ctx, index, 10*time.Second))
		if err != nil {
			if isNotFound(err) {
				return nil, fmt.Errorf("evaluation %s of %s: %w", shortID(id), w.id, err)
			}
			if err := retry.wait(ctx, queryErr(ctx, "watching evaluation "+shortID(id)+" of "+w.id, err)); err != nil {
				return nil, err
			}
			continue
		}
		retry.reset()
		if index == 0 && id == first {
			w.since = ev.CreateTime // task events before the registration are history
		}
		index = nextIndex(index, meta.LastIndex)
		switch ev.Status {
		case nomadapi.EvalStatusComplete, nomadapi.EvalStatusFailed, nomadapi.EvalStatusCancelled:
		case nomadapi.EvalStatusBlocked:
			return ev, nil // a blocked evaluation carries the failures that blocked it
		default:
			continue
		}
		if len(ev.FailedTGAllocs) > 0 && ev.BlockedEval != "" {
			if b, _, err := w.s.Nomad.Evaluations().Info(ev.BlockedEval, w.query(ctx, 0, 0)); err == nil {
				for g, m := range b.FailedTGAllocs {
					if _, ok := ev.FailedTGAllocs[g]; !ok {
						ev.FailedTGAllocs[g] = m
					}
				}
			}
		}
		if ev.NextEval == "" || len(ev.FailedTGAllocs) > 0 {
			return ev, nil
		}
		if ev.Wait > 0 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(ev.Wait):
			}
		}
		id, index = ev.NextEval, 0
	}
}

// placementFailure renders the evaluation's placement failures in one line, as `nomad job run` reports them
// ("group "web": 1 node evaluated, 1 exhausted (memory)"); "" when every allocation was placed.
func placementFailure(ev *nomadapi.Evaluation) string {
	groups := make([]string, 0, len(ev.FailedTGAllocs))
	for g := range ev.FailedTGAllocs {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	var parts []string
	for _, g := range groups {
		m := ev.FailedTGAllocs[g]
		n := m.CoalescedFailures + 1
		parts = append(parts, fmt.Sprintf("group %q: %s cannot be placed: %s", g, plural(n, "allocation"), allocMetrics(m)))
	}
	if ev.QuotaLimitReached != "" {
		parts = append(parts, "quota limit reached: "+ev.QuotaLimitReached)
	}
	return strings.Join(parts, "; ")
}

// allocMetrics says why the scheduler found no node, from the same fields `nomad job run` prints.
func allocMetrics(m *nomadapi.AllocationMetric) string {
	var out []string
	if m.NodesEvaluated == 0 {
		s := "no nodes were eligible for evaluation"
		if m.NodePool != "" {
			s += fmt.Sprintf(" (node pool %q has %s)", m.NodePool, plural(m.NodesInPool, "node"))
		}
		out = append(out, s)
	} else {
		out = append(out, plural(m.NodesEvaluated, "node")+" evaluated")
	}
	for _, dc := range sortedKeys(m.NodesAvailable) {
		if m.NodesAvailable[dc] == 0 {
			out = append(out, fmt.Sprintf("no nodes available in datacenter %q", dc))
		}
	}
	for _, c := range sortedKeys(m.ClassFiltered) {
		out = append(out, fmt.Sprintf("%d filtered by node class %q", m.ClassFiltered[c], c))
	}
	for _, c := range sortedKeys(m.ConstraintFiltered) {
		out = append(out, fmt.Sprintf("%d filtered by constraint %q", m.ConstraintFiltered[c], c))
	}
	if m.NodesExhausted > 0 {
		dims := sortedKeys(m.DimensionExhausted)
		s := fmt.Sprintf("%d exhausted", m.NodesExhausted)
		if len(dims) > 0 {
			s += " (" + strings.Join(dims, ", ") + ")"
		}
		out = append(out, s)
	}
	for _, c := range sortedKeys(m.ClassExhausted) {
		out = append(out, fmt.Sprintf("node class %q exhausted on %s", c, plural(m.ClassExhausted[c], "node")))
	}
	for _, q := range m.QuotaExhausted {
		out = append(out, fmt.Sprintf("quota limit hit %q", q))
	}
	return strings.Join(out, ", ")
}

// placementFailed ends a watch whose evaluation could not place every allocation. A deployment the evaluation
// created is failed at once (so Nomad auto-reverts it when configured, instead of waiting for capacity until
// the progress deadline) and recorded through onDeployment.
func (w *jobWatch) placementFailed(ctx context.Context, ev *nomadapi.Evaluation, reason string, onDeployment func(string) error) error {
	w.opts.emit(Event{Kind: EventProblem, Job: w.id, Message: reason})
	if ev.DeploymentID == "" {
		return &DeployError{Step: w.step(), Reason: reason}
	}
	if onDeployment != nil {
		if err := onDeployment(ev.DeploymentID); err != nil {
			return err
		}
	}
	return w.failDeployment(ctx, ev.DeploymentID, reason)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// backoff spaces the retries of a failing watch query: 250ms doubling to 5s, giving up after a minute of
// consecutive failures.
type backoff struct {
	delay time.Duration
	since time.Time
}

func (b *backoff) reset() { b.delay, b.since = 0, time.Time{} }

// wait sleeps before the next retry; it returns err instead when ctx ended or the failures lasted too long.
func (b *backoff) wait(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if b.since.IsZero() {
		b.since = time.Now()
	}
	if time.Since(b.since) > time.Minute {
		return err
	}
	b.delay = min(max(2*b.delay, 250*time.Millisecond), 5*time.Second)
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(b.delay):
		return nil
	}
}

package planner

import (
	"context"
	"fmt"
	"github.com/skiffpaas/skiff/planner/compile"
	"sort"
	"strings"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
)

// ProcessRef locates a process in the live stack: the job and group that run it.
type ProcessRef struct {
	Process string
	Kind    string // compile.MetaKind of its job (service, cron, function, release, system)
	JobID   string
	Group   string
}

// Process returns where the app's process runs, from the live jobs' meta; the error of an unknown process
// names the processes the app has.
func (s *Stack) Process(ctx context.Context, ns, app, process string) (*ProcessRef, error) {
	live, err := s.liveJobs(ctx, ns, app)
	if err != nil {
		return nil, err
	}
	if len(live) == 0 {
		return nil, fmt.Errorf("app %q has no jobs in namespace %q (deploy it first): %w", app, ns, ErrNotDeployed)
	}
	var names []string
	for id, stub := range live {
		if stub.Meta[compile.MetaKind] != compile.KindService {
			if stub.Meta[compile.MetaProcess] == process {
				return &ProcessRef{Process: process, Kind: stub.Meta[compile.MetaKind], JobID: id, Group: process}, nil
			}
			names = append(names, stub.Meta[compile.MetaProcess])
			continue
		}
		job, _, err := s.Nomad.Jobs().Info(id, (&nomadapi.QueryOptions{Namespace: ns}).WithContext(ctx))
		if err != nil {
			return nil, fmt.Errorf("reading job %q: %w", id, err)
		}
		for _, g := range job.TaskGroups {
			if *g.Name == process {
				return &ProcessRef{Process: process, Kind: compile.KindService, JobID: id, Group: process}, nil
			}
			names = append(names, *g.Name)
		}
	}
	sort.Strings(names)
	return nil, fmt.Errorf("app %q has no process %q (it has: %s): %w", app, process, strings.Join(names, ", "), ErrNotFound)
}

// Scale sets the instance count of web and worker processes now, and records it so that later deploys keep
// it (like Heroku's formation) until the next `skiff scale`. Nomad enforces autoscale bounds.
func (s *Stack) Scale(ctx context.Context, ns, app string, counts map[string]int) error {
	refs := map[string]*ProcessRef{}
	for proc, n := range counts {
		if n < 0 {
			return fmt.Errorf("process %q: count must be 0 or more, not %d", proc, n)
		}
		ref, err := s.Process(ctx, ns, app, proc)
		if err != nil {
			return err
		}
		if ref.Kind != compile.KindService {
			return fmt.Errorf("process %q is a %s process: only web and worker processes scale", proc, ref.Kind)
		}
		refs[proc] = ref
	}
	w := (&nomadapi.WriteOptions{Namespace: ns}).WithContext(ctx)
	for proc, ref := range refs {
		n := counts[proc]
		if _, _, err := s.Nomad.Jobs().Scale(ref.JobID, ref.Group, &n, "skiff scale", false, nil, w); err != nil {
			return fmt.Errorf("scaling %s to %d: %w", proc, n, err)
		}
	}
	return s.Releases.SetScale(ctx, ns, app, counts)
}

// Dispatch runs the app's function once with payload and dispatch meta, and returns the dispatched job's ID.
func (s *Stack) Dispatch(ctx context.Context, ns, app, function string, payload []byte, meta map[string]string) (string, error) {
	return s.DispatchKeyed(ctx, ns, app, function, payload, meta, "")
}

// DispatchKeyed is Dispatch with an idempotency key: a retried dispatch with the same key returns the child of
// the first one (Nomad's dispatch idempotency token) instead of running the function again.
func (s *Stack) DispatchKeyed(ctx context.Context, ns, app, function string, payload []byte, meta map[string]string, key string) (string, error) {
	ref, err := s.Process(ctx, ns, app, function)
	if err != nil {
		return "", err
	}
	if ref.Kind != compile.KindFunction {
		return "", fmt.Errorf("process %q is a %s process: only functions are dispatched", function, ref.Kind)
	}
	w := (&nomadapi.WriteOptions{Namespace: ns, IdempotencyToken: key}).WithContext(ctx)
	resp, _, err := s.Nomad.Jobs().Dispatch(ref.JobID, meta, payload, "", w)
	if err != nil {
		return "", fmt.Errorf("dispatching %s: %w", function, err)
	}
	return resp.DispatchedJobID, nil
}

// ForceCron starts a run of the app's cron process now and returns the ID of the child job it created.
func (s *Stack) ForceCron(ctx context.Context, ns, app, cron string) (string, error) {
	ref, err := s.Process(ctx, ns, app, cron)
	if err != nil {
		return "", err
	}
	if ref.Kind != compile.KindCron {
		return "", fmt.Errorf("process %q is a %s process: only cron processes can be forced", cron, ref.Kind)
	}
	before, err := s.children(ctx, ns, ref.JobID)
	if err != nil {
		return "", err
	}
	w := (&nomadapi.WriteOptions{Namespace: ns}).WithContext(ctx)
	if _, _, err := s.Nomad.Jobs().PeriodicForce(ref.JobID, w); err != nil {
		return "", fmt.Errorf("forcing %s: %w", cron, err)
	}
	for i := 0; i < 50; i++ {
		after, err := s.children(ctx, ns, ref.JobID)
		if err != nil {
			return "", err
		}
		for id := range after {
			if !before[id] {
				return id, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return "", fmt.Errorf("forced %s, but no new run appeared", cron)
}

func (s *Stack) children(ctx context.Context, ns, parent string) (map[string]bool, error) {
	q := (&nomadapi.QueryOptions{Namespace: ns, Prefix: parent + "/"}).WithContext(ctx)
	stubs, _, err := s.Nomad.Jobs().List(q)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, j := range stubs {
		if j.ParentID == parent {
			out[j.ID] = true
		}
	}
	return out, nil
}

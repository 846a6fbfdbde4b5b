package readmodel

import (
	"os"
	"testing"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
	"github.com/skiffpaas/skiff/planner/compile"
)

var stack devstacktest.Shared

func TestMain(m *testing.M) { os.Exit(stack.Run(m)) }

// nomadClient returns a plain client of the shared stack's Nomad, for the test's own writes.
func nomadClient(t testing.TB) (*nomadapi.Client, string) {
	t.Helper()
	s := stack.Get(t)
	c, err := s.Nomad.Client()
	if err != nil {
		t.Fatal(err)
	}
	return c, s.Nomad.Addr
}

func TestServiceJobRunsScalesAndGoes(t *testing.T) {
	t.Parallel()
	c, addr := nomadClient(t)
	m, _, _ := runModel(t, addr)
	const app, id = "rm-svc", "rm-svc-web"
	t.Cleanup(func() { _, _, _ = c.Jobs().Deregister(id, true, nil) })

	idx := register(t, c, sleepJob(id, app, nomadapi.JobTypeService, 1))
	waitIndex(t, m, idx)
	v, ok := m.App("default", app) // read-your-write: visible as soon as the index is reached
	if !ok || v.Job(id) == nil || v.Index < idx {
		t.Fatalf("after index %d the model has no job %s: %s", idx, id, dump(v))
	}
	if j := v.Job(id); j.Type != "service" || j.Kind != compile.KindService || len(j.Groups) != 1 ||
		j.Groups[0].Name != "main" || j.Groups[0].Desired != 1 || j.Version != 0 {
		t.Fatalf("job view: %s", dump(v))
	}
	healthy := func(n int, version uint64) func(*AppView) bool {
		return func(v *AppView) bool {
			j := v.Job(id)
			if v == nil || j == nil || j.Deployment == nil || len(j.Groups) != 1 {
				return false
			}
			g, d := j.Groups[0], j.Deployment
			return g.Desired == n && g.Allocs.Running == n && g.Allocs.Healthy == n && j.Status == "running" &&
				d.JobVersion == version && d.Status == "successful" && len(d.Groups) == 1 &&
				d.Groups[0].Desired == n && d.Groups[0].Healthy == n && d.Groups[0].Placed == n
		}
	}
	waitApp(t, m, "default", app, "1 allocation running and healthy, deployment successful", healthy(1, 0))

	resp, _, err := c.Jobs().Scale(id, "main", ptr(2), "readmodel test", false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	waitIndex(t, m, resp.JobModifyIndex)
	if v, _ := m.App("default", app); v.Job(id).Groups[0].Desired != 2 || v.Job(id).Version != 1 {
		t.Fatalf("after scaling to 2: %s", dump(v))
	}
	waitApp(t, m, "default", app, "2 allocations running and healthy, deployment of v1 successful", healthy(2, 1))
	if refs := m.Apps(); !contains(refs, AppRef{"default", app}) {
		t.Fatalf("Apps() = %v, want it to list %s", refs, app)
	}

	_, meta, err := c.Jobs().Deregister(id, false, nil) // stopped, not purged: still in Nomad and in the model
	if err != nil {
		t.Fatal(err)
	}
	waitIndex(t, m, meta.LastIndex)
	if v, _ := m.App("default", app); v.Job(id) == nil || !v.Job(id).Stop {
		t.Fatalf("after stopping the job: %s", dump(v))
	}
	waitApp(t, m, "default", app, "the stopped job's allocations end", func(v *AppView) bool {
		j := v.Job(id)
		return j != nil && j.Groups[0].Allocs.Running == 0 && j.Groups[0].Allocs.Pending == 0 && j.Status == "dead"
	})

	waitIndex(t, m, purge(t, c, "default", id))
	if v, ok := m.App("default", app); ok {
		t.Fatalf("the purged job is still in the model: %s", dump(v))
	}
	if refs := m.Apps(); contains(refs, AppRef{"default", app}) {
		t.Fatalf("Apps() = %v still lists the purged app", refs)
	}
}

func TestBatchJobsAndDispatchedChildren(t *testing.T) {
	t.Parallel()
	c, addr := nomadClient(t)
	m, _, _ := runModel(t, addr)
	const app = "rm-batch"
	t.Cleanup(func() {
		for _, id := range []string{"rm-batch-once", "rm-batch-fn"} {
			_, _, _ = c.Jobs().Deregister(id, true, nil)
		}
	})

	register(t, c, sleepJob("rm-batch-once", app, nomadapi.JobTypeBatch, 1))
	waitApp(t, m, "default", app, "the batch job completes", func(v *AppView) bool {
		j := v.Job("rm-batch-once")
		return j != nil && j.Status == "dead" && j.Groups[0].Allocs.Complete == 1 && j.Groups[0].Allocs.Running == 0
	})

	fn := sleepJob("rm-batch-fn", app, nomadapi.JobTypeBatch, 1)
	fn.ParameterizedJob = &nomadapi.ParameterizedJobConfig{}
	fn.Meta[compile.MetaKind] = compile.KindFunction
	waitIndex(t, m, register(t, c, fn))
	d, _, err := c.Jobs().Dispatch("rm-batch-fn", nil, nil, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	waitIndex(t, m, d.JobCreateIndex)
	v, _ := m.App("default", app)
	child := v.Job(d.DispatchedJobID)
	if child == nil || child.ParentID != "rm-batch-fn" || child.Kind != compile.KindFunction {
		t.Fatalf("dispatched child %s not in the app as a child of rm-batch-fn: %s", d.DispatchedJobID, dump(v))
	}
	if parent := v.Job("rm-batch-fn"); parent.Groups[0].Allocs != (AllocCounts{}) {
		t.Fatalf("the parameterized parent has allocations of its own: %s", dump(v))
	}
	waitApp(t, m, "default", app, "the dispatched child completes", func(v *AppView) bool {
		j := v.Job(d.DispatchedJobID)
		return j != nil && j.Status == "dead" && j.Groups[0].Allocs.Complete == 1
	})
}

func TestJobsWithoutSkiffMetaAreIgnored(t *testing.T) {
	t.Parallel()
	c, addr := nomadClient(t)
	m, _, _ := runModel(t, addr)
	ids := []string{"rm-plain", "rm-foreign", "rm-unmanaged-later"}
	t.Cleanup(func() {
		for _, id := range ids {
			_, _, _ = c.Jobs().Deregister(id, true, nil)
		}
	})

	register(t, c, sleepJob("rm-plain", "", nomadapi.JobTypeService, 0))
	foreign := sleepJob("rm-foreign", "rm-foreign", nomadapi.JobTypeService, 0)
	foreign.Meta[compile.MetaManagedBy] = "terraform"
	register(t, c, foreign)
	later := sleepJob("rm-unmanaged-later", "rm-later", nomadapi.JobTypeService, 0)
	waitIndex(t, m, register(t, c, later))
	if _, ok := m.App("default", "rm-later"); !ok {
		t.Fatal("the managed job rm-unmanaged-later is not in the model")
	}
	later.Meta = map[string]string{"owner": "someone else"}
	waitIndex(t, m, register(t, c, later))

	for _, ref := range m.Apps() {
		v, _ := m.App(ref.Namespace, ref.App)
		for _, id := range ids {
			if v != nil && v.Job(id) != nil {
				t.Errorf("job %s, not managed by skiff, is in app %s: %s", id, ref.App, dump(v))
			}
		}
	}
	for _, app := range []string{"rm-foreign", "rm-later", ""} {
		if v, ok := m.App("default", app); ok {
			t.Errorf("app %q should not exist: %s", app, dump(v))
		}
	}
}

func contains(refs []AppRef, ref AppRef) bool {
	for _, r := range refs {
		if r == ref {
			return true
		}
	}
	return false
}

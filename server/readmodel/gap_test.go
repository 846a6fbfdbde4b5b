package readmodel

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
)

// The tests that look at Stats().Resumes and FullReads do not run in parallel: another test's namespace or its
// hundred writes would cause full reads of their own.

func TestCutConnectionResumesWithoutFullRead(t *testing.T) {
	c, addr := nomadClient(t)
	m, ctl, _ := runModel(t, addr)
	t.Cleanup(func() { purgeAll(c, "default", "rm-cut-a", "rm-cut-b") })
	waitIndex(t, m, register(t, c, sleepJob("rm-cut-a", "rm-cut", nomadapi.JobTypeService, 0)))
	before := m.Stats()

	ctl.cut(false) // the stream's connection dies; Nomad still has the last batch the model applied
	idx := register(t, c, sleepJob("rm-cut-b", "rm-cut", nomadapi.JobTypeService, 0))
	waitIndex(t, m, idx)
	if v, _ := m.App("default", "rm-cut"); v.Job("rm-cut-a") == nil || v.Job("rm-cut-b") == nil {
		t.Fatalf("after the reconnect: %s", dump(v))
	}
	after := m.Stats()
	if after.Resumes != before.Resumes+1 || after.FullReads != before.FullReads || after.Sessions != before.Sessions+1 {
		t.Fatalf("stats before the cut %+v, after %+v: want one more session, resumed, no full read", before, after)
	}
	t.Logf("resumed after a cut connection: %+v", after)
}

func TestLostIndexForcesFullRead(t *testing.T) {
	c, addr := nomadClient(t)
	m, ctl, _ := runModel(t, addr)
	t.Cleanup(func() { purgeAll(c, "default", "rm-lost-a", "rm-lost-b", "rm-lost-c", "rm-lost-filler") })
	register(t, c, sleepJob("rm-lost-a", "rm-lost", nomadapi.JobTypeService, 0))
	waitIndex(t, m, register(t, c, sleepJob("rm-lost-b", "rm-lost", nomadapi.JobTypeService, 0)))
	before := m.Stats()

	ctl.cut(true) // the model is offline while Nomad's event buffer (100 batches) moves past its index
	purge(t, c, "default", "rm-lost-a")
	b := sleepJob("rm-lost-b", "rm-lost", nomadapi.JobTypeService, 0)
	b.TaskGroups = append(b.TaskGroups, nomadapi.NewTaskGroup("extra", 0).AddTask(b.TaskGroups[0].Tasks[0]))
	register(t, c, b)
	register(t, c, sleepJob("rm-lost-c", "rm-lost", nomadapi.JobTypeService, 0))
	filler := sleepJob("rm-lost-filler", "", nomadapi.JobTypeBatch, 1)
	filler.ParameterizedJob = &nomadapi.ParameterizedJobConfig{}
	var last uint64
	for i := range 110 {
		filler.Meta = map[string]string{"n": fmt.Sprint(i)}
		last = register(t, c, filler)
	}
	ctl.setDown(false)

	waitIndex(t, m, last)
	v, _ := m.App("default", "rm-lost")
	if v.Job("rm-lost-a") != nil || v.Job("rm-lost-c") == nil || v.Job("rm-lost-b") == nil ||
		len(v.Job("rm-lost-b").Groups) != 2 {
		t.Fatalf("after the gap the model is not what Nomad has: %s", dump(v))
	}
	after := m.Stats()
	if after.FullReads != before.FullReads+1 || after.Resumes != before.Resumes {
		t.Fatalf("stats before the gap %+v, after %+v: want one more full read, no resume", before, after)
	}
	assertSameAsFresh(t, m, addr, last, "rm-lost")
}

func TestRestartedRunRereadsEverything(t *testing.T) {
	t.Parallel()
	c, addr := nomadClient(t)
	m, _, r := runModel(t, addr)
	t.Cleanup(func() { purgeAll(c, "default", "rm-gap-a", "rm-gap-b", "rm-gap-c", "rm-gap-d") })
	register(t, c, sleepJob("rm-gap-a", "rm-gap", nomadapi.JobTypeService, 0))
	register(t, c, sleepJob("rm-gap-b", "rm-gap", nomadapi.JobTypeService, 0))
	waitIndex(t, m, register(t, c, sleepJob("rm-gap-c", "rm-gap2", nomadapi.JobTypeService, 0)))
	before := m.Stats()

	r.stop()
	purge(t, c, "default", "rm-gap-a")
	b := sleepJob("rm-gap-b", "rm-gap", nomadapi.JobTypeService, 0)
	b.TaskGroups[0].Count = ptr(3)
	b.TaskGroups[0].Tasks[0].Config["args"] = []string{"1"}
	b.Type = ptr(nomadapi.JobTypeBatch)
	b.TaskGroups[0].Update = nil
	b.ParameterizedJob = &nomadapi.ParameterizedJobConfig{}
	purge(t, c, "default", "rm-gap-b") // a job's type cannot change in place
	register(t, c, b)
	last := register(t, c, sleepJob("rm-gap-d", "rm-gap2", nomadapi.JobTypeService, 0))
	r.start()

	waitIndex(t, m, last)
	if got := m.Stats().FullReads; got <= before.FullReads {
		t.Fatalf("full reads: %d before the restart, %d after; want more", before.FullReads, got)
	}
	v, _ := m.App("default", "rm-gap")
	if v.Job("rm-gap-a") != nil || v.Job("rm-gap-b") == nil || v.Job("rm-gap-b").Type != "batch" ||
		v.Job("rm-gap-b").Groups[0].Desired != 3 {
		t.Fatalf("after the restart: %s", dump(v))
	}
	assertSameAsFresh(t, m, addr, last, "rm-gap", "rm-gap2")
}

// assertSameAsFresh checks that m's views of apps equal those of a model started now, once both reached index
// and settled (job statuses change after their evaluations).
func assertSameAsFresh(t *testing.T, m *Model, addr string, index uint64, apps ...string) {
	t.Helper()
	fresh, _, _ := runModel(t, addr)
	waitIndex(t, fresh, index)
	deadline := time.Now().Add(20 * time.Second)
	for {
		var diffs []string
		for _, app := range apps {
			got, _ := m.App("default", app)
			want, _ := fresh.App("default", app)
			if got != nil && want != nil {
				got.Index, want.Index = 0, 0
			}
			if !reflect.DeepEqual(got, want) {
				diffs = append(diffs, fmt.Sprintf("app %s: model after the gap: %s\nfresh model: %s", app, dump(got), dump(want)))
			}
		}
		if len(diffs) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the model differs from a fresh one:\n%v", diffs)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestNamespaceCreatedAfterStart(t *testing.T) {
	t.Parallel()
	c, addr := nomadClient(t)
	m, _, _ := runModel(t, addr)
	const ns, app, id = "rm-late", "rm-late", "rm-late-web"
	if _, err := c.Namespaces().Register(&nomadapi.Namespace{Name: ns}, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		purgeAll(c, ns, id)
		_, _ = c.Namespaces().Delete(ns, nil)
	})
	j := sleepJob(id, app, nomadapi.JobTypeService, 1)
	j.Namespace = ptr(ns)
	waitIndex(t, m, register(t, c, j))
	if _, ok := m.App(ns, app); !ok {
		t.Fatalf("the job in namespace %s, created after the stream opened, is not in the model", ns)
	}
	waitApp(t, m, ns, app, "its allocation runs (events of the new namespace reach the model)", func(v *AppView) bool {
		j := v.Job(id)
		return j != nil && j.Groups[0].Allocs.Running == 1
	})
	if _, ok := m.App("default", app); ok {
		t.Fatal("the app also appears in the default namespace")
	}
}

// purgeAll purges jobs, ignoring errors: for cleanups.
func purgeAll(c *nomadapi.Client, ns string, ids ...string) {
	for _, id := range ids {
		_, _, _ = c.Jobs().Deregister(id, true, &nomadapi.WriteOptions{Namespace: ns})
	}
}

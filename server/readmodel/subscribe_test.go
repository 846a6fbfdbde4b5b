package readmodel

import (
	"fmt"
	"testing"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
)

func TestOfferMergesIntoThePendingUpdate(t *testing.T) {
	t.Parallel()
	s := &subscriber{ch: make(chan Update, 1)}
	ref := AppRef{"default", "a"}
	merged := 0
	for i, c := range []Change{JobChanged, AllocChanged, AllocChanged, DeploymentChanged} {
		if s.offer(Update{App: ref, Index: uint64(10 + i), Changes: c}) {
			merged++
		}
	}
	got := <-s.ch
	want := Update{App: ref, Index: 13, Changes: JobChanged | AllocChanged | DeploymentChanged}
	if got != want || merged != 3 {
		t.Fatalf("got %+v after %d merges, want %+v after 3", got, merged, want)
	}
	if got.Changes.String() != "job,alloc,deployment" {
		t.Errorf("Changes.String() = %q", got.Changes.String())
	}
	select {
	case u := <-s.ch:
		t.Fatalf("a second update is pending: %+v", u)
	default:
	}
}

func TestSubscriberGetsUpdatesOfItsAppOnly(t *testing.T) {
	t.Parallel()
	c, addr := nomadClient(t)
	m, _, _ := runModel(t, addr)
	t.Cleanup(func() { purgeAll(c, "default", "rm-sub-a", "rm-sub-b") })
	subA, cancelA := m.Subscribe("default", "rm-sub-a")
	subB, cancelB := m.Subscribe("default", "rm-sub-b")
	defer cancelB()

	// A stream gap meanwhile turns the job's update into a full read's Resynced, which also covers it.
	changed := func(u Update) bool { return u.Changes.Has(JobChanged) || u.Changes.Has(Resynced) }
	idx := register(t, c, sleepJob("rm-sub-a", "rm-sub-a", nomadapi.JobTypeService, 0))
	u := nextUpdate(t, subA, func(u Update) bool { return changed(u) && u.Index >= idx })
	if u.App != (AppRef{"default", "rm-sub-a"}) || u.Index < idx {
		t.Fatalf("update %+v, want app rm-sub-a at index >= %d", u, idx)
	}
	time.Sleep(500 * time.Millisecond) // any update for B would have been offered by now
	select {
	case u := <-subB:
		// Only a full read (another test's new namespace) may wake every subscriber.
		if u.Changes != Resynced {
			t.Fatalf("the subscriber of rm-sub-b got an update of another app: %+v", u)
		}
	default:
	}

	idx = register(t, c, sleepJob("rm-sub-b", "rm-sub-b", nomadapi.JobTypeService, 0))
	if u := nextUpdate(t, subB, func(u Update) bool { return changed(u) && u.Index >= idx }); u.Index < idx {
		t.Fatalf("update %+v, want index >= %d", u, idx)
	}

	cancelA()
	cancelA() // a second call is harmless
	for range subA {
	}
}

func TestSlowSubscriberNeverBlocksTheStream(t *testing.T) {
	t.Parallel()
	c, addr := nomadClient(t)
	m, _, _ := runModel(t, addr)
	t.Cleanup(func() { purgeAll(c, "default", "rm-slow") })
	updates, cancel := m.Subscribe("default", "rm-slow")
	defer cancel()

	j := sleepJob("rm-slow", "rm-slow", nomadapi.JobTypeService, 0)
	var last uint64
	for i := range 20 { // nobody reads updates meanwhile
		j.Meta["rev"] = fmt.Sprint(i)
		last = register(t, c, j)
	}
	waitIndex(t, m, last) // the model kept applying the stream
	if st := m.Stats(); st.Coalesced < 10 {
		t.Fatalf("coalesced %d updates of 20 unread ones, want most: %+v", st.Coalesced, st)
	}
	u := nextUpdate(t, updates, func(u Update) bool { return u.Index >= last })
	if !u.Changes.Has(JobChanged) {
		t.Fatalf("the coalesced update %+v does not say the job changed", u)
	}
	if v, _ := m.App("default", "rm-slow"); v.Job("rm-slow").Version != 19 {
		t.Fatalf("the view after the updates: %s", dump(v))
	}
}

// nextUpdate reads updates until one satisfies ok, failing t after 30 s.
func nextUpdate(t *testing.T, ch <-chan Update, ok func(Update) bool) Update {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case u, open := <-ch:
			if !open {
				t.Fatal("the update channel was closed")
			}
			if ok(u) {
				return u
			}
		case <-deadline:
			t.Fatal("no matching update within 30s")
		}
	}
}

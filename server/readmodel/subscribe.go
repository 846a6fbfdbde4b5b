package readmodel

import (
	"strings"
	"sync"
)

// Change is a set of kinds of change in an app, as carried by an Update.
type Change uint8

// The kinds of change.
const (
	// JobChanged: a job of the app was registered, changed, stopped or removed.
	JobChanged Change = 1 << iota
	// AllocChanged: an allocation of one of the app's jobs changed.
	AllocChanged
	// DeploymentChanged: a deployment of one of the app's jobs changed.
	DeploymentChanged
	// Resynced: the model did a full read of Nomad after a gap; anything may have changed.
	Resynced
)

// Has reports whether c includes every kind in k.
func (c Change) Has(k Change) bool { return c&k == k }

// String lists the kinds in c, comma-separated: "job,alloc".
func (c Change) String() string {
	var parts []string
	for _, k := range []struct {
		c    Change
		name string
	}{{JobChanged, "job"}, {AllocChanged, "alloc"}, {DeploymentChanged, "deployment"}, {Resynced, "resync"}} {
		if c.Has(k.c) {
			parts = append(parts, k.name)
		}
	}
	return strings.Join(parts, ",")
}

// Update tells a subscriber that its app changed. It carries no state: read Model.App for the view, whose Index
// is at least Update.Index.
type Update struct {
	App AppRef
	// Index is the model's index once the change was applied.
	Index uint64
	// Changes says what changed; after coalescing, everything that changed since the last Update read.
	Changes Change
}

// subscriber is one Subscribe call. Its channel holds at most one Update; offer replaces a pending one by the
// merge of both, so the stream never waits for a subscriber.
type subscriber struct {
	mu     sync.Mutex
	ch     chan Update
	closed bool
}

// offer delivers u, merging it into the pending Update if the subscriber has not read that one yet. It reports
// whether it merged.
func (s *subscriber) offer(u Update) (merged bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	select {
	case prev := <-s.ch:
		u.Changes |= prev.Changes
		merged = true
	default:
	}
	s.ch <- u // cannot block: the buffer of one is empty and only offer sends, under mu
	return merged
}

// Subscribe returns a channel of Updates for one app, and the function that ends the subscription and closes the
// channel (call it exactly when done; it is safe to call more than once). The app need not exist yet: a
// subscriber sees it appear and disappear. Updates never block the model: a subscriber that has not read its
// pending Update gets the next one merged into it (Changes OR-ed, the latest Index), so a slow reader sees fewer,
// coarser updates, never stale ones. The channel stays open across restarts of Run.
func (m *Model) Subscribe(namespace, app string) (<-chan Update, func()) {
	ref := AppRef{namespace, app}
	s := &subscriber{ch: make(chan Update, 1)}
	m.subMu.Lock()
	if m.subs[ref] == nil {
		m.subs[ref] = map[*subscriber]struct{}{}
	}
	m.subs[ref][s] = struct{}{}
	m.subMu.Unlock()
	var once sync.Once
	return s.ch, func() {
		once.Do(func() {
			m.subMu.Lock()
			delete(m.subs[ref], s)
			if len(m.subs[ref]) == 0 {
				delete(m.subs, ref)
			}
			m.subMu.Unlock()
			s.mu.Lock()
			s.closed = true
			close(s.ch)
			s.mu.Unlock()
		})
	}
}

// notify offers an Update to the subscribers of each touched app, or of every app when all is set.
func (m *Model) notify(touched map[AppRef]Change, all Change, index uint64) {
	if len(touched) == 0 && all == 0 {
		return
	}
	var merged uint64
	offer := func(ref AppRef, c Change) {
		for s := range m.subs[ref] {
			if s.offer(Update{App: ref, Index: index, Changes: c}) {
				merged++
			}
		}
	}
	m.subMu.Lock()
	if all != 0 {
		for ref := range m.subs {
			offer(ref, touched[ref]|all)
		}
	} else {
		for ref, c := range touched {
			offer(ref, c)
		}
	}
	m.subMu.Unlock()
	if merged > 0 {
		m.mu.Lock()
		m.stats.Coalesced += merged
		m.mu.Unlock()
	}
}

package readmodel

import (
	"context"
	"errors"
	"fmt"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
)

// Backoff between sessions that failed, and the age at which a session counts as healthy again.
const (
	minBackoff    = 500 * time.Millisecond
	maxBackoff    = 30 * time.Second
	healthyUptime = time.Minute
)

// errNamespacesChanged ends a session whose stream cannot see a namespace created after it was opened.
var errNamespacesChanged = errors.New("a namespace was created after the event stream was opened")

// errStreamClosed is reported when the event stream ends without an error of its own.
var errStreamClosed = errors.New("event stream closed")

// Run feeds the model until ctx ends, and returns ctx's error then. It does a full read of Nomad first and after
// every gap in the stream, and reconnects with backoff (0.5 s doubling to 30 s) when the stream fails; failures
// are logged, not returned. Run may be called again after it returned (the model keeps its content and does a
// full read), but not concurrently: a second concurrent call returns an error at once.
func (m *Model) Run(ctx context.Context) error {
	if !m.running.CompareAndSwap(false, true) {
		return errors.New("readmodel: Run is already running on this model")
	}
	defer m.running.Store(false)
	full, wait := true, minBackoff
	for {
		began := time.Now()
		nextFull, err := m.session(ctx, full)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		full = nextFull
		m.mu.Lock()
		m.stats.LastError = err.Error()
		m.mu.Unlock()
		if errors.Is(err, errNamespacesChanged) {
			m.logf("readmodel: %v; reopening the stream with a full read", err)
			continue
		}
		if time.Since(began) > healthyUptime {
			wait = minBackoff
		}
		m.logf("readmodel: %v; reconnecting in %s", err, wait)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, maxBackoff)
	}
}

// session opens one stream and applies it until it fails. full asks for a full read even if the stream could
// resume. It reports whether the next session needs a full read.
func (m *Model) session(parent context.Context, full bool) (nextFull bool, err error) {
	ctx, cancel := context.WithCancelCause(parent)
	var events <-chan *nomadapi.Events
	watching := make(chan struct{})
	defer func() {
		// Return only once the stream and the namespace watch let go of their connections, so that a next
		// session (or a restarted Run) never overlaps them.
		cancel(nil)
		if events != nil {
			for range events {
			}
			<-watching
		}
	}()
	names, nsIndex, err := m.namespaces(ctx)
	if err != nil {
		return full, fmt.Errorf("listing namespaces: %w", err)
	}
	m.mu.Lock()
	from := m.lastBatch
	m.stats.Sessions++
	m.mu.Unlock()
	events, err = m.nomad.EventStream().Stream(ctx, streamTopics(), from, &nomadapi.QueryOptions{Namespace: "*"})
	if err != nil {
		return full, fmt.Errorf("opening the event stream: %w", err)
	}
	first, err := receive(ctx, events)
	if err != nil {
		close(watching)
		return full, err
	}
	if !full && from != 0 && first.Index == from {
		// Nomad still had the last batch applied: everything after it follows, and it is not applied again.
		m.mu.Lock()
		m.stats.Resumes++
		m.mu.Unlock()
		m.logf("readmodel: event stream resumed at index %d", from)
	} else {
		if installed, err := m.resync(ctx, first, events); err != nil {
			close(watching)
			return !installed, err
		}
	}
	// The watch starts from the index of the list taken before the stream opened, so it misses no namespace;
	// starting it only now keeps it off the connections of the full read.
	go func() {
		defer close(watching)
		m.watchNamespaces(ctx, cancel, names, nsIndex)
	}()
	for {
		b, err := receive(ctx, events)
		if err != nil {
			return errors.Is(err, errNamespacesChanged), err
		}
		m.apply(b)
	}
}

// receive returns the next batch of the stream, or why there is none.
func receive(ctx context.Context, events <-chan *nomadapi.Events) (*nomadapi.Events, error) {
	select {
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	case b, ok := <-events:
		switch {
		case !ok && ctx.Err() != nil:
			return nil, context.Cause(ctx)
		case !ok:
			return nil, errStreamClosed
		case b.Err != nil:
			return nil, fmt.Errorf("event stream: %w", b.Err)
		}
		return b, nil
	}
}

// apply applies one batch and notifies the subscribers of the apps it touched.
func (m *Model) apply(b *nomadapi.Events) {
	m.mu.Lock()
	touched := m.applyBatch(b)
	m.lastBatch = b.Index
	index := m.index
	m.mu.Unlock()
	m.notify(touched, 0, index)
}

// resync does a full read while buffering the stream, installs it and applies the buffered batches. When the
// stream failed during the read, the read is still installed (the buffered batches are a gap-free prefix, so the
// next stream may resume after them) and the stream's error returned.
func (m *Model) resync(ctx context.Context, first *nomadapi.Events,
	events <-chan *nomadapi.Events) (installed bool, err error) {
	buf := []*nomadapi.Events{first}
	stop, done := make(chan struct{}), make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				done <- nil
				return
			case b, ok := <-events:
				if !ok {
					done <- errStreamClosed
					return
				}
				if b.Err != nil {
					done <- fmt.Errorf("event stream: %w", b.Err)
					return
				}
				buf = append(buf, b)
			}
		}
	}()
	began := time.Now()
	snap, err := m.fullRead(ctx)
	close(stop)
	streamErr := <-done
	if err != nil {
		return false, fmt.Errorf("full read: %w", err)
	}
	m.install(snap, buf)
	m.logf("readmodel: full read of %d jobs, %d allocations, %d deployments in %s (%d re-read); at index %d",
		len(snap.st.jobs), snap.allocs, snap.deployments, time.Since(began).Round(time.Millisecond), snap.fetched,
		m.Index())
	return true, streamErr
}

// install replaces the model's content with a full read and the batches buffered during it, and tells every
// subscriber.
func (m *Model) install(snap *snapshot, buf []*nomadapi.Events) {
	m.mu.Lock()
	backwards, maxObject := snap.tableMax < m.st.maxObject, m.st.maxObject
	if backwards {
		m.index = 0
	}
	m.st = snap.st
	m.advance(snap.index)
	m.stats.FullReads++
	for _, b := range buf {
		m.applyBatch(b)
		m.lastBatch = b.Index
	}
	index := m.index
	m.mu.Unlock()
	if backwards {
		m.logf("readmodel: Nomad's indexes went backwards (tables at %d, the model had seen %d): a new cluster; "+
			"the model's index follows it", snap.tableMax, maxObject)
	}
	m.readyOnce.Do(func() { close(m.ready) })
	m.notify(nil, Resynced, index)
}

// namespaces lists Nomad's namespace names and the index of the list.
func (m *Model) namespaces(ctx context.Context) (map[string]bool, uint64, error) {
	list, meta, err := m.nomad.Namespaces().List((&nomadapi.QueryOptions{}).WithContext(ctx))
	if err != nil {
		return nil, 0, err
	}
	names := make(map[string]bool, len(list))
	for _, ns := range list {
		names[ns.Name] = true
	}
	return names, meta.LastIndex, nil
}

// watchNamespaces holds a blocking query on the namespace list and ends the session (cause
// errNamespacesChanged) when a namespace not in names appears: Nomad fixed the stream's namespaces when it was
// opened. It returns when ctx ends. Errors are retried with backoff; they do not end the session.
func (m *Model) watchNamespaces(ctx context.Context, end context.CancelCauseFunc, names map[string]bool, index uint64) {
	wait := minBackoff
	for ctx.Err() == nil {
		q := (&nomadapi.QueryOptions{WaitIndex: index, WaitTime: 5 * time.Minute}).WithContext(ctx)
		list, meta, err := m.nomad.Namespaces().List(q)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			m.logf("readmodel: watching namespaces: %v; retrying in %s", err, wait)
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			wait = min(2*wait, maxBackoff)
			continue
		}
		wait = minBackoff
		for _, ns := range list {
			if !names[ns.Name] {
				end(errNamespacesChanged)
				return
			}
		}
		if meta.LastIndex < index { // the index went backwards: start over
			index = 0
		} else {
			index = meta.LastIndex
		}
	}
}

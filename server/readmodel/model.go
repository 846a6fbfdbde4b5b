package readmodel

import (
	"context"
	"sort"
	"sync"
	"sync/atomic"

	nomadapi "github.com/hashicorp/nomad/api"
)

// Model is the read model. Create it with New, feed it with Run, read it from any goroutine.
type Model struct {
	nomad     *nomadapi.Client
	logf      func(string, ...any)
	running   atomic.Bool
	ready     chan struct{}
	readyOnce sync.Once

	mu       sync.RWMutex
	st       *state
	index    uint64
	advanced chan struct{} // closed and replaced whenever index grows
	stats    Stats
	// lastBatch is the index of the last batch the stream delivered; a new stream that starts exactly there
	// resumed without a gap.
	lastBatch uint64

	subMu sync.Mutex
	subs  map[AppRef]map[*subscriber]struct{}
}

// Stats counts what the model did since New, for logs and metrics.
type Stats struct {
	// FullReads counts full reads of Nomad's state (the first one included).
	FullReads uint64
	// Resumes counts streams reopened at the last applied index without a full read.
	Resumes uint64
	// Sessions counts stream connections opened.
	Sessions uint64
	// Batches counts event batches applied.
	Batches uint64
	// Coalesced counts notifications merged into a pending one because a subscriber had not read it yet.
	Coalesced uint64
	// LastError is the error that ended the last session, empty if none did.
	LastError string
}

// New returns an empty model reading from nomad. The model keeps two connections of nomad's transport busy,
// four at worst (see the package doc); give it a client of its own to count them apart from other users. logf receives
// a line per gap, resume and full read; nil discards them.
// Nothing talks to Nomad before Run.
func New(nomad *nomadapi.Client, logf func(string, ...any)) *Model {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	return &Model{nomad: nomad, logf: logf, ready: make(chan struct{}), st: newState(),
		advanced: make(chan struct{}), subs: map[AppRef]map[*subscriber]struct{}{}}
}

// Ready returns a channel closed once the first full read is installed; before that the model is empty.
func (m *Model) Ready() <-chan struct{} { return m.ready }

// Index returns the Nomad index the model has applied: every job, allocation and deployment write at or below
// it is reflected. It never goes backwards, except after Nomad's own indexes did (a new cluster).
func (m *Model) Index() uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.index
}

// WaitIndex blocks until the model has applied index (for instance the JobModifyIndex of a registration the
// caller just made), or ctx ends, whose error it then returns. The index must be that of a write touching a
// job, an allocation, a deployment or a node, or of an earlier one; other writes emit no event the model sees.
// WaitIndex does not feed the model: while Run is not running it waits for ctx.
func (m *Model) WaitIndex(ctx context.Context, index uint64) error {
	for {
		m.mu.RLock()
		at, ch := m.index, m.advanced
		m.mu.RUnlock()
		if at >= index {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

// Stats returns a copy of the model's counters.
func (m *Model) Stats() Stats {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.stats
}

// Apps lists the apps that have at least one job in Nomad, sorted by namespace and name.
func (m *Model) Apps() []AppRef {
	m.mu.RLock()
	refs := make([]AppRef, 0, len(m.st.apps))
	for ref := range m.st.apps {
		refs = append(refs, ref)
	}
	m.mu.RUnlock()
	sort.Slice(refs, func(a, b int) bool {
		if refs[a].Namespace != refs[b].Namespace {
			return refs[a].Namespace < refs[b].Namespace
		}
		return refs[a].App < refs[b].App
	})
	return refs
}

// App returns a copy of the app's jobs, allocation counts and latest deployments; false when the model knows
// no job of that app in that namespace.
func (m *Model) App(namespace, app string) (*AppView, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	jobs := m.st.apps[AppRef{namespace, app}]
	if len(jobs) == 0 {
		return nil, false
	}
	v := &AppView{Namespace: namespace, App: app, Index: m.index, Jobs: make([]JobView, 0, len(jobs))}
	for _, j := range jobs {
		v.Jobs = append(v.Jobs, j.view())
	}
	sort.Slice(v.Jobs, func(a, b int) bool { return v.Jobs[a].ID < v.Jobs[b].ID })
	return v, true
}

// advance raises the model's index to index and wakes WaitIndex callers. Called with mu held.
func (m *Model) advance(index uint64) {
	if index <= m.index {
		return
	}
	m.index = index
	close(m.advanced)
	m.advanced = make(chan struct{})
}

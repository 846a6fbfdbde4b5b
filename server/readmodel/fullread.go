package readmodel

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"sort"
	"sync"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/planner/compile"
)

// fetchWorkers bounds the concurrent job reads of a full read. One keeps a full read at two connections (the
// stream and the reads; the namespace watch starts after it), three at worst while Go's transport closes a
// connection the API package abandoned (a body closed before EOF: the transport closes the connection after
// Close returned, so the next request may dial first). Two workers read 1,000 jobs about 25% faster here, but
// reached five connections.
const fetchWorkers = 1

// snapshot is one full read, ready to install.
type snapshot struct {
	st *state
	// index is the index the read is consistent at: that of the allocation table, read first.
	index uint64
	// tableMax is the largest table index seen, to tell a Nomad whose indexes went backwards.
	tableMax                     uint64
	allocs, deployments, fetched int
}

// fullRead reads every allocation, deployment and managed job of Nomad, in that order: an allocation can then
// only belong to a job that the later job list has (or that was purged meanwhile). Jobs whose ModifyIndex is the
// one the model already has are not read again.
func (m *Model) fullRead(ctx context.Context) (*snapshot, error) {
	m.mu.RLock()
	prev := maps.Clone(m.st.jobs) // records are only changed by this goroutine, which is here
	m.mu.RUnlock()
	q := func(params map[string]string) *nomadapi.QueryOptions {
		return (&nomadapi.QueryOptions{Namespace: "*", Params: params}).WithContext(ctx)
	}
	allocs, am, err := m.nomad.Allocations().List(q(map[string]string{"task_states": "false", "resources": "false"}))
	if err != nil {
		return nil, err
	}
	deps, dm, err := m.nomad.Deployments().List(q(nil))
	if err != nil {
		return nil, err
	}
	withMeta := &nomadapi.JobListOptions{Fields: &nomadapi.JobListFields{Meta: true}}
	stubs, jm, err := m.nomad.Jobs().ListOptions(withMeta, q(nil))
	if err != nil {
		return nil, err
	}
	snap := &snapshot{st: newState(), index: am.LastIndex, tableMax: max(am.LastIndex, dm.LastIndex, jm.LastIndex),
		allocs: len(allocs), deployments: len(deps)}
	snap.st.floor[nomadapi.TopicAllocation] = am.LastIndex
	snap.st.floor[nomadapi.TopicDeployment] = dm.LastIndex
	snap.st.floor[nomadapi.TopicJob] = jm.LastIndex

	managed := managedStubs(stubs)
	var stale []*nomadapi.JobListStub
	for _, s := range managed {
		if p := prev[jobKey{namespaceOf(s.Namespace), s.ID}]; p == nil || p.modifyIndex != s.ModifyIndex {
			stale = append(stale, s)
		}
	}
	fetched, err := m.fetchJobs(ctx, stale)
	if err != nil {
		return nil, err
	}
	snap.fetched = len(stale)
	for _, s := range managed { // parents come first, so children find their parent's app
		key := jobKey{namespaceOf(s.Namespace), s.ID}
		var r *job
		if j, ok := fetched[key]; ok {
			r = snap.st.newJob(j)
		} else if p := prev[key]; p != nil && p.modifyIndex == s.ModifyIndex {
			c := *p
			c.allocs, c.deploy, c.deployCreateIndex, c.deployModifyIndex = nil, nil, 0, 0
			r = &c
		}
		if r != nil {
			snap.st.putJob(r)
		}
	}
	for _, a := range allocs {
		snap.st.putAlloc(namespaceOf(a.Namespace), a.JobID, a.ID,
			allocFrom(a.TaskGroup, a.ClientStatus, a.DeploymentStatus, a.ModifyIndex))
	}
	for _, d := range deps {
		snap.st.putDeployment(d)
	}
	return snap, nil
}

// managedStubs returns the stubs of managed jobs and of the children of managed jobs, parents first.
func managedStubs(stubs []*nomadapi.JobListStub) []*nomadapi.JobListStub {
	isManaged := func(s *nomadapi.JobListStub) bool {
		return s.Meta[compile.MetaManagedBy] == compile.ManagedBy && s.Meta[compile.MetaApp] != ""
	}
	parents := map[jobKey]bool{}
	var out []*nomadapi.JobListStub
	for _, s := range stubs {
		if isManaged(s) && s.ParentID == "" {
			parents[jobKey{namespaceOf(s.Namespace), s.ID}] = true
			out = append(out, s)
		}
	}
	for _, s := range stubs {
		if s.ParentID != "" && (isManaged(s) || parents[jobKey{namespaceOf(s.Namespace), s.ParentID}]) {
			out = append(out, s)
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].ParentID == "" && out[b].ParentID != "" })
	return out
}

// fetchJobs reads the given jobs with fetchWorkers concurrent requests. Jobs purged since the list are left out.
func (m *Model) fetchJobs(ctx context.Context, stubs []*nomadapi.JobListStub) (map[jobKey]*nomadapi.Job, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		out      = make(map[jobKey]*nomadapi.Job, len(stubs))
		firstErr error
		wg       sync.WaitGroup
	)
	work := make(chan *nomadapi.JobListStub)
	for range min(fetchWorkers, len(stubs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range work {
				q := (&nomadapi.QueryOptions{Namespace: namespaceOf(s.Namespace)}).WithContext(ctx)
				j, _, err := m.nomad.Jobs().Info(s.ID, q)
				mu.Lock()
				switch {
				case err == nil:
					out[jobKey{namespaceOf(s.Namespace), s.ID}] = j
				case !isNotFound(err) && firstErr == nil:
					firstErr = err
					cancel()
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, s := range stubs {
		select {
		case work <- s:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	return out, firstErr
}

// isNotFound reports whether err is Nomad's 404.
func isNotFound(err error) bool {
	var ure nomadapi.UnexpectedResponseError
	if errors.As(err, &ure) {
		return ure.StatusCode() == http.StatusNotFound
	}
	var pure *nomadapi.UnexpectedResponseError
	return errors.As(err, &pure) && pure.StatusCode() == http.StatusNotFound
}

package server

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/skiffpaas/skiff/planner"
)

// Event is one progress event of a deployment, numbered for Server-Sent Events (Last-Event-ID resumes).
type Event struct {
	ID int `json:"id" doc:"Sequence number within the deployment"`
	planner.Event
	// State is set on the final event: the release's state (succeeded, failed, deploying when the server
	// stopped watching) and why.
	State  string `json:"state,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// run is one deployment or rollback the server runs in the background.
type run struct {
	mu      sync.Mutex
	events  []Event
	done    bool
	wake    chan struct{} // closed and replaced on every change
	groups  []planner.GroupProgress
	started time.Time
}

func newRun() *run { return &run{wake: make(chan struct{}), started: time.Now()} }

func (r *run) add(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e.ID = len(r.events) + 1
	if e.Kind == planner.EventProgress {
		r.groups = e.Groups
	}
	r.events = append(r.events, e)
	close(r.wake)
	r.wake = make(chan struct{})
}

// finish marks the run done and wakes its followers.
func (r *run) finish() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done = true
	close(r.wake)
	r.wake = make(chan struct{})
}

// since returns the events after id, whether the run is done, and a channel closed on the next change.
func (r *run) since(id int) ([]Event, bool, <-chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if id < 0 {
		id = 0
	}
	var out []Event
	if id < len(r.events) {
		out = append(out, r.events[id:]...)
	}
	return out, r.done, r.wake
}

func (r *run) progress() ([]planner.GroupProgress, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.groups, r.done
}

// deployments runs deploys and rollbacks in the background, independent of the request that started them,
// and keeps their events while the server runs.
type deployments struct {
	stack   *planner.Stack
	metrics *metrics
	logf    func(string, ...any)
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	mu      sync.Mutex
	runs    map[string]*run
	// changed is called on every event of a run, with its app (the status cache drops the app's releases).
	changed func(ns, app string)
}

func newDeployments(stack *planner.Stack, m *metrics, logf func(string, ...any), changed func(ns, app string)) *deployments {
	ctx, cancel := context.WithCancel(context.Background())
	return &deployments{stack: stack, metrics: m, logf: logf, ctx: ctx, cancel: cancel, runs: map[string]*run{},
		changed: changed}
}

func runKey(ns, app string, n int) string { return fmt.Sprintf("%s/%s/%d", ns, app, n) }

// get returns the in-memory run of release n, or nil (another server ran it, or this one restarted).
func (d *deployments) get(ns, app string, n int) *run {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.runs[runKey(ns, app, n)]
}

// applyFunc is a Deploy or a Rollback with its options filled in except Progress.
type applyFunc func(ctx context.Context, opts planner.DeployOptions) (*planner.Result, error)

// started is what start learned before answering: the release recorded (number > 0), or the outcome of an
// apply that ended before recording one (nothing to change, locked, a plan error).
type started struct {
	release int
	result  *planner.Result
	err     error
}

// start runs apply in the background and returns once it recorded its release or ended without one.
func (d *deployments) start(ns, app string, opts planner.DeployOptions, apply applyFunc) started {
	r := newRun()
	first := make(chan started, 1)
	var once sync.Once
	opts.Progress = func(e planner.Event) {
		d.changed(ns, app)
		if e.Release > 0 {
			d.mu.Lock()
			d.runs[runKey(ns, app, e.Release)] = r
			d.mu.Unlock()
			once.Do(func() { first <- started{release: e.Release} })
		}
		r.add(Event{Event: e})
	}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		res, err := apply(d.ctx, opts)
		final := Event{Event: planner.Event{Time: time.Now(), Kind: "end", Message: "done"}}
		if res != nil && res.Release != nil {
			final.State = string(res.Release.State)
			final.Release = res.Release.Number
		}
		var failed *planner.ReleaseFailedError
		switch {
		case errors.As(err, &failed):
			final.State, final.Reason = "failed", err.Error()
		case err != nil && final.State != "":
			final.State, final.Reason = "deploying", err.Error() // interrupted: Nomad goes on
		case err != nil:
			final.Reason = err.Error()
		}
		if final.State != "" {
			d.metrics.observeDeploy(final.State, time.Since(r.started))
		}
		d.changed(ns, app)
		r.add(final)
		r.finish()
		once.Do(func() { first <- started{result: res, err: err} })
		if err != nil {
			d.logf("deployment of %s/%s ended: %v", ns, app, err)
		}
	}()
	return <-first
}

// wait waits until every running apply ended or ctx is done; then it cancels the rest, whose releases stay
// deploying for any skiff process to resolve from Nomad.
func (d *deployments) wait(ctx context.Context) {
	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		d.cancel()
		<-done
	}
}

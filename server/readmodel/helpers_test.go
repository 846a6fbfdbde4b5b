package readmodel

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/planner/compile"
)

// maxConns is the connection budget the model promises.
const maxConns = 4

// netCtl is the network between a Nomad client and the agent: it counts the open connections (and their peak),
// can cut them all, and can refuse new ones. It is how the tests measure the model's connections and break
// its stream, without touching Nomad.
type netCtl struct {
	mu         sync.Mutex
	conns      map[*ctlConn]struct{}
	peak, dial int
	down       bool
}

type ctlConn struct {
	net.Conn
	ctl  *netCtl
	once sync.Once
}

func (c *ctlConn) Close() error {
	c.once.Do(func() {
		c.ctl.mu.Lock()
		delete(c.ctl.conns, c)
		c.ctl.mu.Unlock()
	})
	return c.Conn.Close()
}

func (n *netCtl) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	n.mu.Lock()
	down := n.down
	n.mu.Unlock()
	if down {
		return nil, errors.New("netCtl: network is down")
	}
	c, err := (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	cc := &ctlConn{Conn: c, ctl: n}
	n.mu.Lock()
	n.conns[cc] = struct{}{}
	n.dial++
	n.peak = max(n.peak, len(n.conns))
	n.mu.Unlock()
	return cc, nil
}

// cut closes every open connection and, with down, refuses new ones until setDown(false).
func (n *netCtl) cut(down bool) {
	n.mu.Lock()
	n.down = down
	conns := make([]*ctlConn, 0, len(n.conns))
	for c := range n.conns {
		conns = append(conns, c)
	}
	n.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
	}
}

func (n *netCtl) setDown(down bool) {
	n.mu.Lock()
	n.down = down
	n.mu.Unlock()
}

// counts returns the open connections, their peak and the dials so far.
func (n *netCtl) counts() (open, peak, dials int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.conns), n.peak, n.dial
}

// client returns a Nomad client whose connections go through n.
func (n *netCtl) client(t testing.TB, addr string) *nomadapi.Client {
	t.Helper()
	n.mu.Lock()
	if n.conns == nil {
		n.conns = map[*ctlConn]struct{}{}
	}
	n.mu.Unlock()
	cfg := nomadapi.DefaultConfig()
	cfg.Address = addr
	cfg.HttpClient = &http.Client{Transport: &http.Transport{DialContext: n.dialContext, MaxIdleConnsPerHost: 8,
		IdleConnTimeout: 90 * time.Second}}
	c, err := nomadapi.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// runner runs a model's Run in the background; stop and start it to make a gap.
type runner struct {
	m      *Model
	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan error
}

func (r *runner) start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel, r.done = cancel, make(chan error, 1)
	go func(done chan error) { done <- r.m.Run(ctx) }(r.done)
}

// stop cancels Run and waits until it returned.
func (r *runner) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cancel != nil {
		r.cancel()
		<-r.done
		r.cancel = nil
	}
}

// runModel starts a model on its own netCtl, waits until it is ready, and stops it when t ends, checking that
// it never held more than maxConns connections.
func runModel(t testing.TB, addr string) (*Model, *netCtl, *runner) {
	t.Helper()
	ctl := &netCtl{}
	m := New(ctl.client(t, addr), t.Logf)
	r := &runner{m: m}
	r.start()
	t.Cleanup(func() {
		r.stop()
		if _, peak, _ := ctl.counts(); peak > maxConns {
			t.Errorf("the model held %d connections to Nomad at once, want at most %d", peak, maxConns)
		}
	})
	select {
	case <-m.Ready():
	case <-time.After(time.Minute):
		t.Fatal("the model was not ready after a minute")
	}
	return m, ctl, r
}

// waitApp waits until cond holds for the app's view (nil when the model has no such app), re-checking on
// every update of a subscription, and fails t after timeout with the last view.
func waitApp(t testing.TB, m *Model, ns, app string, what string, cond func(*AppView) bool) *AppView {
	t.Helper()
	updates, cancel := m.Subscribe(ns, app)
	defer cancel()
	deadline := time.After(90 * time.Second)
	for {
		v, _ := m.App(ns, app)
		if cond(v) {
			return v
		}
		select {
		case <-updates:
		case <-time.After(time.Second): // the view may have changed before the subscription began
		case <-deadline:
			t.Fatalf("%s/%s: %s: not after 90s; last view: %s", ns, app, what, dump(v))
		}
	}
}

// dump renders a view for failure messages.
func dump(v *AppView) string {
	if v == nil {
		return "<no app>"
	}
	s := fmt.Sprintf("index %d", v.Index)
	for _, j := range v.Jobs {
		s += fmt.Sprintf("\n  job %s parent=%q type=%s v%d status=%s stop=%v",
			j.ID, j.ParentID, j.Type, j.Version, j.Status, j.Stop)
		for _, g := range j.Groups {
			s += fmt.Sprintf("\n    group %s desired=%d %+v", g.Name, g.Desired, g.Allocs)
		}
		if d := j.Deployment; d != nil {
			s += fmt.Sprintf("\n    deployment %s v%d %s (%s) %+v", d.ID, d.JobVersion, d.Status, d.Description, d.Groups)
		}
	}
	return s
}

// sleepJob is a raw_exec job of one group "main" running /bin/sleep, with skiff's meta for app (none when app
// is empty). Service jobs sleep long and count healthy after a second; batch jobs sleep one second.
func sleepJob(id, app, typ string, count int) *nomadapi.Job {
	j := &nomadapi.Job{ID: ptr(id), Name: ptr(id), Type: ptr(typ), Datacenters: []string{"*"}}
	if app != "" {
		j.Meta = map[string]string{compile.MetaManagedBy: compile.ManagedBy, compile.MetaApp: app,
			compile.MetaKind: compile.KindService}
	}
	secs := "600"
	if typ == nomadapi.JobTypeBatch {
		secs = "1"
		if app != "" {
			j.Meta[compile.MetaKind] = compile.KindRelease
		}
	}
	task := nomadapi.NewTask("sleep", "raw_exec").SetConfig("command", "/bin/sleep").SetConfig("args", []string{secs})
	task.Resources = &nomadapi.Resources{CPU: ptr(20), MemoryMB: ptr(16)}
	tg := nomadapi.NewTaskGroup("main", count).AddTask(task)
	tg.RestartPolicy = &nomadapi.RestartPolicy{Attempts: ptr(0), Mode: ptr("fail")}
	tg.ReschedulePolicy = &nomadapi.ReschedulePolicy{Attempts: ptr(0), Unlimited: ptr(false)}
	if typ == nomadapi.JobTypeService {
		tg.Update = &nomadapi.UpdateStrategy{MinHealthyTime: ptr(time.Second), HealthyDeadline: ptr(time.Minute),
			ProgressDeadline: ptr(2 * time.Minute)}
	}
	j.AddTaskGroup(tg)
	return j
}

// register registers j and returns the index the model must reach to see it.
func register(t testing.TB, c *nomadapi.Client, j *nomadapi.Job) uint64 {
	t.Helper()
	resp, _, err := c.Jobs().Register(j, nil)
	if err != nil {
		t.Fatalf("registering %s: %v", *j.ID, err)
	}
	return resp.JobModifyIndex
}

// purge deregisters and purges a job and returns the index of the write.
func purge(t testing.TB, c *nomadapi.Client, ns, id string) uint64 {
	t.Helper()
	_, meta, err := c.Jobs().Deregister(id, true, &nomadapi.WriteOptions{Namespace: ns})
	if err != nil {
		t.Fatalf("purging %s: %v", id, err)
	}
	return meta.LastIndex
}

// waitIndex waits until m has applied index.
func waitIndex(t testing.TB, m *Model, index uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := m.WaitIndex(ctx, index); err != nil {
		t.Fatalf("the model did not reach index %d (at %d): %v", index, m.Index(), err)
	}
}

func ptr[T any](v T) *T { return &v }

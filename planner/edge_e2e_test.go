package planner_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"

	"github.com/skiffpaas/skiff/edge"
	"github.com/skiffpaas/skiff/internal/devstack"
	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
	"github.com/skiffpaas/skiff/internal/loadgen"
	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner"
	"github.com/skiffpaas/skiff/planner/compile"
)

// edgeSpec fills the spec of the Fabio end-to-end tests: a web process with a host route, a stripped path
// route and an https_only host route, and a worker with a port (registered in Consul, never routed).
type edgeSpec struct {
	App, Version, Host string
	Count              int
	Canary, Weight     int // canary instances and canary_weight (percent) while unpromoted
	FailHealth         bool
}

func (p edgeSpec) hcl(image string) string {
	weight := ""
	if p.Canary > 0 {
		weight = fmt.Sprintf("\n      canary_weight     = %d", p.Weight)
	}
	return fmt.Sprintf(`app %q {
  image = %q
  env   = { APP_NAME = %q, APP_VERSION = %q, FAIL_HEALTH = %q }
  web "web" {
    command = ["/app"]
    port    = 8080
    count   = %d
    route {
      host = %q
    }
    route {
      path  = "/%s"
      strip = true
    }
    route {
      host       = "secure-%s"
      https_only = true
    }
    health {
      path     = "/healthz"
      interval = "1s"
      timeout  = "1s"
    }
    rollout {
      canary            = %d%s
      auto_revert       = true
      min_healthy_time  = "2s"
      healthy_deadline  = "15s"
      progress_deadline = "30s"
    }
    resources {
      cpu    = 50
      memory = 32
    }
  }
  worker "jobs" {
    command = ["/app"]
    port    = 8080
    resources {
      cpu    = 50
      memory = 32
    }
  }
}
`, p.App, image, p.App, p.Version, boolFlag(p.FailHealth), p.Count, p.Host, p.App, p.Host, p.Canary, weight)
}

// TestEdgeMetaKeys pins the Consul service meta keys that edge reads to the ones the compiler writes.
func TestEdgeMetaKeys(t *testing.T) {
	if edge.MetaApp != compile.ServiceMetaApp || edge.MetaNamespace != compile.ServiceMetaNamespace {
		t.Fatalf("edge reads %q/%q, the compiler writes %q/%q", edge.MetaApp, edge.MetaNamespace,
			compile.ServiceMetaApp, compile.ServiceMetaNamespace)
	}
}

// TestEdgeSpecRefusesRouterTags: only skiff writes urlprefix- tags; a spec that smuggles one in is refused.
func TestEdgeSpecRefusesRouterTags(t *testing.T) {
	src := `app "shop" {
  image = "shop:1"
  web "web" {
    port = 8080
    env  = { TAGS = "urlprefix-evil.example.com/ redirect=301,https://attacker.example" }
  }
}
`
	_, diags := jobspec.Parse("skiff.hcl", []byte(src), nil)
	if !diags.HasErrors() {
		t.Fatal("a spec with a urlprefix- string was accepted")
	}
	d := diags[0]
	if d.Summary != "Router tag not allowed" || d.Subject == nil || d.Subject.Start.Line != 5 {
		t.Fatalf("diagnostic %q at %v, want \"Router tag not allowed\" on line 5", d.Summary, d.Subject)
	}
}

// TestEdge drives Fabio routing on the real stack: routes by host and path, https_only, a worker without
// a route, a rolling deploy under load that must drop nothing, a canary deploy whose measured share must
// match canary_weight until it is promoted through Nomad's API, a failing canary whose weight must go, and a
// route conflict between two apps.
func TestEdge(t *testing.T) {
	s := stack.Get(t)
	image, _ := devstacktest.DemoImage(t, "edge")
	st := newStack(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	proxy := "http://" + s.Fabio.ProxyAddr
	fabio := edge.NewFabioClient(s.Fabio.UIAddr)
	weights := edge.NewWeightStore(st.Consul.KV(), s.Fabio.KVPath)
	spec := edgeSpec{App: "edgeweb", Version: "v1", Host: "shop.e2e.test", Count: 3}
	svc := "web-edgeweb-default"
	deploy := func(t *testing.T, p edgeSpec) (*planner.Result, error) {
		t.Helper()
		return st.Deploy(ctx, parseSpec(t, p.hcl(image)), logEvents(t))
	}

	t.Run("web answers through fabio at its host and path, worker has no route", func(t *testing.T) {
		plan, err := st.Plan(ctx, parseSpec(t, spec.hcl(image)))
		if err != nil {
			t.Fatal(err)
		}
		if got := routeActions(plan); got["shop.e2e.test/"] != planner.ActionCreate || got["/edgeweb"] != planner.ActionCreate ||
			got["secure-shop.e2e.test/"] != planner.ActionCreate || len(got) != 3 {
			t.Fatalf("plan before the first deploy: routes %v", got)
		}
		if _, err := deploy(t, spec); err != nil {
			t.Fatal(err)
		}
		waitHostBody(t, proxy+"/", "shop.e2e.test", "hello from edgeweb v1", 30*time.Second)
		waitHostBody(t, proxy+"/edgeweb/x", "", "hello from edgeweb v1", 10*time.Second)
		if code, loc := get(t, proxy+"/any", "secure-shop.e2e.test", nil); code != 301 || loc != "https://secure-shop.e2e.test/any" {
			t.Errorf("https_only over plain HTTP: %d to %q, want 301 to https://secure-shop.e2e.test/any", code, loc)
		}
		if code, _ := get(t, proxy+"/any", "secure-shop.e2e.test", http.Header{"X-Forwarded-Proto": {"https"}}); code != 200 {
			t.Errorf("https_only over (forwarded) HTTPS: %d, want 200", code)
		}
		if code, _ := get(t, proxy+"/", "other.e2e.test", nil); code != 404 {
			t.Errorf("unrouted host: %d, want 404", code)
		}
		entries, _, err := st.Consul.Catalog().Service("jobs-edgeweb-default", "", nil)
		if err != nil || len(entries) != 1 {
			t.Fatalf("worker service: %d entries, %v", len(entries), err)
		}
		for _, tag := range entries[0].ServiceTags {
			if strings.HasPrefix(tag, edge.TagPrefix) {
				t.Errorf("worker registered route tag %q", tag)
			}
		}
		for _, r := range fabioRoutes(t, fabio) {
			if r.Service == "jobs-edgeweb-default" {
				t.Errorf("Fabio routes to the worker: %+v", r)
			}
		}
		plan, err = st.Plan(ctx, parseSpec(t, spec.hcl(image)))
		if err != nil {
			t.Fatal(err)
		}
		for src, a := range routeActions(plan) {
			if a != planner.ActionNone {
				t.Errorf("after the deploy, route %s plans %s", src, a)
			}
		}
	})

	t.Run("rolling deploy under load drops nothing", func(t *testing.T) {
		spec.Version = "v2"
		res := underLoad(t, proxy+"/", spec.Host, func() {
			if _, err := deploy(t, spec); err != nil {
				t.Error(err)
			}
		})
		t.Logf("rolling v1 → v2 (3 instances) under load: %s", res)
		if res.NotOK() != 0 {
			t.Errorf("%d of %d requests failed during the rollout: %+v", res.NotOK(), res.Sent, res.Failures)
		}
		if res.Share("v1") == 0 || res.Share("v2") == 0 {
			t.Errorf("bodies %v: the load did not span the rollout", res.ByBody)
		}
		waitHostBody(t, proxy+"/", spec.Host, "hello from edgeweb v2", 10*time.Second)
	})

	spec.Canary, spec.Weight = 1, 50
	t.Run("canary gets canary_weight until skiff promote", func(t *testing.T) {
		// 3 stable instances and 1 canary: spread evenly the canary would get 25%; weighted it gets 50%.
		spec.Version = "v2" // same code, canary settings first, so that the next version is a canary
		if _, err := deploy(t, spec); err != nil {
			t.Fatal(err)
		}
		spec.Version = "v3"
		res, err := deploy(t, spec)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Notes) == 0 || !strings.Contains(res.Notes[0], "manual promotion") {
			t.Fatalf("notes %q, want a deployment waiting for promotion", res.Notes)
		}
		stored := storedWeights(t, weights)
		if len(stored) != 1 || stored[0].Service != svc || stored[0].Percent != 50 || stored[0].Canaries != 1 {
			t.Fatalf("stored weights %+v, want 50%% for %s", stored, svc)
		}
		waitCanaryShare(t, fabio, svc, "shop.e2e.test/", 0.50, 20*time.Second)
		lg, err := loadgen.Run(ctx, loadgen.Config{URL: proxy + "/", Host: spec.Host, Rate: 200, Requests: 2000,
			Duration: 30 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		share := lg.Share("v3")
		t.Logf("canary share over %d requests: %.1f%% (canary_weight 50%%; an even spread would give 25%%): %s", lg.OK, share*100, lg)
		if lg.NotOK() != 0 || lg.OK < 1900 || math.Abs(share-0.50) > 0.05 {
			t.Errorf("canary share %.3f over %d answers (%d failed), want 0.50 ± 0.05", share, lg.OK, lg.NotOK())
		}
		for _, d := range routeDrift(t, st, fabio, "edgeweb") {
			if len(d.Drift) > 0 {
				t.Errorf("drift while the canary runs: %+v", d)
			}
		}

		// skiff promote promotes and watches the rest of the rollout, so the weight goes as the deployment ends.
		if err := st.Promote(ctx, "default", "edgeweb", logEvents(t)); err != nil {
			t.Fatal(err)
		}
		if stored := storedWeights(t, weights); len(stored) != 0 {
			t.Errorf("weights left after skiff promote: %+v", stored)
		}
		waitFabio(t, fabio, 60*time.Second, "an even spread over the 3 promoted v3 instances", func(ts []edge.FabioTarget) bool {
			return evenSpread(ts, svc, "shop.e2e.test/", 3)
		})
		waitHostBody(t, proxy+"/", spec.Host, "hello from edgeweb v3", 30*time.Second)
	})

	t.Run("failing canary removes the weight and drops nothing", func(t *testing.T) {
		spec.Version, spec.FailHealth = "v4", true
		seen := watchWeights(t, weights)
		var deployErr error
		res := underLoad(t, proxy+"/", spec.Host, func() { _, deployErr = deploy(t, spec) })
		var de *planner.DeployError
		if !errors.As(deployErr, &de) {
			t.Fatalf("err = %v, want a *DeployError", deployErr)
		}
		t.Logf("failing canary under load: %s", res)
		if !seen() {
			t.Error("no weight was written while the failing canary was placed")
		}
		if stored := storedWeights(t, weights); len(stored) != 0 {
			t.Errorf("weights left after the failed deployment: %+v", stored)
		}
		if res.NotOK() != 0 || res.Share("v4") != 0 {
			t.Errorf("%d failed, v4 share %.3f: %+v", res.NotOK(), res.Share("v4"), res.Failures)
		}
		if ts := fabioRoutes(t, fabio); !evenSpread(ts, svc, "shop.e2e.test/", 3) {
			t.Errorf("targets after the failed canary: %+v", ts)
		}
		spec.FailHealth = false
	})

	t.Run("a route another app serves is refused with file:line:col", func(t *testing.T) {
		other := edgeSpec{App: "edgeother", Version: "v1", Host: "shop.e2e.test", Count: 1}
		src := other.hcl(image)
		app, diags := jobspec.Parse("other.hcl", []byte(src), nil)
		if diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		_, err := st.Plan(ctx, app)
		// Both host routes clash (shop.e2e.test and the https_only secure-shop.e2e.test); the path route
		// /edgeother does not.
		var de *planner.DiagnosticsError
		if !errors.As(err, &de) || len(de.Diags) != 2 {
			t.Fatalf("err = %v, want two route diagnostics", err)
		}
		d := de.Diags[0]
		line := 1 + strings.Count(src[:strings.Index(src, `host = "shop.e2e.test"`)], "\n")
		col := strings.Index(strings.Split(src, "\n")[line-1], `"shop.e2e.test"`) + 1
		want := fmt.Sprintf("other.hcl:%d:%d", line, col)
		got := fmt.Sprintf("%s:%d:%d", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
		t.Logf("%s: %s: %s", got, d.Summary, d.Detail)
		if got != want || d.Summary != "Route already taken" || !strings.Contains(d.Detail, `"edgeweb"`) {
			t.Errorf("diagnostic %s %q %q, want at %s naming app edgeweb", got, d.Summary, d.Detail, want)
		}
		// Another host is fine, and the plan shows its routes.
		other.Host = "other.e2e.test"
		plan, err := st.Plan(ctx, parseSpec(t, other.hcl(image)))
		if err != nil {
			t.Fatal(err)
		}
		if got := routeActions(plan); got["other.e2e.test/"] != planner.ActionCreate {
			t.Errorf("routes of the other app: %v", got)
		}
	})

	t.Run("destroy removes routes and weights", func(t *testing.T) {
		if _, err := st.Destroy(ctx, "default", "edgeweb", planner.DeployOptions{}); err != nil {
			t.Fatal(err)
		}
		waitFabio(t, fabio, 30*time.Second, "no route of edgeweb", func(ts []edge.FabioTarget) bool {
			for _, tg := range ts {
				if tg.Service == svc {
					return false
				}
			}
			return true
		})
		if stored := storedWeights(t, weights); len(stored) != 0 {
			t.Errorf("weights left after destroy: %+v", stored)
		}
	})
}

// underLoad runs fn while ~200 requests/s go through Fabio to url with Host host, and for 8s after (the
// shutdown_delay of the last replaced instance plus its kill), and returns the counts.
func underLoad(t *testing.T, url, host string, fn func()) *loadgen.Result {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var res *loadgen.Result
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		res, err = loadgen.Run(ctx, loadgen.Config{URL: url, Host: host, Rate: 200, Duration: 5 * time.Minute})
	}()
	time.Sleep(time.Second)
	fn()
	time.Sleep(8 * time.Second)
	stop()
	<-done
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// get sends one GET through Fabio and returns the status and the Location header.
func get(t *testing.T, url, host string, header http.Header) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Host = host
	for k, v := range header {
		req.Header[k] = v
	}
	c := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s (Host %s): %v", url, host, err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// waitHostBody polls url with Host host until a 200 answer contains want.
func waitHostBody(t *testing.T, url, host, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		res, err := loadgen.Run(context.Background(), loadgen.Config{URL: url, Host: host, Rate: 1, Requests: 1, Duration: 2 * time.Second})
		if err == nil && res.OK == 1 && res.Share(want) == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s (Host %q) never answered %q (last: %v %v)", url, host, want, res, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func fabioRoutes(t *testing.T, c *edge.FabioClient) []edge.FabioTarget {
	t.Helper()
	ts, err := c.Routes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// waitFabio polls Fabio's table until ok holds.
func waitFabio(t *testing.T, c *edge.FabioClient, timeout time.Duration, what string, ok func([]edge.FabioTarget) bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last []edge.FabioTarget
	for {
		last = fabioRoutes(t, c)
		if ok(last) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Fabio never showed %s; last table: %+v", what, last)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// evenSpread reports whether service has n targets at src, none a canary, with equal weights.
func evenSpread(ts []edge.FabioTarget, service, src string, n int) bool {
	found := 0
	for _, tg := range ts {
		if tg.Service != service || tg.Src != src {
			continue
		}
		if tg.Canary() || math.Abs(tg.Weight-1/float64(n)) > 0.001 {
			return false
		}
		found++
	}
	return found == n
}

// waitCanaryShare waits until Fabio gives the canary targets of service at src the share want.
func waitCanaryShare(t *testing.T, c *edge.FabioClient, service, src string, want float64, timeout time.Duration) {
	t.Helper()
	waitFabio(t, c, timeout, fmt.Sprintf("canaries of %s at %.0f%%", src, want*100), func(ts []edge.FabioTarget) bool {
		share := 0.0
		for _, tg := range ts {
			if tg.Service == service && tg.Src == src && tg.Canary() {
				share += tg.Weight
			}
		}
		return math.Abs(share-want) < 0.001
	})
}

func storedWeights(t *testing.T, ws *edge.WeightStore) []edge.StoredWeight {
	t.Helper()
	out, err := ws.List(context.Background(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// watchWeights polls the stored weights until the returned func is called, which reports whether any was
// seen.
func watchWeights(t *testing.T, ws *edge.WeightStore) func() bool {
	ctx, stop := context.WithCancel(context.Background())
	var mu sync.Mutex
	seen := false
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			if out, err := ws.List(ctx, "", ""); err == nil && len(out) > 0 {
				mu.Lock()
				seen = true
				mu.Unlock()
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	return func() bool {
		stop()
		<-done
		mu.Lock()
		defer mu.Unlock()
		return seen
	}
}

// routeActions maps the plan's fabio_route changes by source.
func routeActions(p *planner.Plan) map[string]planner.Action {
	out := map[string]planner.Action{}
	for _, c := range p.Changes {
		if c.Resource == edge.ResourceRoute {
			out[c.Name] = c.Action
		}
	}
	return out
}

// routeDrift compares the app's live registrations with Fabio's table, as `skiff routes APP` does.
func routeDrift(t *testing.T, st *planner.Stack, fabio *edge.FabioClient, app string) []edge.RouteState {
	t.Helper()
	ctx := context.Background()
	live, err := edge.LiveRoutes(ctx, st.Consul)
	if err != nil {
		t.Fatal(err)
	}
	desired := edge.DesiredFromLive(live, "default", app)
	stored, err := edge.NewWeightStore(st.Consul.KV(), "").List(ctx, "default", app)
	if err != nil {
		t.Fatal(err)
	}
	scope := map[string]bool{}
	for _, d := range desired {
		scope[d.Service] = true
	}
	return edge.Drift(desired, stored, fabioRoutes(t, fabio), scope)
}

// newEdgeStack is newStack for benchmarks.
func newEdgeStack(tb testing.TB, s *devstack.Stack) *planner.Stack {
	tb.Helper()
	n, err := s.Nomad.Client()
	if err != nil {
		tb.Fatal(err)
	}
	c, err := s.Consul.Client()
	if err != nil {
		tb.Fatal(err)
	}
	return planner.NewStack(n, c).WithFabio(s.Fabio.KVPath)
}

// BenchmarkRoutePropagation measures how soon a new route serves through Fabio: each iteration deploys a
// new app with a new path (1s health checks, min_healthy_time 1s) and records, from the same clock, when the
// instance's checks first pass in Consul, when skiff reports the deployment healthy, and the first 200 through
// Fabio. scripts/bench-routes runs it and checks the worst run against the 2s target.
func BenchmarkRoutePropagation(b *testing.B) {
	s := stack.Get(b)
	image, _ := devstacktest.DemoImage(b, "bench")
	st := newEdgeStack(b, s)
	proxy := "http://" + s.Fabio.ProxyAddr
	run := 0
	b.Run("new-route", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			run++
			m := propagateOnce(b, st, image, proxy, fmt.Sprintf("prop%d", run))
			b.Logf("propagation run %d: passing→200 %.3fs healthy→200 %.3fs (passing at +%.3fs, healthy at +%.3fs, first 200 at +%.3fs after register)",
				run, m.first200.Sub(m.passing).Seconds(), m.first200.Sub(m.healthy).Seconds(),
				m.passing.Sub(m.start).Seconds(), m.healthy.Sub(m.start).Seconds(), m.first200.Sub(m.start).Seconds())
			b.ReportMetric(m.first200.Sub(m.passing).Seconds(), "passing-to-200-s")
		}
	})
}

type propagation struct{ start, passing, healthy, first200 time.Time }

// propagateOnce deploys app with route /<app> and times its propagation; it destroys the app afterwards.
func propagateOnce(b *testing.B, st *planner.Stack, image, proxy, app string) propagation {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	src := fmt.Sprintf(`app %q {
  image = %q
  env   = { APP_NAME = %q }
  web "web" {
    command = ["/app"]
    port    = 8080
    route {
      path = "/%s"
    }
    health {
      path     = "/healthz"
      interval = "1s"
      timeout  = "1s"
    }
    rollout {
      min_healthy_time = "1s"
    }
    resources {
      cpu    = 50
      memory = 32
    }
  }
}
`, app, image, app, app)
	spec, diags := jobspec.Parse("skiff.hcl", []byte(src), nil)
	if diags.HasErrors() {
		b.Fatal(diags.Error())
	}
	var m propagation
	var mu sync.Mutex
	pollCtx, stopPolls := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // checks passing in Consul
		defer wg.Done()
		svc := "web-" + app + "-default"
		for pollCtx.Err() == nil {
			entries, _, err := st.Consul.Health().Service(svc, "", true, (&consulapi.QueryOptions{}).WithContext(pollCtx))
			if err == nil && len(entries) > 0 {
				mu.Lock()
				m.passing = time.Now()
				mu.Unlock()
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	go func() { // first 200 through Fabio
		defer wg.Done()
		c := &http.Client{Timeout: 2 * time.Second}
		for pollCtx.Err() == nil {
			resp, err := c.Get(proxy + "/" + app)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					mu.Lock()
					m.first200 = time.Now()
					mu.Unlock()
					return
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	opts := planner.DeployOptions{Progress: func(e planner.Event) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case strings.HasPrefix(e.Message, "Registered job"):
			m.start = e.Time
		case strings.Contains(e.Message, "is healthy"):
			m.healthy = e.Time
		}
	}}
	if _, err := st.Deploy(ctx, spec, opts); err != nil {
		b.Fatal(err)
	}
	deadline := time.After(30 * time.Second)
	for {
		mu.Lock()
		done := !m.first200.IsZero() && !m.passing.IsZero()
		mu.Unlock()
		if done {
			break
		}
		select {
		case <-deadline:
			b.Fatalf("%s: no first 200 through Fabio / passing check within 30s of a healthy deployment", app)
		case <-time.After(50 * time.Millisecond):
		}
	}
	stopPolls()
	wg.Wait()
	if _, err := st.Destroy(ctx, "default", app, planner.DeployOptions{}); err != nil {
		b.Fatal(err)
	}
	return m
}

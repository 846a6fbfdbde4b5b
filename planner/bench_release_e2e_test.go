package planner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/internal/devstack"
	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner"
	"github.com/skiffpaas/skiff/planner/compile"
	"github.com/skiffpaas/skiff/planner/release"
)

// benchWebApp parses the one-web-process app of the release benchmarks: route /<app> through Fabio, 1s health
// checks, min_healthy_time 1s.
func benchWebApp(tb testing.TB, app, image string) (*jobspec.App, string) {
	tb.Helper()
	src := fmt.Sprintf(`app %q {
  image = %q
  web "web" {
    command = ["/app"]
    port    = 8080
    route { path = "/%s" }
    health {
      path     = "/healthz"
      interval = "1s"
      timeout  = "1s"
    }
    rollout { min_healthy_time = "1s" }
  }
}
`, app, image, app)
	spec, diags := jobspec.Parse(app+".hcl", []byte(src), nil)
	if diags.HasErrors() {
		tb.Fatal(diags.Error())
	}
	return spec, src
}

// BenchmarkDeployVsNomad measures `skiff deploy` (the CLI binary, built here) of a one-web-process app until
// its first 200 through Fabio, against the raw floor measured in the same run: `nomad job run -detach -json`
// (the pinned binary) of the same app's job as compile.Compile renders it (`skiff render`; not timed), then
// its deployment polled every 20ms until successful, and the first 200 through Fabio. Each iteration deploys
// one of each under new names and routes, in alternating order, and removes both (untimed). It logs every
// pair and reports the medians (skiff-s, floor-s), their ratio, the target 1.05×floor+0.5s, and each side's
// time outside Nomad's rollout (skiff-outside-s, nomad-outside-s; see deployTiming.outside), which the timing
// of Consul's checks and Nomad's health updates does not blur. scripts/bench-deploy runs it.
func BenchmarkDeployVsNomad(b *testing.B) {
	s := stack.Get(b)
	image, _ := devstacktest.DemoImage(b, "bench-release")
	nomadBin, err := devstack.FindBinary("nomad")
	if err != nil {
		b.Fatal(err)
	}
	r := &deployRig{st: newEdgeStack(b, s), image: image, proxy: "http://" + s.Fabio.ProxyAddr, nomad: nomadBin,
		skiff: filepath.Join(b.TempDir(), "skiff"), dir: b.TempDir(), env: os.Environ()}
	if err := devstack.BuildGoBinary(context.Background(), devstacktest.ModuleRoot(b), "./cmd/skiff", r.skiff); err != nil {
		b.Fatal(err)
	}
	for k, v := range s.Env() {
		r.env = append(r.env, k+"="+v)
	}
	run := 0
	b.Run("one-web", func(b *testing.B) {
		var sk, fl, skOut, flOut []float64
		for i := 0; i < b.N; i++ {
			run++
			var ts, tf deployTiming
			if run%2 == 1 {
				ts, tf = r.once(b, fmt.Sprintf("bdskiff%d", run), true), r.once(b, fmt.Sprintf("bdnomad%d", run), false)
			} else {
				tf, ts = r.once(b, fmt.Sprintf("bdnomad%d", run), false), r.once(b, fmt.Sprintf("bdskiff%d", run), true)
			}
			sk, fl = append(sk, ts.total().Seconds()), append(fl, tf.total().Seconds())
			skOut, flOut = append(skOut, ts.outside().Seconds()), append(flOut, tf.outside().Seconds())
			b.Logf("deploy run %d (%d of %d): skiff %.3fs floor %.3fs (skiff: %s; nomad: %s)", run, i+1, b.N,
				ts.total().Seconds(), tf.total().Seconds(), ts.String(), tf.String())
		}
		ms, mf := benchMedian(sk), benchMedian(fl)
		b.ReportMetric(ms, "skiff-s")
		b.ReportMetric(mf, "floor-s")
		b.ReportMetric(ms/mf, "skiff/floor")
		b.ReportMetric(1.05*mf+0.5, "target-s")
		b.ReportMetric(benchMedian(skOut), "skiff-outside-s")
		b.ReportMetric(benchMedian(flOut), "nomad-outside-s")
	})
}

// deployRig holds what both sides of BenchmarkDeployVsNomad need.
type deployRig struct {
	st                              *planner.Stack
	image, proxy, dir, nomad, skiff string
	env                             []string
}

// deployTiming is one deploy, from the start of the command: when Nomad registered the job (its submit time),
// when the deployment was seen successful (Nomad polled every 20ms), when the command was done (skiff's exit;
// for nomad, the deployment successful) and the first 200 through Fabio (polled every 20ms).
type deployTiming struct{ registered, healthy, done, first200 time.Duration }

// total is when the app was both deployed and serving.
func (t deployTiming) total() time.Duration { return max(t.done, t.first200) }

// outside is the time the command spent outside Nomad's rollout: until Nomad had the job, and from the
// deployment successful to its end.
func (t deployTiming) outside() time.Duration { return t.registered + t.done - t.healthy }

func (t deployTiming) String() string {
	return fmt.Sprintf("registered +%.3fs healthy +%.3fs done +%.3fs first 200 +%.3fs", t.registered.Seconds(),
		t.healthy.Seconds(), t.done.Seconds(), t.first200.Seconds())
}

// once deploys app with `skiff deploy` (bySkiff) or `nomad job run`, times it, and removes it again.
func (r *deployRig) once(b *testing.B, app string, bySkiff bool) deployTiming {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	spec, src := benchWebApp(b, app, r.image)
	d, err := compile.Compile(spec, compile.CompileOptions{})
	if err != nil || len(d.AllJobs()) != 1 {
		b.Fatalf("rendering %s: %v", app, err)
	}
	job, file, raw := d.AllJobs()[0], filepath.Join(r.dir, app+".hcl"), []byte(src)
	cmd := exec.CommandContext(ctx, r.skiff, "deploy", "-f", file)
	if !bySkiff {
		file = filepath.Join(r.dir, app+".json")
		if raw, err = json.Marshal(map[string]interface{}{"Job": compile.CompactJSON(job)}); err != nil {
			b.Fatal(err)
		}
		cmd = exec.CommandContext(ctx, r.nomad, "job", "run", "-detach", "-json", file)
	}
	if err := os.WriteFile(file, raw, 0o644); err != nil {
		b.Fatal(err)
	}
	q := (&nomadapi.QueryOptions{Namespace: *job.Namespace}).WithContext(ctx)
	client := &http.Client{Timeout: 2 * time.Second}
	start := time.Now()
	got200 := benchPoll(ctx, 20*time.Millisecond, func() bool {
		resp, err := client.Get(r.proxy + "/" + app)
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == http.StatusOK
	})
	succeeded := benchPoll(ctx, 20*time.Millisecond, func() bool {
		d, _, err := r.st.Nomad.Jobs().LatestDeployment(*job.ID, q)
		return err == nil && d != nil && d.Status == nomadapi.DeploymentStatusSuccessful
	})
	cmd.Env = r.env
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s: %v\n%s", cmd, err, out)
	}
	t := deployTiming{done: time.Since(start)}
	if t.healthy = benchWait(b, succeeded, start, "deployment of "+app+" successful"); !bySkiff {
		t.done = t.healthy
	}
	t.first200 = benchWait(b, got200, start, "first 200 of "+app+" through Fabio")
	live, _, err := r.st.Nomad.Jobs().Info(*job.ID, q)
	if err != nil {
		b.Fatal(err)
	}
	t.registered = time.Unix(0, *live.SubmitTime).Sub(start)
	if bySkiff {
		_, err = r.st.Destroy(ctx, spec.Namespace, app, planner.DeployOptions{})
	} else {
		_, _, err = r.st.Nomad.Jobs().Deregister(*job.ID, true, (&nomadapi.WriteOptions{Namespace: *job.Namespace}).WithContext(ctx))
	}
	if err != nil {
		b.Fatal(err)
	}
	aq := (&nomadapi.QueryOptions{Namespace: *job.Namespace, Filter: fmt.Sprintf("JobID == %q", *job.ID)}).WithContext(ctx)
	benchWait(b, benchPoll(ctx, 250*time.Millisecond, func() bool {
		allocs, _, err := r.st.Nomad.Allocations().List(aq)
		for _, a := range allocs {
			if a.ClientStatus == nomadapi.AllocClientStatusPending || a.ClientStatus == nomadapi.AllocClientStatusRunning {
				return false
			}
		}
		return err == nil
	}), start, "allocations of "+app+" stopped")
	return t
}

// benchPoll calls ok every interval, from now until it reports true or ctx ends, and then sends the time.
func benchPoll(ctx context.Context, every time.Duration, ok func() bool) <-chan time.Time {
	ch := make(chan time.Time, 1)
	go func() {
		for ; ctx.Err() == nil; time.Sleep(every) {
			if ok() {
				ch <- time.Now()
				return
			}
		}
	}()
	return ch
}

// benchWait returns when, after start, benchPoll's ok held; it fails b when that takes over a minute.
func benchWait(b *testing.B, ch <-chan time.Time, start time.Time, what string) time.Duration {
	b.Helper()
	select {
	case at := <-ch:
		return at.Sub(start)
	case <-time.After(time.Minute):
		b.Fatalf("no %s within a minute", what)
		return 0
	}
}

// benchMedian returns the median of xs, which is not empty.
func benchMedian(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	return (s[(len(s)-1)/2] + s[len(s)/2]) / 2
}

// BenchmarkPlanHistory measures Stack.Plan and Stack.Status of one app whose history holds 10 and then 200
// releases. The app is really deployed once (release 1); the rest of the history is written straight through
// the release Store — Create with release 1's record and snapshot, then Update to succeeded — because 200
// deploys take far longer than the ~3 minutes allowed. Besides ns/op, each reports the Consul KV requests
// and response bytes per op (kv-req/op, kv-B/op), which must not grow with the history. History, which lists
// every record by design, is measured too, for comparison. scripts/bench-plan runs it.
func BenchmarkPlanHistory(b *testing.B) {
	s := stack.Get(b)
	image, _ := devstacktest.DemoImage(b, "bench-release")
	cfg := consulapi.DefaultConfig()
	kv := &kvCounter{base: cfg.Transport}
	cfg.Address, cfg.Token, cfg.HttpClient = s.Consul.HTTPAddr, s.Consul.Token, &http.Client{Transport: kv}
	c, err := consulapi.NewClient(cfg)
	n, nerr := s.Nomad.Client()
	if err = errors.Join(err, nerr); err != nil {
		b.Fatal(err)
	}
	st := planner.NewStack(n, c).WithFabio(s.Fabio.KVPath)
	ctx := context.Background()
	app, _ := benchWebApp(b, "bphist", image)
	if _, err := st.Deploy(ctx, app, planner.DeployOptions{CreatedBy: "bench"}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _, _ = st.Destroy(context.Background(), app.Namespace, app.Name, planner.DeployOptions{}) })
	ops := []struct {
		name string
		fn   func() error
	}{
		{"Plan", func() error { _, err := st.Plan(ctx, app); return err }},
		{"Status", func() error { _, err := st.Status(ctx, app.Namespace, app.Name); return err }},
		{"History", func() error { _, err := st.History(ctx, app.Namespace, app.Name); return err }},
	}
	for _, releases := range []int{10, 200} {
		growHistory(b, st.Releases, app, releases)
		for _, op := range ops {
			b.Run(fmt.Sprintf("releases=%d/%s", releases, op.name), func(b *testing.B) {
				kv.reqs.Store(0)
				kv.bytes.Store(0)
				for i := 0; i < b.N; i++ {
					if err := op.fn(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(kv.reqs.Load())/float64(b.N), "kv-req/op")
				b.ReportMetric(float64(kv.bytes.Load())/float64(b.N), "kv-B/op")
			})
		}
	}
}

// growHistory records copies of the app's live release, each succeeded, until the app has n releases.
func growHistory(b *testing.B, rs *release.Store, app *jobspec.App, n int) {
	b.Helper()
	ctx := context.Background()
	live, err := rs.Live(ctx, app.Namespace, app.Name)
	if err != nil || live == nil {
		b.Fatalf("live release of %s: %v, %v", app.Name, live, err)
	}
	snap, err := rs.Snapshot(ctx, app.Namespace, app.Name, live.Number)
	if err != nil {
		b.Fatal(err)
	}
	for next := live.Number + 1; next <= n; next++ {
		rec := &release.Record{Description: "deploy", SpecHash: live.SpecHash, CreatedBy: "bench-history",
			Plan: live.Plan, Jobs: live.Jobs, Registered: live.Registered, Deployments: live.Deployments,
			Systems: live.Systems}
		if err := rs.Create(ctx, app.Namespace, app.Name, rec, snap); err != nil {
			b.Fatal(err)
		}
		rec.State, rec.Reason = release.Succeeded, "written by BenchmarkPlanHistory"
		if err := rs.Update(ctx, app.Namespace, app.Name, rec); err != nil {
			b.Fatal(err)
		}
	}
}

// kvCounter is an http.RoundTripper that counts the Consul KV requests (/v1/kv/, /v1/txn) sent through it and
// the response bytes read back.
type kvCounter struct {
	base        http.RoundTripper
	reqs, bytes atomic.Int64
}

func (c *kvCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.base.RoundTrip(req)
	if err != nil || (!strings.HasPrefix(req.URL.Path, "/v1/kv/") && req.URL.Path != "/v1/txn") {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	c.reqs.Add(1)
	c.bytes.Add(int64(len(body)))
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, err
}

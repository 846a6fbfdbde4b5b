package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
	"github.com/skiffpaas/skiff/internal/loadgen"
	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner"
	"github.com/skiffpaas/skiff/server"
)

// BenchmarkStatusAtFixedRate is what scripts/bench-api runs: GET …/status of one deployed app at a fixed rate
// (BENCH_API_RATE, default 1000/s) for BENCH_API_SECONDS (default 30) over loopback, through the real server on
// the real stack. It reports the latency percentiles, the non-2xx and error counts, and the process's RSS.
func BenchmarkStatusAtFixedRate(b *testing.B) {
	s := stack.Get(b)
	image, _ := devstacktest.DemoImage(b, "api")
	n, _ := s.Nomad.Client()
	c, _ := s.Consul.Client()
	st := planner.NewStack(n, c)
	modelNomad, _ := s.Nomad.Client()
	srv, err := server.New(server.Config{Token: token, ReadModelNomad: modelNomad}, st)
	if err != nil {
		b.Fatal(err)
	}
	bg, stop := context.WithCancel(context.Background())
	defer stop()
	go srv.Run(bg)
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	spec := `app "bench-api" {
  image = "` + image + `"
  worker "w" {
    command = ["/app"]
    resources {
      cpu    = 50
      memory = 32
    }
  }
}
`
	app, diags := parseApp(spec)
	if diags != nil {
		b.Fatal(diags)
	}
	ctx := context.Background()
	if _, err := st.Deploy(ctx, app, planner.DeployOptions{}); err != nil {
		b.Fatal(err)
	}
	defer st.Destroy(ctx, "default", "bench-api", planner.DeployOptions{})
	rate, seconds := envInt("BENCH_API_RATE", 1000), envInt("BENCH_API_SECONDS", 30)
	for i := 0; i < b.N; i++ {
		res, err := loadgen.Run(ctx, loadgen.Config{URL: ts.URL + "/v1/namespaces/default/apps/bench-api/status",
			Header: http.Header{"Authorization": {"Bearer " + token}}, Rate: rate,
			Duration: time.Duration(seconds) * time.Second, Requests: rate * seconds, Timeout: 5 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Percentile(50).Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(res.Percentile(99).Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(res.NotOK()), "errors")
		b.ReportMetric(float64(res.Sent)/res.Elapsed.Seconds(), "req/s")
		b.ReportMetric(float64(res.Skipped), "skipped")
	}
	b.ReportMetric(rssMB(), "rss-MB")
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// rssMB reads this process's resident set size (the server runs in it) from /proc.
func rssMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.Atoi(f[1])
			return float64(kb) / 1024
		}
	}
	return -1
}

// parseApp parses a spec without var files; the error is the diagnostics' text.
func parseApp(src string) (*jobspec.App, error) {
	app, diags := jobspec.Parse("skiff.hcl", []byte(src), nil)
	if diags.HasErrors() {
		return nil, diags
	}
	return app, nil
}

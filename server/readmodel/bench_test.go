package readmodel

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/planner/compile"
)

// benchApps is how many apps BenchmarkStatusAllApps registers.
const benchApps = 1000

// BenchmarkStatusAllApps reads the status (Apps, then App of each) of every app from a model that follows 1,000
// skiff apps of one parameterized batch job each. ns/op is one read of all apps. It also reports: conns, the
// most connections the model held to Nomad at once (full read included); fullread-ms, from Run to Ready with
// the 1,000 jobs read; reread-ms, a restarted Run's full read, which re-reads no unchanged job; ryw-ms, from a
// job registration returning to the model having applied it; slowest-ms, the slowest read of all apps. It fails
// when a read of all apps takes over 1 s or the model holds more than 4 connections. The 1,000 jobs are
// registered once (16 at a time) and kept for the next run in the same stack.
func BenchmarkStatusAllApps(b *testing.B) {
	c, addr := nomadClient(b)
	ensureBenchApps(b, c)

	began := time.Now()
	m, ctl, r := runModel(b, addr)
	fullRead := time.Since(began)
	if n := countBenchApps(m); n != benchApps {
		b.Fatalf("the model has %d bench apps after its full read, want %d", n, benchApps)
	}

	before := m.Stats().FullReads
	began = time.Now()
	r.stop()
	r.start()
	for m.Stats().FullReads == before {
		time.Sleep(time.Millisecond)
	}
	reread := time.Since(began)

	j := benchJob(0)
	j.Meta["rev"] = fmt.Sprint(time.Now().UnixNano())
	began = time.Now()
	idx := register(b, c, j)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := m.WaitIndex(ctx, idx); err != nil {
		b.Fatal(err)
	}
	ryw := time.Since(began)

	var slowest time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		if n := countBenchApps(m); n != benchApps {
			b.Fatalf("read %d bench apps, want %d", n, benchApps)
		}
		slowest = max(slowest, time.Since(t0))
	}
	b.StopTimer()
	_, peak, dials := ctl.counts()
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(float64(peak), "conns")
	b.ReportMetric(ms(fullRead), "fullread-ms")
	b.ReportMetric(ms(reread), "reread-ms")
	b.ReportMetric(ms(ryw), "ryw-ms")
	b.ReportMetric(ms(slowest), "slowest-ms")
	b.Logf("%d apps: all read in %s at worst; %d connections at most (%d dials); full read %s, re-read %s, "+
		"read-your-write %s; %+v", benchApps, slowest, peak, dials, fullRead, reread, ryw, m.Stats())
	if slowest > time.Second {
		b.Errorf("reading the status of all %d apps took %s, want at most 1s", benchApps, slowest)
	}
	if peak > maxConns {
		b.Errorf("the model held %d connections, want at most %d", peak, maxConns)
	}
}

// countBenchApps reads every app's view and counts the bench apps that have their job.
func countBenchApps(m *Model) int {
	n := 0
	for _, ref := range m.Apps() {
		v, ok := m.App(ref.Namespace, ref.App)
		if j := v.Job(ref.App); ok && strings.HasPrefix(ref.App, "rm-bench-") && j != nil && len(j.Groups) == 1 {
			n++
		}
	}
	return n
}

// benchJob is the parameterized batch job of bench app i: registered, it places nothing.
func benchJob(i int) *nomadapi.Job {
	j := sleepJob(benchName(i), benchName(i), nomadapi.JobTypeBatch, 1)
	j.ParameterizedJob = &nomadapi.ParameterizedJobConfig{}
	j.Meta[compile.MetaKind] = compile.KindFunction
	return j
}

func benchName(i int) string { return fmt.Sprintf("rm-bench-%04d", i) }

// ensureBenchApps registers the bench jobs that do not exist yet, 16 at a time, and logs how long it took.
func ensureBenchApps(b *testing.B, c *nomadapi.Client) {
	b.Helper()
	stubs, _, err := c.Jobs().PrefixList("rm-bench-")
	if err != nil {
		b.Fatal(err)
	}
	have := map[string]bool{}
	for _, s := range stubs {
		have[s.ID] = true
	}
	var missing []int
	for i := range benchApps {
		if !have[benchName(i)] {
			missing = append(missing, i)
		}
	}
	if len(missing) == 0 {
		return
	}
	began := time.Now()
	work := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if _, _, err := c.Jobs().Register(benchJob(i), nil); err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
				}
			}
		}()
	}
	for _, i := range missing {
		work <- i
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		b.Fatalf("registering the bench jobs: %v", firstErr)
	}
	d := time.Since(began)
	b.Logf("registered %d parameterized jobs in %s (%.0f/s)", len(missing), d.Round(time.Millisecond),
		float64(len(missing))/d.Seconds())
}

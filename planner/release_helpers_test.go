package planner_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/planner"
)

// relSpec fills the release engine's test app: a web and a worker process in the service job, and a cron job.
type relSpec struct {
	WorkerVersion string
	CronSchedule  string
	CronExit      int
	FailHealth    bool
}

func (p relSpec) hcl(image string) string {
	if p.CronSchedule == "" {
		p.CronSchedule = "0 3 * * *"
	}
	if p.WorkerVersion == "" {
		p.WorkerVersion = "w1"
	}
	return fmt.Sprintf(`app "rel" {
  image = %q
  web "web" {
    command = ["/app"]
    port    = 8080
    count   = 2
    env     = { FAIL_HEALTH = %q }
    health {
      path     = "/healthz"
      interval = "1s"
      timeout  = "1s"
    }
    rollout {
      max_parallel      = 2
      auto_revert       = true
      min_healthy_time  = "1s"
      healthy_deadline  = "20s"
      progress_deadline = "30s"
    }
    resources {
      cpu    = 50
      memory = 32
    }
  }
  worker "jobs" {
    command = ["/app"]
    env     = { APP_VERSION = %q }
    resources {
      cpu    = 50
      memory = 32
    }
  }
  cron "report" {
    schedule = %q
    command  = ["/app", "exit", "%d"]
  }
}
`, image, boolFlag(p.FailHealth), p.WorkerVersion, p.CronSchedule, p.CronExit)
}

// allocState is what a test compares to prove allocations were left alone: ID and task restarts.
type allocState map[string]string

// groupAllocs returns, per group of job, the running allocations with their restart counts.
func groupAllocs(t *testing.T, st *planner.Stack, job string) map[string]allocState {
	t.Helper()
	allocs, _, err := st.Nomad.Jobs().Allocations(job, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]allocState{}
	for _, a := range allocs {
		if a.ClientStatus != nomadapi.AllocClientStatusRunning || a.DesiredStatus != "run" {
			continue
		}
		restarts := 0
		for _, ts := range a.TaskStates {
			restarts += int(ts.Restarts)
		}
		if out[a.TaskGroup] == nil {
			out[a.TaskGroup] = allocState{}
		}
		out[a.TaskGroup][a.ID] = fmt.Sprintf("restarts=%d", restarts)
	}
	return out
}

func sameAllocs(t *testing.T, what string, before, after allocState) {
	t.Helper()
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Errorf("%s: allocations changed:\n before %v\n after  %v", what, before, after)
	}
}

func latest(t *testing.T, st *planner.Stack, app string) *planner.Release {
	t.Helper()
	rs, err := st.History(context.Background(), "default", app)
	if err != nil || len(rs) == 0 {
		t.Fatalf("history of %s: %v, %v", app, rs, err)
	}
	return rs[0]
}

// waitRunning waits until each group of the app's service job has want running allocations.
func waitRunning(t *testing.T, st *planner.Stack, job string, want map[string]int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		got := groupAllocs(t, st, job)
		ok := true
		for g, n := range want {
			ok = ok && len(got[g]) == n
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			groups := make([]string, 0, len(got))
			for g, a := range got {
				groups = append(groups, fmt.Sprintf("%s=%d", g, len(a)))
			}
			sort.Strings(groups)
			t.Fatalf("running allocations %v, want %v", groups, want)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

package planner_test

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/planner"
)

// pinnedSpec is the app of the secret rollout test: three web instances, a sensitive API_KEY, one instance
// replaced at a time; with canary, one canary whose health check fails, and auto-revert.
func pinnedSpec(image string, canary bool) string {
	fail, canaries := "0", 0
	if canary {
		fail, canaries = "1", 1
	}
	return fmt.Sprintf(`
variable "api_key" {
  type      = string
  sensitive = true
}
app "pinned" {
  image = %q
  env   = { API_KEY = var.api_key, FAIL_HEALTH = %q }
  web "web" {
    command = ["/app"]
    port    = 8080
    count   = 3
    route {
      path  = "/pinned"
      strip = true
    }
    health {
      path     = "/healthz"
      interval = "1s"
      timeout  = "1s"
    }
    rollout {
      max_parallel      = 1
      canary            = %d
      auto_revert       = true
      min_healthy_time  = "1s"
      healthy_deadline  = "10s"
      progress_deadline = "20s"
    }
    resources {
      cpu    = 50
      memory = 32
    }
  }
}
`, image, fail, canaries)
}

// allocWatch polls the allocations of the "pinned" job while a deploy runs, records every state change and
// checks, at each poll, that no more old allocations are stopped than maxOldStopped allows for the new healthy
// ones, that running old allocations never restarted and still answer with the old value.
type allocWatch struct {
	t                *testing.T
	st               *planner.Stack
	old              map[string]bool
	oldHash, newHash string
	maxOldStopped    func(newHealthy int) int

	start                                 time.Time
	before, newValue                      map[string]bool
	states, addrs                         map[string]string
	events                                []string
	sawOldStopped, newHealthyMax, newSeen int
	failedInvariant                       bool
}

// during runs deploy while polling every 100ms, and polls once more after it returned.
func (w *allocWatch) during(deploy func() error) error {
	w.start, w.states, w.addrs, w.newValue = time.Now(), map[string]string{}, map[string]string{}, map[string]bool{}
	w.before = map[string]bool{}
	if allocs, _, err := w.st.Nomad.Jobs().Allocations("pinned", true, nil); err == nil {
		for _, a := range allocs {
			w.before[a.ID] = true
		}
	}
	done := make(chan error, 1)
	go func() { done <- deploy() }()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			w.poll()
			return err
		case <-tick.C:
			w.poll()
		}
	}
}

func (w *allocWatch) poll() {
	allocs, _, err := w.st.Nomad.Jobs().Allocations("pinned", true, nil)
	if err != nil {
		w.note("listing allocations: %v", err)
		return
	}
	oldStopped, newHealthy := 0, 0
	for _, a := range allocs {
		isOld := w.old[a.ID]
		if !isOld && w.before[a.ID] {
			continue
		}
		healthy := a.DeploymentStatus != nil && a.DeploymentStatus.Healthy != nil && *a.DeploymentStatus.Healthy
		running := a.DesiredStatus == nomadapi.AllocDesiredStatusRun && a.ClientStatus == nomadapi.AllocClientStatusRunning
		live := running || (a.DesiredStatus == nomadapi.AllocDesiredStatusRun && a.ClientStatus == nomadapi.AllocClientStatusPending)
		kind := "new"
		if isOld {
			kind = "old"
		} else if a.DeploymentStatus != nil && a.DeploymentStatus.Canary {
			kind = "canary"
		}
		state := fmt.Sprintf("%s/%s healthy=%v restarts=%d", a.DesiredStatus, a.ClientStatus, healthy, restarts(a.TaskStates))
		if w.states[a.ID] != state {
			w.states[a.ID] = state
			w.note("%-6s %s (job v%d) %s", kind, short(a.ID), a.JobVersion, state)
		}
		switch {
		case isOld && !live:
			oldStopped++
		case isOld:
			if r := restarts(a.TaskStates); r != 0 {
				w.t.Errorf("old allocation %s restarted in place (%d restarts)", short(a.ID), r)
			}
			if h := w.envHash(a.ID); running && h != "" && h != w.oldHash {
				w.t.Errorf("old allocation %s answers another API_KEY hash: its value changed in place", short(a.ID))
			}
		case live && healthy:
			newHealthy++
		}
		if !isOld && running && !w.newValue[a.ID] && w.envHash(a.ID) == w.newHash {
			w.newValue[a.ID] = true
			w.newSeen++
			w.note("%-6s %s answers with the new value", kind, short(a.ID))
		}
	}
	w.sawOldStopped = max(w.sawOldStopped, oldStopped)
	w.newHealthyMax = max(w.newHealthyMax, newHealthy)
	if limit := w.maxOldStopped(newHealthy); oldStopped > limit && !w.failedInvariant {
		w.failedInvariant = true
		w.t.Errorf("%d old allocations stopped while %d new ones are healthy (at most %d allowed):\n%s",
			oldStopped, newHealthy, limit, w.log())
	}
}

func (w *allocWatch) note(format string, args ...interface{}) {
	w.events = append(w.events, fmt.Sprintf("t+%5.1fs ", time.Since(w.start).Seconds())+fmt.Sprintf(format, args...))
}

func (w *allocWatch) log() string { return strings.Join(w.events, "\n") }

// envHash asks allocation id directly (not through Fabio) for the hash of its API_KEY; "" when it does not
// answer.
func (w *allocWatch) envHash(id string) string {
	addr, ok := w.addrs[id]
	if !ok {
		a, _, err := w.st.Nomad.Allocations().Info(id, nil)
		if err != nil || a.AllocatedResources == nil {
			return ""
		}
		for _, p := range a.AllocatedResources.Shared.Ports {
			host := p.HostIP
			if host == "" {
				host = "127.0.0.1"
			}
			addr = host + ":" + strconv.Itoa(p.Value)
		}
		w.addrs[id] = addr
	}
	if addr == "" {
		return ""
	}
	client := http.Client{Timeout: time.Second}
	resp, err := client.Get("http://" + addr + "/envhash?name=API_KEY")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// runningAllocs returns the IDs of the running allocations of the "pinned" job.
func runningAllocs(t *testing.T, st *planner.Stack) map[string]bool {
	t.Helper()
	allocs, _, err := st.Nomad.Jobs().Allocations("pinned", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, a := range allocs {
		if a.DesiredStatus == nomadapi.AllocDesiredStatusRun && a.ClientStatus == nomadapi.AllocClientStatusRunning {
			out[a.ID] = true
		}
	}
	return out
}

// waitTemplateVersion waits until the live "pinned" job's config template reads KV version n.
func waitTemplateVersion(t *testing.T, st *planner.Stack, n int) {
	t.Helper()
	want := fmt.Sprintf(`?version=%d"`, n)
	deadline := time.Now().Add(30 * time.Second)
	for {
		var tmpl string
		if j, _, err := st.Nomad.Jobs().Info("pinned", nil); err == nil {
			for _, g := range j.TaskGroups {
				for _, task := range g.Tasks {
					for _, tm := range task.Templates {
						if tm.EmbeddedTmpl != nil && strings.Contains(*tm.EmbeddedTmpl, "secret/data/default/pinned/web") {
							tmpl = *tm.EmbeddedTmpl
						}
					}
				}
			}
		}
		if strings.Contains(tmpl, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the live job's config template does not read version %d: %q", n, tmpl)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func restarts(states map[string]*nomadapi.TaskState) uint64 {
	var n uint64
	for _, s := range states {
		n += s.Restarts
	}
	return n
}

func short(id string) string { return id[:8] }

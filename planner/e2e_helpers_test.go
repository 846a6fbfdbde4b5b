package planner_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/internal/devstack"
	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner"
)

// specParams fill the end-to-end test spec.
type specParams struct {
	Version     string
	FailHealth  bool
	MigrateExit int
	WithCron    bool
}

func (p specParams) hcl(image string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `app "shop" {
  image = %q
  env   = { APP_NAME = "shop", APP_VERSION = %q, FAIL_HEALTH = %q }
  web "web" {
    command = ["/app"]
    port    = 8080
    count   = 2
    route {
      path  = "/shop"
      strip = true
    }
    health {
      path     = "/healthz"
      interval = "1s"
      timeout  = "1s"
    }
    rollout {
      canary            = 1
      auto_promote      = true
      auto_revert       = true
      min_healthy_time  = "1s"
      healthy_deadline  = "10s"
      progress_deadline = "15s"
    }
    resources {
      cpu    = 50
      memory = 32
    }
  }
  function "thumb" {
    command = ["/app", "payload"]
    payload = "required"
  }
  release "migrate" {
    command = ["/app", "exit", "%d"]
    timeout = "1m"
  }
`, image, p.Version, boolFlag(p.FailHealth), p.MigrateExit)
	if p.WithCron {
		b.WriteString(`  cron "report" {
    schedule = "0 3 * * *"
    command  = ["/app", "exit", "0"]
  }
`)
	}
	b.WriteString("}\n")
	return b.String()
}

func boolFlag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func parseSpec(t *testing.T, src string) *jobspec.App {
	t.Helper()
	app, diags := jobspec.Parse("skiff.hcl", []byte(src), nil)
	if diags.HasErrors() {
		t.Fatalf("spec does not parse: %s\n%s", diags.Error(), src)
	}
	return app
}

func newStack(t *testing.T, s *devstack.Stack) *planner.Stack {
	t.Helper()
	n, err := s.Nomad.Client()
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Consul.Client()
	if err != nil {
		t.Fatal(err)
	}
	return planner.NewStack(n, c)
}

func jobVersion(t *testing.T, st *planner.Stack, id string) uint64 {
	t.Helper()
	j, _, err := st.Nomad.Jobs().Info(id, &nomadapi.QueryOptions{Namespace: "default"})
	if err != nil {
		t.Fatalf("reading job %s: %v", id, err)
	}
	return *j.Version
}

// waitBody polls url until the body contains want.
func waitBody(t *testing.T, url, want string, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	last := ""
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			last = fmt.Sprintf("%s %q", resp.Status, b)
			if resp.StatusCode == 200 && strings.Contains(string(b), want) {
				return
			}
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			t.Fatalf("GET %s never returned %q (last: %s)", url, want, last)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func logEvents(t *testing.T) planner.DeployOptions {
	return planner.DeployOptions{CreatedBy: "e2e", Progress: func(e planner.Event) {
		if e.Kind == planner.EventProgress {
			t.Logf("  %s %s %+v", e.Job, e.Message, e.Groups)
		} else {
			t.Logf("  %s", e.Message)
		}
	}}
}

// jobCount returns the count of a group of a live job.
func jobCount(t *testing.T, st *planner.Stack, job, group string) int {
	t.Helper()
	j, _, err := st.Nomad.Jobs().Info(job, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range j.TaskGroups {
		if *g.Name == group {
			return *g.Count
		}
	}
	t.Fatalf("job %s has no group %s", job, group)
	return 0
}

// waitHealthy waits until Consul lists n passing instances of the process's service.
func waitHealthy(t *testing.T, st *planner.Stack, process string, n int) {
	t.Helper()
	name := "" + process + "-shop-default"
	deadline := time.Now().Add(60 * time.Second)
	for {
		entries, _, err := st.Consul.Health().Service(name, "", true, &consulapi.QueryOptions{})
		if err == nil && len(entries) == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d passing instances, want %d (err %v)", name, len(entries), n, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// jsonCopy deep-copies src into dst through JSON.
func jsonCopy(src, dst interface{}) error {
	b, err := json.Marshal(src)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}

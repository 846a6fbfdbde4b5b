package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
	"github.com/skiffpaas/skiff/planner"
	"github.com/skiffpaas/skiff/server"
)

// TestStatusFromReadModel serves status from the read model and checks it says what the library's direct
// status says: the same processes with the same kinds, jobs, counts, services and DNS names.
func TestStatusFromReadModel(t *testing.T) {
	s := stack.Get(t)
	image, _ := devstacktest.DemoImage(t, "api")
	n, _ := s.Nomad.Client()
	c, _ := s.Consul.Client()
	st := planner.NewStack(n, c)
	modelNomad, _ := s.Nomad.Client()
	srv, err := server.New(server.Config{Token: token, ReadModelNomad: modelNomad}, st)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go srv.Run(ctx)
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	cl := &apiClient{t: t, base: ts.URL, http: ts.Client()}
	spec := `app "ci-status" {
  image = "` + image + `"
  web "web" {
    command = ["/app"]
    port    = 8080
    count   = 2
    route {
      path = "/ci-status"
    }
    health {
      path     = "/healthz"
      interval = "1s"
    }
    resources {
      cpu    = 50
      memory = 32
    }
  }
  worker "jobs" {
    command = ["/app"]
    resources {
      cpu    = 50
      memory = 32
    }
  }
  cron "report" {
    schedule = "0 3 * * *"
    command  = ["/app", "exit", "0"]
  }
}
`
	app, err := parseApp(spec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Deploy(ctx, app, planner.DeployOptions{}); err != nil {
		t.Fatal(err)
	}
	defer st.Destroy(context.Background(), "default", "ci-status", planner.DeployOptions{})
	summary := func(ps []planner.ProcessStatus) string {
		var out []string
		for _, p := range ps {
			out = append(out, fmt.Sprintf("%s/%s/%s desired=%d running=%d svc=%s dns=%s next=%v", p.Name, p.Kind, p.JobID,
				p.Desired, p.Running, p.Service, p.DNS, p.NextRun != nil))
		}
		sort.Strings(out)
		return fmt.Sprint(out)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		direct, err := st.Status(ctx, "default", "ci-status")
		if err != nil {
			t.Fatal(err)
		}
		status, _, body := cl.do("GET", "/v1/namespaces/default/apps/ci-status/status", nil)
		var served planner.AppStatus
		if err := json.Unmarshal(body, &served); status != 200 || err != nil {
			t.Fatalf("status: %d %s", status, body)
		}
		got, want := summary(served.Processes), summary(direct.Processes)
		if got == want && served.Release != nil && served.Release.Number == direct.Release.Number {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("served from the model:\n %s\ndirect:\n %s", got, want)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

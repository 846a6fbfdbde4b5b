package api_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/skiffpaas/skiff/api"
)

// shopSpec is the end-to-end test app: one web process of the demo image behind Fabio at /<name>, and a
// function. With
// manual set, the web process rolls out one canary that waits for promotion.
type shopSpec struct {
	Name, Version string
	Manual        bool
}

func (p shopSpec) spec(image string) *api.Spec {
	rollout := `auto_revert = true`
	if p.Manual {
		rollout = `canary = 1
      auto_promote = false`
	}
	return &api.Spec{Source: fmt.Sprintf(`app %[1]q {
  image = %[2]q
  env   = { APP_NAME = %[1]q, APP_VERSION = %[3]q }
  web "web" {
    command = ["/app"]
    port    = 8080
    count   = 1
    route {
      path  = "/%[1]s"
      strip = true
    }
    health {
      path     = "/healthz"
      interval = "1s"
      timeout  = "1s"
    }
    rollout {
      %[4]s
      min_healthy_time  = "1s"
      healthy_deadline  = "15s"
      progress_deadline = "20s"
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
}
`, p.Name, image, p.Version, rollout)}
}

// follow reads a deployment's events from after last to the end and returns them; it fails t on a stream
// error or when the stream does not end in time.
func follow(t *testing.T, c *api.Client, app string, id, last int) []*api.Event {
	t.Helper()
	events, err := readEvents(c, app, id, last, nil)
	for _, e := range events {
		t.Logf("  event %d %s %s %s", e.ID, e.Kind, e.Message, e.State)
	}
	if err != nil {
		t.Fatalf("events of deployment %d: %v", id, err)
	}
	return events
}

// readEvents reads a deployment's events from after last to the end, calling each (if not nil) with every
// event as it comes. It is safe to call from any goroutine.
func readEvents(c *api.Client, app string, id, last int, each func(*api.Event)) ([]*api.Event, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ch, err := c.Deployments().Events(ctx, "default", app, id, last)
	if err != nil {
		return nil, err
	}
	var out []*api.Event
	for e := range ch {
		if e.Err != nil {
			return out, e.Err
		}
		out = append(out, e)
		if each != nil {
			each(e)
		}
	}
	if ctx.Err() != nil {
		return out, fmt.Errorf("no end event in time")
	}
	return out, nil
}

// checkStream checks that events are numbered from first up without a gap and end with an end event in
// state, and returns that end event.
func checkStream(t *testing.T, events []*api.Event, first int, state string) *api.Event {
	t.Helper()
	if len(events) == 0 {
		t.Fatal("no events")
	}
	for i, e := range events {
		if e.ID != first+i {
			t.Fatalf("event %d has ID %d, want %d", i, e.ID, first+i)
		}
	}
	end := events[len(events)-1]
	if end.Kind != api.EventEnd || end.State != state {
		t.Fatalf("last event %+v, want an end event in state %s", end, state)
	}
	return end
}

// deployAndFollow deploys spec, which must change something, follows it to its end and returns the
// deployment as Info reads it then.
func deployAndFollow(t *testing.T, c *api.Client, spec *api.Spec, app string, opts *api.DeployOptions, state string) *api.Deployment {
	t.Helper()
	ctx := context.Background()
	d, changed, meta, err := c.Deployments().Create(ctx, "default", app, spec, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !changed || d == nil || meta.StatusCode != 202 || meta.Location != "/v1/namespaces/default/apps/"+app+"/deployments/"+d.ID {
		t.Fatalf("create: changed %v, deployment %+v, meta %+v", changed, d, meta)
	}
	checkStream(t, follow(t, c, app, d.Number(), 0), 1, state)
	info, _, err := c.Deployments().Info(ctx, "default", app, d.Number())
	if err != nil {
		t.Fatal(err)
	}
	if info.State != state || info.Release == nil || info.Release.Number != d.Number() {
		t.Fatalf("info after the end: %+v", info)
	}
	return info
}

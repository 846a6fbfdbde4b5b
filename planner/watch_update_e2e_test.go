package planner_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
	"github.com/skiffpaas/skiff/planner"
)

// TestWatchUpdateCheckFails updates a healthy web process to a version whose HTTP check fails, with
// auto_revert: the failure names the check and its output (not only Nomad's deadline message), as on a first
// deploy.
func TestWatchUpdateCheckFails(t *testing.T) {
	s := stack.Get(t)
	image, _ := devstacktest.DemoImage(t, "watch")
	st := newStack(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	t.Cleanup(func() { _, _ = st.Destroy(context.Background(), "default", "watchupd", planner.DeployOptions{}) })
	spec := func(fail string) string {
		return watchApp("watchupd", image, "web", `, FAIL_HEALTH = "`+fail+`"`, `
    port    = 8080
    count   = 2
    route {
      path = "/watchupd"
    }
    health {
      path     = "/healthz"
      interval = "1s"
      timeout  = "1s"
    }
    rollout {
      min_healthy_time  = "1s"
      healthy_deadline  = "10s"
      progress_deadline = "15s"
      auto_revert       = true
    }
    resources {
      cpu    = 50
      memory = 32
    }`)
	}
	if _, err := st.Deploy(ctx, parseSpec(t, spec("0")), logEvents(t)); err != nil {
		t.Fatal(err)
	}
	_, err := st.Deploy(ctx, parseSpec(t, spec("1")), logEvents(t))
	var de *planner.DeployError
	if !errors.As(err, &de) {
		t.Fatalf("err = %v, want a DeployError", err)
	}
	if !strings.Contains(de.Reason, `check "main-http"`) || !strings.Contains(de.Reason, "unhealthy on purpose") {
		t.Fatalf("reason %q does not name the failing check and its output", de.Reason)
	}
}

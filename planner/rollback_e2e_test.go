package planner_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"

	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
	"github.com/skiffpaas/skiff/planner"
	"github.com/skiffpaas/skiff/planner/compile"
)

// TestRollbackRestoresTheWholeRelease removes a bind and changes an upstream in release 2, then rolls back to
// release 1: the bind's Vault database role comes back (and issues credentials), the intention of the old
// upstream comes back and the new one's goes — after the removals of release 2 had really happened.
func TestRollbackRestoresTheWholeRelease(t *testing.T) {
	s := stack.Get(t)
	image, _ := devstacktest.DemoImage(t, "relb")
	n, _ := s.Nomad.Client()
	c, _ := s.Consul.Client()
	v, _ := s.Vault.Client()
	st := planner.NewStack(n, c).WithVault(v, planner.VaultOptions{})
	st.Connect = compile.ConnectOptions{Sidecar: s.ConnectSidecar()}
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	t.Cleanup(func() { _, _ = st.Destroy(context.Background(), "default", "relb", planner.DeployOptions{}) })
	spec := func(bind bool, upstream string) string {
		b := ""
		if bind {
			b = `  bind "db" {
    offering   = "postgres"
    env_prefix = "DATABASE"
  }
`
		}
		return fmt.Sprintf(`app "relb" {
  image = %q
  web "web" {
    command = ["/app"]
    port    = 8080
    health {
      path     = "/healthz"
      interval = "1s"
      timeout  = "1s"
    }
    rollout {
      min_healthy_time  = "1s"
      healthy_deadline  = "45s"
      progress_deadline = "60s"
    }
    resources {
      cpu    = 50
      memory = 32
    }
  }
%s  upstream "peer" {
    destination = %q
    local_port  = 9191
  }
}
`, image, b, upstream)
	}
	const role = "database/roles/skiff_default_relb_db"
	hasRole := func() bool {
		sec, err := v.Logical().Read(role)
		return err == nil && sec != nil
	}
	allows := func(dest string) bool {
		raw, _, err := c.ConfigEntries().Get(consulapi.ServiceIntentions, dest, nil)
		if err != nil {
			return false
		}
		for _, src := range raw.(*consulapi.ServiceIntentionsConfigEntry).Sources {
			if src.Name == "web-relb-default" && src.Action == consulapi.IntentionActionAllow {
				return true
			}
		}
		return false
	}
	deploy := func(src string) {
		t.Helper()
		if _, err := st.Deploy(ctx, parseSpec(t, src), logEvents(t)); err != nil {
			t.Fatal(err)
		}
	}

	deploy(spec(true, "api-ghost-default"))
	if !hasRole() || !allows("api-ghost-default") {
		t.Fatalf("release 1: role %v, intention to ghost %v", hasRole(), allows("api-ghost-default"))
	}
	deploy(spec(false, "api-phantom-default"))
	if hasRole() || allows("api-ghost-default") || !allows("api-phantom-default") {
		t.Fatalf("release 2: role %v (want gone), ghost %v (want gone), phantom %v", hasRole(),
			allows("api-ghost-default"), allows("api-phantom-default"))
	}
	res, err := st.Rollback(ctx, "default", "relb", 1, logEvents(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("rollback: release %d (%s)", res.Release.Number, res.Release.Description)
	if !hasRole() {
		t.Error("the bind's database role did not come back with the rollback")
	}
	if sec, err := v.Logical().Read("database/creds/skiff_default_relb_db"); err != nil || sec == nil || sec.Data["username"] == nil {
		t.Errorf("the restored role issues no credentials: %v, %v", sec, err)
	}
	if !allows("api-ghost-default") || allows("api-phantom-default") {
		t.Errorf("after the rollback: intention to ghost %v (want true), to phantom %v (want false)",
			allows("api-ghost-default"), allows("api-phantom-default"))
	}
	job, _, err := n.Jobs().Info("relb", nil)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, tmpl := range job.TaskGroups[0].Tasks[0].Templates {
		found = found || strings.Contains(*tmpl.EmbeddedTmpl, "database/creds/skiff_default_relb_db")
	}
	if !found {
		t.Error("the restored job does not render the bind's credentials")
	}
}

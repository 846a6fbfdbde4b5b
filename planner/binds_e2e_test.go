package planner_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner"
)

// TestBindPostgresThroughVault deploys an app that binds the dev stack's "postgres" offering: skiff creates the
// Vault database role, policy and JWT role, the task logs in with its workload identity, receives a fresh
// Postgres user in DATABASE_URL and runs SELECT 1 — and no credential appears in the job. A bind to an unknown
// offering is a diagnostic at its source (line 18: the offering argument).
func TestBindPostgresThroughVault(t *testing.T) {
	s := stack.Get(t)
	_, binary := devstacktest.DemoImage(t, "binds")
	files := httptest.NewServer(http.FileServer(http.Dir(filepath.Dir(binary))))
	defer files.Close()
	n, _ := s.Nomad.Client()
	c, _ := s.Consul.Client()
	v, _ := s.Vault.Client()
	st := planner.NewStack(n, c).WithVault(v, planner.VaultOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	spec := func(offering string) *jobspec.App {
		src := `
app "books" {
  artifact = "` + files.URL + `/demoapp"
  driver   = "exec"
  web "web" {
    command = ["local/demoapp"]
    port    = 8080
    route {
      path  = "/books"
      strip = true
    }
    health {
      path     = "/healthz"
      interval = "1s"
    }
  }
  bind "db" {
    offering   = "` + offering + `"
    env_prefix = "DATABASE"
  }
}
`
		app, diags := jobspec.Parse("skiff.hcl", []byte(src), nil)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		return app
	}

	t.Run("unknown offering is a diagnostic", func(t *testing.T) {
		_, err := st.Plan(ctx, spec("mysql"))
		var de *planner.DiagnosticsError
		if !errors.As(err, &de) || de.Diags[0].Subject == nil || de.Diags[0].Subject.Start.Line != 18 {
			t.Fatalf("err = %v, want a diagnostic at line 18 (the offering argument)", err)
		}
	})
	t.Run("app gets dynamic postgres credentials", func(t *testing.T) {
		app := spec("postgres")
		if _, err := st.Deploy(ctx, app, logEvents(t)); err != nil {
			t.Fatal(err)
		}
		waitBody(t, "http://"+s.Fabio.ProxyAddr+"/books/db", "db ok", 60*time.Second)
		job, _, err := n.Jobs().Info("books", nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(job)
		if strings.Contains(string(b), s.Postgres.Password) || !strings.Contains(string(b), "database/creds/skiff_default_books_db") {
			t.Fatal("job JSON holds a credential, or does not read the bind's creds from Vault")
		}
		plan, err := st.Plan(ctx, app)
		if err != nil || plan.HasChanges() {
			t.Fatalf("plan after deploy has changes (%v): %+v", err, plan)
		}
	})
	t.Run("destroy removes the Vault objects", func(t *testing.T) {
		if _, err := st.Destroy(ctx, "default", "books", planner.DeployOptions{}); err != nil {
			t.Fatal(err)
		}
		if sec, _ := v.Logical().Read("database/roles/skiff_default_books_db"); sec != nil {
			t.Fatal("database role left behind")
		}
		if p, _ := v.Sys().GetPolicy("skiff_default_books"); p != "" {
			t.Fatal("policy left behind")
		}
	})
}

package planner_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner"
)

// TestSensitiveEnvThroughVault checks that a sensitive variable used in env never reaches the Nomad job or the
// plan, yet the running task has it: skiff keeps it in Vault KV and a template renders it through the task's
// workload identity.
func TestSensitiveEnvThroughVault(t *testing.T) {
	s := stack.Get(t)
	image, _ := devstacktest.DemoImage(t, "secrets")
	n, _ := s.Nomad.Client()
	c, _ := s.Consul.Client()
	v, _ := s.Vault.Client()
	st := planner.NewStack(n, c).WithVault(v, planner.VaultOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	const secret = "s3cr3t-value-4711"
	src := `
variable "api_key" {
  type      = string
  sensitive = true
}
app "vaulted" {
  image = "` + image + `"
  env   = { API_KEY = var.api_key, MODE = "plain" }
  web "web" {
    command = ["/app"]
    port    = 8080
    route {
      path  = "/vaulted"
      strip = true
    }
    health {
      path     = "/healthz"
      interval = "1s"
    }
  }
}
`
	app, diags := jobspec.Parse("skiff.hcl", []byte(src), &jobspec.Options{Vars: map[string]string{"api_key": secret}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	plan, err := st.Plan(ctx, app)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(plan)
	if strings.Contains(string(b), secret) {
		t.Fatalf("plan contains the secret: %s", b)
	}
	if !strings.Contains(string(b), `"vault_secret"`) {
		t.Fatalf("plan has no vault_secret change: %s", b)
	}
	if _, err := st.Deploy(ctx, app, logEvents(t)); err != nil {
		t.Fatal(err)
	}
	job, _, err := n.Jobs().Info("vaulted", nil)
	if err != nil {
		t.Fatal(err)
	}
	jb, _ := json.Marshal(job)
	if strings.Contains(string(jb), secret) {
		t.Fatal("the Nomad job contains the secret")
	}
	sum := sha256.Sum256([]byte(secret))
	waitBody(t, "http://"+s.Fabio.ProxyAddr+"/vaulted/envhash?name=API_KEY", hex.EncodeToString(sum[:]), 30*time.Second)
	waitBody(t, "http://"+s.Fabio.ProxyAddr+"/vaulted/envhash?name=MODE", hexSum("plain"), 5*time.Second)

	// Redeploying the same spec changes nothing; destroying the app removes its secret from Vault.
	res, err := st.Deploy(ctx, app, logEvents(t))
	if err != nil || res.Release != nil {
		t.Fatalf("redeploy made release %+v, err %v", res.Release, err)
	}
	if _, err := st.Destroy(ctx, "default", "vaulted"); err != nil {
		t.Fatal(err)
	}
	if sec, err := v.Logical().Read("secret/data/default/vaulted/web"); err != nil || sec != nil {
		t.Fatalf("secret still in Vault after destroy: %v %v", sec, err)
	}
}

func hexSum(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

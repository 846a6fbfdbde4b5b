package planner_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner"
	"github.com/skiffpaas/skiff/planner/compile"
	"github.com/skiffpaas/skiff/secrets"
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
	if _, err := st.Destroy(ctx, "default", "vaulted", logEvents(t)); err != nil {
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

// TestSensitiveEnvThroughVaultRollsWithRelease checks that a changed secret rolls out like code: each release's
// template reads a pinned KV version, so the old allocations keep their values (no in-place restart), the new
// ones are placed one at a time (max_parallel = 1), and a failed canary leaves the old values serving.
func TestSensitiveEnvThroughVaultRollsWithRelease(t *testing.T) {
	s := stack.Get(t)
	image, _ := devstacktest.DemoImage(t, "secrets")
	n, _ := s.Nomad.Client()
	c, _ := s.Consul.Client()
	v, _ := s.Vault.Client()
	st := planner.NewStack(n, c).WithVault(v, planner.VaultOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	t.Cleanup(func() { _, _ = st.Destroy(context.Background(), "default", "pinned", planner.DeployOptions{}) })
	values := []string{"pin-value-one-4711", "pin-value-two-4712", "pin-value-three-4713"}
	parse := func(value string, canary bool) *jobspec.App {
		app, diags := jobspec.Parse("skiff.hcl", []byte(pinnedSpec(image, canary)),
			&jobspec.Options{Vars: map[string]string{"api_key": value}})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		return app
	}

	// Release 1 reads version 1 of the secret, which keeps KeepVersions versions.
	if _, err := st.Deploy(ctx, parse(values[0], false), logEvents(t)); err != nil {
		t.Fatal(err)
	}
	waitTemplateVersion(t, st, 1)
	md, err := v.KVv2("secret").GetMetadata(ctx, "default/pinned/web")
	if err != nil || md.CurrentVersion != 1 || md.MaxVersions != secrets.KeepVersions {
		t.Fatalf("secret metadata %+v, %v; want current version 1, max_versions %d", md, err, secrets.KeepVersions)
	}
	old := runningAllocs(t, st)
	if len(old) != 3 {
		t.Fatalf("%d running allocations after the first deploy, want 3", len(old))
	}

	// Only the value changes: the plan shows a job update and a sensitive secret update, never the value.
	app2 := parse(values[1], false)
	plan, err := st.Plan(ctx, app2)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(plan)
	for _, val := range values[:2] {
		if strings.Contains(string(b), val) {
			t.Fatalf("plan contains a secret value: %s", b)
		}
	}
	if !strings.Contains(string(b), "(sensitive)") || !strings.Contains(string(b), "version=2") {
		t.Fatalf("plan shows no sensitive update or no job reading version 2: %s", b)
	}
	w := &allocWatch{t: t, st: st, old: old, oldHash: hexSum(values[0]), newHash: hexSum(values[1]),
		maxOldStopped: func(newHealthy int) int { return newHealthy + 1 }}
	if err := w.during(func() error { _, err := st.Deploy(ctx, app2, logEvents(t)); return err }); err != nil {
		t.Fatalf("second deploy: %v\nallocations:\n%s", err, w.log())
	}
	t.Logf("rolling update, allocation sequence:\n%s", w.log())
	waitTemplateVersion(t, st, 2)
	renewed := runningAllocs(t, st)
	for id := range renewed {
		if old[id] {
			t.Errorf("old allocation %s still runs after the rollout", short(id))
		}
		if got := w.envHash(id); got != hexSum(values[1]) {
			t.Errorf("new allocation %s: API_KEY hash %q, want that of the new value", short(id), got)
		}
	}
	if len(renewed) != 3 || w.newHealthyMax != 3 || w.sawOldStopped != 3 {
		t.Errorf("after the rollout: %d running, %d new healthy, %d old stopped; want 3 each",
			len(renewed), w.newHealthyMax, w.sawOldStopped)
	}

	// Another value with a failing canary: the deployment fails, Nomad reverts, the old values keep serving.
	w = &allocWatch{t: t, st: st, old: renewed, oldHash: hexSum(values[1]), newHash: hexSum(values[2]),
		maxOldStopped: func(int) int { return 0 }}
	err = w.during(func() error { _, err := st.Deploy(ctx, parse(values[2], true), logEvents(t)); return err })
	var de *planner.DeployError
	if !errors.As(err, &de) {
		t.Fatalf("failing canary deploy: err = %v, want a *DeployError\nallocations:\n%s", err, w.log())
	}
	t.Logf("failed canary, allocation sequence:\n%s", w.log())
	if w.newSeen == 0 {
		t.Error("the canary never answered with the new value")
	}
	waitTemplateVersion(t, st, 2)
	if md, err := v.KVv2("secret").GetMetadata(ctx, "default/pinned/web"); err != nil || md.CurrentVersion != 3 {
		t.Errorf("secret metadata %+v, %v; want current version 3 (written, then not read after the revert)", md, err)
	}
	for id := range renewed {
		a, _, err := st.Nomad.Allocations().Info(id, nil)
		if err != nil || a.ClientStatus != nomadapi.AllocClientStatusRunning || restarts(a.TaskStates) != 0 {
			t.Errorf("allocation %s after the failed canary: %v %v restarts %d", short(id), a.ClientStatus, err, restarts(a.TaskStates))
		}
		if got := w.envHash(id); got != hexSum(values[1]) {
			t.Errorf("allocation %s after the failed canary: API_KEY hash %q, want the previous value's", short(id), got)
		}
	}
	for i := 0; i < 6; i++ {
		waitBody(t, "http://"+s.Fabio.ProxyAddr+"/pinned/envhash?name=API_KEY", hexSum(values[1]), 10*time.Second)
	}
}

// TestSensitiveEnvThroughVaultRefusesForeignWrites checks the ConfigStore against the real Vault: a release pins
// the version it will write, and a write by someone else between the pin and the apply is refused with an error
// that names versions, never values.
func TestSensitiveEnvThroughVaultRefusesForeignWrites(t *testing.T) {
	s := stack.Get(t)
	v, _ := s.Vault.Client()
	store := secrets.NewConfigStore(v, secrets.DefaultMount, compile.JobIDOf)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	t.Cleanup(func() { _ = store.DestroyResources(context.Background(), "default", "pinforeign") })
	const path = "secret/data/default/pinforeign/web"
	parse := func(value string) *jobspec.App {
		src := strings.Replace(pinnedSpec("skiff-demo:secrets", false), `app "pinned"`, `app "pinforeign"`, 1)
		app, diags := jobspec.Parse("skiff.hcl", []byte(src), &jobspec.Options{Vars: map[string]string{"api_key": value}})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		return app
	}
	pin := func(app *jobspec.App, want int) {
		t.Helper()
		got, err := store.PinnedVersions(ctx, app)
		if err != nil || got[path] != want || len(got) != 1 {
			t.Fatalf("PinnedVersions = %v, %v; want %s: %d", got, err, path, want)
		}
	}
	first, second := parse("foreign-one-4711"), parse("foreign-two-4712")
	pin(first, 1)
	if err := store.ApplyResources(ctx, first); err != nil {
		t.Fatal(err)
	}
	pin(first, 1)
	pin(second, 2)
	if _, err := v.KVv2("secret").Put(ctx, "default/pinforeign/web", map[string]interface{}{"API_KEY": "rogue-4713"}); err != nil {
		t.Fatal(err)
	}
	err := store.ApplyResources(ctx, second)
	if err == nil || !strings.Contains(err.Error(), "something other than skiff") {
		t.Fatalf("ApplyResources after a foreign write: %v, want a refusal", err)
	}
	for _, val := range []string{"foreign-one-4711", "foreign-two-4712", "rogue-4713"} {
		if strings.Contains(err.Error(), val) {
			t.Fatalf("the error holds a value: %v", err)
		}
	}
	t.Logf("refused: %v", err)
	pin(second, 3)
	if err := store.ApplyResources(ctx, second); err != nil {
		t.Fatal(err)
	}
	md, err := v.KVv2("secret").GetMetadata(ctx, "default/pinforeign/web")
	if err != nil || md.CurrentVersion != 3 || md.MaxVersions != secrets.KeepVersions {
		t.Fatalf("metadata %+v, %v; want current version 3, max_versions %d", md, err, secrets.KeepVersions)
	}
}

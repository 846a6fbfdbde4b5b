package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"

	"github.com/skiffpaas/skiff/internal/devstack"
	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
	"github.com/skiffpaas/skiff/planner"
	"github.com/skiffpaas/skiff/server"
)

// TestCLIOnRealStack drives the CLI the way the quick start does, once in direct mode (Nomad, Consul and
// Vault from the environment) and once in remote mode (SKIFF_ADDR naming a real platform API server over the
// same stack, with the stack's addresses pointing nowhere so that nothing but the API can answer): deploy an
// example and get an answer through Fabio, plan exit codes, status, releases, a second deploy, rollback,
// scale, a failing deploy, an invalid spec and destroy. Both passes must give the same exit codes and the
// same output where it does not name times, users or Nomad IDs.
func TestCLIOnRealStack(t *testing.T) {
	s := devstacktest.Start(t)
	devstacktest.DemoImage(t, "1")
	devstacktest.DemoImage(t, "2")
	for k, v := range s.Env() {
		t.Setenv(k, v)
	}
	direct := runScenario(t, s, "direct")
	// Routes are the tags of the services in Consul's catalog: wait for the destroyed app's to be gone, or the
	// remote pass's first release would find its route still live and not list it as a change.
	waitServiceGone(t, "site-newsletter-default")

	st, err := planner.NewStackFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	const token = "cli-e2e-token"
	srv, err := server.New(server.Config{Token: token, Logf: t.Logf}, st)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	t.Setenv("SKIFF_ADDR", ts.URL)
	t.Setenv("SKIFF_TOKEN", token)
	t.Setenv(planner.PlatformConfigEnv, s.PlatformConfigFile()) // where remote deploy reads Fabio's address
	for _, k := range []string{"NOMAD_ADDR", "CONSUL_HTTP_ADDR", "VAULT_ADDR"} {
		t.Setenv(k, "http://127.0.0.1:1") // remote mode must not talk to the stack itself
	}
	remote := runScenario(t, s, "remote")

	for step, d := range direct {
		r := remote[step]
		if d.code != r.code {
			t.Errorf("%s: exit %d directly, %d remotely", step, d.code, r.code)
		}
		if d.key != r.key {
			t.Errorf("%s: outputs differ\ndirect:\n%s\nremote:\n%s", step, d.key, r.key)
		}
	}
}

// outcome is one step of the scenario: its exit code and the part of its output both modes must agree on.
type outcome struct {
	code int
	key  string
}

// runScenario runs the verbs of the test in the current mode and returns each step's outcome.
func runScenario(t *testing.T, s *devstack.Stack, mode string) map[string]outcome {
	spec := "../../examples/web-worker-cron/skiff.hcl"
	got := map[string]outcome{}
	skiff := func(step string, args ...string) (int, string) {
		t.Helper()
		var out, errOut bytes.Buffer
		code := run(args, &out, &errOut)
		t.Logf("[%s] skiff %s → %d\n%s%s", mode, strings.Join(args, " "), code, out.String(), errOut.String())
		got[step] = outcome{code: code}
		return code, out.String() + errOut.String()
	}
	keep := func(step, key string) { o := got[step]; o.key = key; got[step] = o }
	ok := t.Run(mode, func(t *testing.T) {
		code, out := skiff("deploy", "deploy", "-f", spec)
		if code != 0 || !strings.Contains(out, "Release 1 of newsletter is live") ||
			!strings.Contains(out, "URL: http://newsletter.localhost/ (via http://"+s.Fabio.ProxyAddr+")") {
			t.Fatalf("deploy exit %d, output:\n%s", code, out)
		}
		keep("deploy", linesWith(out, "Release ", "URL: "))
		if body := getWithHost(t, "http://"+s.Fabio.ProxyAddr+"/", "newsletter.localhost"); !strings.Contains(body, "hello from") {
			t.Fatalf("app answered %q", body)
		}
		code, out = skiff("routes", "routes", "newsletter")
		if mode == "direct" && (code != 0 || !strings.Contains(out, "site-newsletter-default")) ||
			mode == "remote" && (code != 1 || !strings.Contains(out, "needs direct mode")) {
			t.Errorf("routes exit %d:\n%s", code, out)
		}
		delete(got, "routes")
		if code, out := skiff("plan unchanged", "plan", "-detailed-exitcode", "-f", spec); code != 0 || !strings.Contains(out, "No changes") {
			t.Fatalf("unchanged plan exit %d:\n%s", code, out)
		}
		code, out = skiff("plan changed", "plan", "-detailed-exitcode", "-f", spec, "-var", "version=2")
		if code != 2 || !strings.Contains(out, `~ nomad_job "newsletter"`) || !strings.Contains(out, `"skiff-demo:1" => "skiff-demo:2"`) {
			t.Fatalf("changed plan exit %d:\n%s", code, out)
		}
		keep("plan changed", out)
		code, out = skiff("status -json", "status", "-json", "newsletter")
		if code != 0 || !strings.Contains(out, "site-newsletter-default.service.consul") {
			t.Fatalf("status exit %d:\n%s", code, out)
		}
		keep("status -json", normalJSON(t, out))
		code, out = skiff("releases", "releases", "newsletter")
		if code != 0 || !strings.Contains(out, "v1") {
			t.Fatalf("releases exit %d:\n%s", code, out)
		}
		keep("releases", releaseRows(out))
		if code, out := skiff("offerings", "offerings"); code != 0 || !strings.Contains(out, "database/config/postgres") {
			t.Fatalf("offerings exit %d:\n%s", code, out)
		}
		code, out = skiff("deploy v2", "deploy", "-f", spec, "-var", "version=2")
		if code != 0 || !strings.Contains(out, "Release 2 of newsletter is live") {
			t.Fatalf("deploy v2 exit %d:\n%s", code, out)
		}
		keep("deploy v2", linesWith(out, "Release ", "URL: "))
		code, out = skiff("rollback", "rollback", "newsletter")
		if code != 0 || !strings.Contains(out, "Release 3 of newsletter is live (rollback to release 1)") {
			t.Fatalf("rollback exit %d:\n%s", code, out)
		}
		keep("rollback", linesWith(out, "Release "))
		if code, out := skiff("scale", "scale", "newsletter", "site=3"); code != 0 || !strings.Contains(out, "Scaled newsletter site=3") {
			t.Fatalf("scale exit %d:\n%s", code, out)
		}
		code, out = skiff("broken deploy", "deploy", "-f", spec, "-var", "version=nope")
		if code != 1 || !strings.Contains(out, `image "skiff-demo:nope" cannot be pulled`) ||
			!strings.Contains(out, "Release 4 failed: every job of the app runs release 3 again.") {
			t.Fatalf("broken deploy exit %d:\n%s", code, out)
		}
		keep("broken deploy", linesWith(out, "Release "))
		code, out = skiff("invalid spec", "deploy", "-f", "../../jobspec/testdata/invalid/health_timeout_too_short.hcl")
		if code != 1 || !strings.Contains(out, "health_timeout_too_short.hcl:11:") {
			t.Fatalf("invalid spec exit %d:\n%s", code, out)
		}
		keep("invalid spec", out)
		if code, out := skiff("destroy", "destroy", "-yes", "newsletter"); code != 0 || !strings.Contains(out, "Removed job newsletter") {
			t.Fatalf("destroy exit %d:\n%s", code, out)
		}
		if code, _ := skiff("status destroyed", "status", "newsletter"); code != 1 {
			t.Fatalf("status of a destroyed app exited %d, want 1", code)
		}
	})
	if !ok {
		t.FailNow()
	}
	return got
}

// linesWith returns the lines of out that start with one of the prefixes.
func linesWith(out string, prefixes ...string) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		for _, p := range prefixes {
			if strings.HasPrefix(l, p) {
				keep = append(keep, l)
				break
			}
		}
	}
	return strings.Join(keep, "\n")
}

// releaseRows returns the release table without its CREATED and BY columns.
func releaseRows(out string) string {
	var rows []string
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) >= 5 && strings.HasPrefix(f[0], "v") {
			rows = append(rows, f[0]+" "+f[1]+" "+strings.Join(f[5:], " "))
		}
	}
	return strings.Join(rows, "\n")
}

// volatile are the JSON fields that name times, users or Nomad's IDs.
var volatile = regexp.MustCompile(`^(created_at|updated_at|next_run|created_by|id|deployments)$`)

// normalJSON decodes out and re-encodes it without the volatile fields.
func normalJSON(t *testing.T, out string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("status -json printed no JSON: %v\n%s", err, out)
	}
	var strip func(any)
	strip = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if volatile.MatchString(k) {
					delete(x, k)
					continue
				}
				strip(e)
			}
		case []any:
			for _, e := range x {
				strip(e)
			}
		}
	}
	strip(v)
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// waitServiceGone waits until Consul's catalog has no instance of service.
func waitServiceGone(t *testing.T, service string) {
	t.Helper()
	c, err := consulapi.NewClient(consulapi.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(250 * time.Millisecond) {
		svcs, _, err := c.Catalog().Service(service, "", nil)
		if err == nil && len(svcs) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("service %s still in Consul's catalog a minute after destroy (%d instances, %v)", service, len(svcs), err)
		}
	}
}

// getWithHost GETs url with the Host header until it answers 200, and returns the body.
func getWithHost(t *testing.T, url, host string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return string(b)
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("GET %s (Host %s) never answered 200 (last error %v)", url, host, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

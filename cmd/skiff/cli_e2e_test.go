package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
)

// TestCLIOnRealStack drives the CLI the way the quick start does: deploy an example from examples/, read its
// URL, get an answer through Fabio, and check the exit codes of plan, status, releases and destroy.
func TestCLIOnRealStack(t *testing.T) {
	s := devstacktest.Start(t)
	devstacktest.DemoImage(t, "1")
	for k, v := range s.Env() {
		t.Setenv(k, v)
	}
	spec := "../../examples/web-worker-cron/skiff.hcl"
	skiff := func(t *testing.T, args ...string) (int, string) {
		t.Helper()
		var out, errOut bytes.Buffer
		code := run(args, &out, &errOut)
		t.Logf("skiff %s → %d\n%s%s", strings.Join(args, " "), code, out.String(), errOut.String())
		return code, out.String() + errOut.String()
	}

	t.Run("deploy prints the release and URL", func(t *testing.T) {
		code, out := skiff(t, "deploy", "-f", spec)
		if code != 0 || !strings.Contains(out, "Release 1 of newsletter is live") ||
			!strings.Contains(out, "URL: http://newsletter.localhost/") {
			t.Fatalf("deploy exit %d, output:\n%s", code, out)
		}
		body := getWithHost(t, "http://"+s.Fabio.ProxyAddr+"/", "newsletter.localhost")
		if !strings.Contains(body, "hello from") {
			t.Fatalf("app answered %q", body)
		}
	})
	t.Run("routes reads Fabio's address from the published platform config", func(t *testing.T) {
		code, out := skiff(t, "routes", "newsletter")
		if code != 0 || !strings.Contains(out, "site-newsletter-default") {
			t.Fatalf("routes exit %d:\n%s", code, out)
		}
	})
	t.Run("plan exit codes", func(t *testing.T) {
		if code, out := skiff(t, "plan", "-detailed-exitcode", "-f", spec); code != 0 || !strings.Contains(out, "No changes") {
			t.Fatalf("unchanged plan exit %d:\n%s", code, out)
		}
		code, out := skiff(t, "plan", "-detailed-exitcode", "-f", spec, "-var", "version=2")
		if code != 2 || !strings.Contains(out, `~ nomad_job "newsletter"`) || !strings.Contains(out, `"skiff-demo:1" => "skiff-demo:2"`) {
			t.Fatalf("changed plan exit %d:\n%s", code, out)
		}
	})
	t.Run("status and releases", func(t *testing.T) {
		code, out := skiff(t, "status", "newsletter")
		if code != 0 || !strings.Contains(out, "site-newsletter-default.service.consul") {
			t.Fatalf("status exit %d:\n%s", code, out)
		}
		if code, out := skiff(t, "releases", "newsletter"); code != 0 || !strings.Contains(out, "v1") {
			t.Fatalf("releases exit %d:\n%s", code, out)
		}
		if code, out := skiff(t, "offerings"); code != 0 || !strings.Contains(out, "database/config/postgres") {
			t.Fatalf("offerings exit %d:\n%s", code, out)
		}
	})
	t.Run("invalid spec exits 1 with file:line:col", func(t *testing.T) {
		code, out := skiff(t, "deploy", "-f", "../../jobspec/testdata/invalid/health_timeout_too_short.hcl")
		if code != 1 || !strings.Contains(out, "health_timeout_too_short.hcl:11:") {
			t.Fatalf("exit %d:\n%s", code, out)
		}
	})
	t.Run("destroy removes the app", func(t *testing.T) {
		if code, out := skiff(t, "destroy", "-yes", "newsletter"); code != 0 || !strings.Contains(out, "Removed job newsletter") {
			t.Fatalf("destroy exit %d:\n%s", code, out)
		}
		if code, _ := skiff(t, "status", "newsletter"); code != 1 {
			t.Fatalf("status of a destroyed app exited %d, want 1", code)
		}
	})
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

package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
	"github.com/skiffpaas/skiff/planner"
	"github.com/skiffpaas/skiff/platform"
	"github.com/skiffpaas/skiff/server"
)

const token = "skf_test_admin_token"

// apiClient drives the API with plain net/http, as a CI pipeline would, through the contract checker.
type apiClient struct {
	t    *testing.T
	base string
	http *http.Client
}

func (c *apiClient) do(method, path string, body any, headers ...string) (int, http.Header, []byte) {
	c.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		r = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, c.base+path, r)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// doRaw sends a request with the given Authorization header ("" for none).
func (c *apiClient) doRaw(method, path, authorization string) (int, http.Header, []byte) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.base+path, nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// events follows an SSE stream to its "end" event (or timeout) and returns the events' data.
func (c *apiClient) events(path string, lastID int, timeout time.Duration) []map[string]any {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if lastID > 0 {
		req.Header.Set("Last-Event-ID", fmt.Sprint(lastID))
	}
	client := *c.http
	client.Timeout = timeout
	resp, err := client.Do(req)
	if err != nil {
		c.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		b, _ := io.ReadAll(resp.Body)
		c.t.Fatalf("GET %s: %d %s %s", path, resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	var out []map[string]any
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var e map[string]any
		if err := json.Unmarshal([]byte(data), &e); err != nil {
			c.t.Fatalf("event %q: %v", data, err)
		}
		out = append(out, e)
		if e["kind"] == "end" {
			return out
		}
	}
	c.t.Fatalf("event stream %s ended without an end event (%d events): %v", path, len(out), sc.Err())
	return nil
}

func errorCode(t *testing.T, body []byte) string {
	t.Helper()
	var e server.Error
	if err := json.Unmarshal(body, &e); err != nil || len(e.Errors) == 0 {
		t.Fatalf("not a JSON error with errors[]: %s (%v)", body, err)
	}
	return e.Errors[0].Code
}

func scenarioSpec(image, version string, failHealth bool) map[string]any {
	fail := "0"
	if failHealth {
		fail = "1"
	}
	return map[string]any{"spec": fmt.Sprintf(`variable "version" { type = string }
app "ci" {
  image = %q
  env   = { APP_NAME = "ci", APP_VERSION = var.version, FAIL_HEALTH = %q }
  web "web" {
    command = ["/app"]
    port    = 8080
    route {
      path  = "/ci"
      strip = true
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
    }
  }
}
`, image, fail), "vars": map[string]string{"version": version}}
}

func newServer(t *testing.T) (*apiClient, *planner.Stack, string) {
	s := stack.Get(t)
	n, _ := s.Nomad.Client()
	c, _ := s.Consul.Client()
	cfg, err := platform.Load(context.Background(), c.KV(), "") // the dev stack publishes its own
	if err != nil {
		t.Fatal(err)
	}
	st := planner.NewStackFromConfig(n, c, nil, cfg)
	srv, err := server.New(server.Config{Token: token, Logf: t.Logf, MaxBodyBytes: 256 << 10}, st)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	ct := newContract(t, ts.URL)
	return &apiClient{t: t, base: ts.URL, http: &http.Client{Transport: ct, Timeout: 2 * time.Minute}}, st, "http://" + s.Fabio.ProxyAddr
}

// TestCIScenario is what a CI pipeline does, over plain HTTP: plan, deploy, follow the events to the end, read
// the release, deploy a broken version that fails, roll back, and read the history — every response checked
// against the served OpenAPI document.
func TestCIScenario(t *testing.T) {
	c, _, fabio := newServer(t)
	image, _ := devstacktest.DemoImage(t, "api")
	app := "/v1/namespaces/default/apps/ci"

	status, _, body := c.do("POST", app+"/plan", scenarioSpec(image, "v1", false))
	if status != 200 || !strings.Contains(string(body), `"action":"create"`) {
		t.Fatalf("plan: %d %s", status, body)
	}
	status, hdr, body := c.do("POST", app+"/deployments", scenarioSpec(image, "v1", false), "Idempotency-Key", "ci-run-1")
	if status != 202 || hdr.Get("Location") != app+"/deployments/1" {
		t.Fatalf("deploy: %d Location %q %s", status, hdr.Get("Location"), body)
	}
	events := c.events(app+"/deployments/1/events", 0, 2*time.Minute)
	if end := events[len(events)-1]; end["state"] != "succeeded" {
		t.Fatalf("deployment ended %v", end)
	}
	t.Run("a resumed stream starts after Last-Event-ID", func(t *testing.T) {
		again := c.events(app+"/deployments/1/events", 2, 10*time.Second)
		if first := again[0]["id"].(float64); first != 3 || len(again) != len(events)-2 {
			t.Fatalf("resumed after 2: first id %v, %d events of %d", first, len(again), len(events))
		}
	})
	waitBody(t, fabio+"/ci/", "hello from ci v1")
	t.Run("routes are served by Fabio without drift", func(t *testing.T) {
		status, _, body := c.do("GET", app+"/routes", nil)
		var rb server.RoutesBody
		if err := json.Unmarshal(body, &rb); status != 200 || err != nil || len(rb.Routes) == 0 || rb.Drifted != 0 ||
			!strings.Contains(rb.Routes[0].Src, "/ci") || rb.Routes[0].Targets != 1 {
			t.Fatalf("routes: %d %s", status, body)
		}
	})
	t.Run("a retried request with the same Idempotency-Key returns the first deployment", func(t *testing.T) {
		status, _, body := c.do("POST", app+"/deployments", scenarioSpec(image, "v1", false), "Idempotency-Key", "ci-run-1")
		if status != 202 || !strings.Contains(string(body), `"id":"1"`) {
			t.Fatalf("retry: %d %s", status, body)
		}
	})
	t.Run("an unchanged spec changes nothing", func(t *testing.T) {
		status, _, body := c.do("POST", app+"/deployments", scenarioSpec(image, "v1", false))
		if status != 200 || !strings.Contains(string(body), `"changed":false`) {
			t.Fatalf("no-op deploy: %d %s", status, body)
		}
	})
	t.Run("If-Match with a release that is not live is refused", func(t *testing.T) {
		status, _, body := c.do("POST", app+"/deployments", scenarioSpec(image, "v2", false), "If-Match", "7")
		if status != 412 || errorCode(t, body) != server.CodePreconditionFailed {
			t.Fatalf("stale If-Match: %d %s", status, body)
		}
	})
	t.Run("a failing release is reported failed with its reason", func(t *testing.T) {
		status, _, body := c.do("POST", app+"/deployments", scenarioSpec(image, "v2", true), "If-Match", "1")
		if status != 202 {
			t.Fatalf("deploy v2: %d %s", status, body)
		}
		var res server.DeployResult
		_ = json.Unmarshal(body, &res)
		events := c.events(res.Deployment.EventsURL, 0, 2*time.Minute)
		end := events[len(events)-1]
		if reason := fmt.Sprint(end["reason"]); end["state"] != "failed" || !strings.Contains(reason, "every job of the app runs release 1 again") ||
			!strings.Contains(reason, `check "web-http"`) {
			t.Fatalf("broken deployment ended %v", end)
		}
		waitBody(t, fabio+"/ci/", "hello from ci v1")
	})
	t.Run("rollback to release 1 is a new release", func(t *testing.T) {
		c.do("POST", app+"/deployments", scenarioSpec(image, "v3", false))
		events := c.events(app+"/deployments/3/events", 0, 2*time.Minute)
		if events[len(events)-1]["state"] != "succeeded" {
			t.Fatalf("v3: %v", events[len(events)-1])
		}
		status, hdr, body := c.do("POST", app+"/releases/1/actions/rollback", nil)
		if status != 202 {
			t.Fatalf("rollback: %d %s", status, body)
		}
		events = c.events(hdr.Get("Location")+"/events", 0, 2*time.Minute)
		if events[len(events)-1]["state"] != "succeeded" {
			t.Fatalf("rollback ended %v", events[len(events)-1])
		}
		waitBody(t, fabio+"/ci/", "hello from ci v1")
	})
	t.Run("releases page with a cursor", func(t *testing.T) {
		status, _, body := c.do("GET", app+"/releases?limit=2", nil)
		var page server.ReleasesBody
		if err := json.Unmarshal(body, &page); status != 200 || err != nil || len(page.Releases) != 2 || page.Next == 0 {
			t.Fatalf("page 1: %d %s", status, body)
		}
		_, _, body = c.do("GET", fmt.Sprintf("%s/releases?limit=2&cursor=%d", app, page.Next), nil)
		var page2 server.ReleasesBody
		_ = json.Unmarshal(body, &page2)
		if len(page2.Releases) != 2 || page2.Releases[0].Number != page.Next-1 {
			t.Fatalf("page 2 after %d: %s", page.Next, body)
		}
	})
	t.Run("status, formation and the app list", func(t *testing.T) {
		if status, _, body := c.do("GET", app+"/status", nil); status != 200 || !strings.Contains(string(body), `"web-ci-default"`) {
			t.Fatalf("status: %d %s", status, body)
		}
		if status, _, body := c.do("PATCH", app+"/formation", map[string]any{"counts": map[string]int{"web": 2}}); status != 200 ||
			!strings.Contains(string(body), `"count":2`) {
			t.Fatalf("formation: %d %s", status, body)
		}
		if status, _, body := c.do("GET", "/v1/apps", nil); status != 200 || !strings.Contains(string(body), `"app":"ci"`) {
			t.Fatalf("apps: %d %s", status, body)
		}
		if status, _, body := c.do("GET", "/v1/apps?limit=1&cursor=default/ch", nil); status != 200 ||
			!strings.Contains(string(body), `"app":"ci"`) || strings.Count(string(body), `"app":`) != 1 {
			t.Fatalf("apps page after default/ch: %d %s", status, body)
		}
	})
	t.Run("destroy", func(t *testing.T) {
		if status, _, body := c.do("DELETE", app, nil); status != 200 {
			t.Fatalf("destroy: %d %s", status, body)
		}
		if status, _, body := c.do("GET", app+"/status", nil); status != 404 || errorCode(t, body) != server.CodeNotFound {
			t.Fatalf("status after destroy: %d %s", status, body)
		}
	})
}

// waitBody polls url until its body contains want.
func waitBody(t *testing.T, url, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 && strings.Contains(string(b), want) {
				return
			}
			last = fmt.Sprintf("%d %q", resp.StatusCode, b)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("GET %s never returned %q (last %s)", url, want, last)
}

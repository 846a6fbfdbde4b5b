package server_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
	"github.com/skiffpaas/skiff/planner"
)

// TestOperations covers the day-2 routes: a one-off run reports the command's exit code and output, a
// function dispatch runs with its payload, and logs read a process's lines.
func TestOperations(t *testing.T) {
	c, st, _ := newServer(t)
	image, _ := devstacktest.DemoImage(t, "api")
	app := "/v1/namespaces/default/apps/ci-ops"
	spec := map[string]any{"spec": `app "ci-ops" {
  image = "` + image + `"
  worker "jobs" {
    command = ["/app"]
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
`}
	status, hdr, body := c.do("POST", app+"/deployments", spec)
	if status != 202 {
		t.Fatalf("deploy: %d %s", status, body)
	}
	if events := c.events(hdr.Get("Location")+"/events", 0, 2*time.Minute); events[len(events)-1]["state"] != "succeeded" {
		t.Fatalf("deploy ended %v", events[len(events)-1])
	}
	t.Cleanup(func() { c.do("DELETE", app, nil) })

	t.Run("a run reports the command's exit code and output", func(t *testing.T) {
		status, hdr, body := c.do("POST", app+"/runs", map[string]any{"command": []string{"/app", "exit", "3"}})
		if status != 202 || hdr.Get("Location") == "" {
			t.Fatalf("run: %d %s", status, body)
		}
		deadline := time.Now().Add(90 * time.Second)
		for {
			_, _, body := c.do("GET", hdr.Get("Location"), nil)
			var rs planner.RunState
			_ = json.Unmarshal(body, &rs)
			if rs.Status == "failed" || rs.Status == "complete" {
				if rs.ExitCode == nil || *rs.ExitCode != 3 || !strings.Contains(rs.Stdout, "exiting 3") {
					t.Fatalf("run ended %s", body)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("run still %s", body)
			}
			time.Sleep(500 * time.Millisecond)
		}
	})
	t.Run("a dispatched function runs with its payload", func(t *testing.T) {
		payload := base64.StdEncoding.EncodeToString([]byte("img-42"))
		status, _, body := c.do("POST", app+"/functions/thumb/dispatch", map[string]any{"payload": payload})
		var out struct{ Job string }
		_ = json.Unmarshal(body, &out)
		if status != 202 || !strings.HasPrefix(out.Job, "ci-ops-thumb/dispatch-") {
			t.Fatalf("dispatch: %d %s", status, body)
		}
		res, alloc, err := st.WaitBatch(t.Context(), "default", out.Job, time.Minute)
		if err != nil || res != "complete" {
			t.Fatalf("dispatched run ended %q, %v", res, err)
		}
		stdout, _, _ := st.RunLogs(t.Context(), "default", alloc)
		if !strings.Contains(stdout, "payload: img-42") {
			t.Fatalf("function output %q", stdout)
		}
	})
	t.Run("a retried run or dispatch with the same Idempotency-Key runs once", func(t *testing.T) {
		body := map[string]any{"command": []string{"/app", "exit", "0"}}
		_, h1, _ := c.do("POST", app+"/runs", body, "Idempotency-Key", "run-once")
		_, h2, _ := c.do("POST", app+"/runs", body, "Idempotency-Key", "run-once")
		if h1.Get("Location") == "" || h1.Get("Location") != h2.Get("Location") {
			t.Fatalf("runs %q and %q, want one", h1.Get("Location"), h2.Get("Location"))
		}
		payload := map[string]any{"payload": base64.StdEncoding.EncodeToString([]byte("x"))}
		_, _, b1 := c.do("POST", app+"/functions/thumb/dispatch", payload, "Idempotency-Key", "dispatch-once")
		_, _, b2 := c.do("POST", app+"/functions/thumb/dispatch", payload, "Idempotency-Key", "dispatch-once")
		if string(b1) != string(b2) || !strings.Contains(string(b1), "dispatch-") {
			t.Fatalf("dispatches %s and %s, want one", b1, b2)
		}
	})
	t.Run("logs of a process", func(t *testing.T) {
		status, _, body := c.do("GET", app+"/logs?process=jobs", nil)
		if status != 200 || !strings.Contains(string(body), `"lines"`) {
			t.Fatalf("logs: %d %s", status, body)
		}
		if status, _, _ := c.do("GET", app+"/logs?process=nosuch", nil); status != 404 {
			t.Fatalf("logs of an unknown process: %d", status)
		}
	})
}

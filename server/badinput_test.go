package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
	"github.com/skiffpaas/skiff/server"
)

// TestBadInput sends what clients get wrong; each gets the JSON error with the right status and stable code,
// and none changes anything (the app never gets a release).
func TestBadInput(t *testing.T) {
	c, st, _ := newServer(t)
	image, _ := devstacktest.DemoImage(t, "api")
	app := "/v1/namespaces/default/apps/ci-bad"
	good := scenarioSpec(image, "v1", false)
	good["spec"] = strings.Replace(good["spec"].(string), `app "ci"`, `app "ci-bad"`, 1)
	good["spec"] = strings.Replace(good["spec"].(string), `path  = "/ci"`, `path  = "/ci-bad"`, 1)

	cases := []struct {
		name, method, path string
		body               any
		headers            []string
		status             int
		code               string
	}{
		{"malformed JSON", "POST", app + "/plan", `{"spec": `, nil, 400, server.CodeBadRequest},
		{"oversize body", "POST", app + "/deployments", map[string]any{"spec": strings.Repeat("#", 300<<10)}, nil, 413, server.CodeTooLarge},
		{"missing spec", "POST", app + "/deployments", map[string]any{}, nil, 422, server.CodeBadRequest},
		{"invalid spec", "POST", app + "/deployments", map[string]any{"spec": "app \"ci-bad\" {\n  web \"web\" {\n    count = \"many\"\n  }\n}\n"}, nil, 422, server.CodeSpecInvalid},
		{"spec of another app", "POST", "/v1/namespaces/default/apps/other/deployments", good, nil, 422, server.CodeSpecInvalid},
		{"unknown app", "GET", "/v1/namespaces/default/apps/nosuch/status", nil, nil, 404, server.CodeNotFound},
		{"unknown release", "GET", app + "/releases/9", nil, nil, 404, server.CodeNotFound},
		{"unknown path", "GET", "/v1/nosuch", nil, nil, 404, server.CodeNotFound},
		{"bad namespace", "GET", "/v1/namespaces/Bad_NS/apps/x/status", nil, nil, 422, server.CodeBadRequest},
		{"bad If-Match", "POST", app + "/deployments", good, []string{"If-Match", "latest"}, 400, server.CodeBadRequest},
		{"bad lock_timeout", "POST", app + "/deployments?lock_timeout=forever", good, nil, 400, server.CodeBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, hdr, body := c.do(tc.method, tc.path, tc.body, tc.headers...)
			if status != tc.status || errorCode(t, body) != tc.code {
				t.Fatalf("%d %s, want %d %s", status, body, tc.status, tc.code)
			}
			var e server.Error
			_ = json.Unmarshal(body, &e)
			if e.RequestID == "" || e.RequestID != hdr.Get("Request-Id") {
				t.Errorf("request_id %q, Request-Id header %q", e.RequestID, hdr.Get("Request-Id"))
			}
		})
	}
	t.Run("the invalid spec's diagnostic points at the line", func(t *testing.T) {
		_, _, body := c.do("POST", app+"/plan", map[string]any{"spec": "app \"ci-bad\" {\n  web \"web\" {\n    count = \"many\"\n  }\n}\n"})
		var e server.Error
		_ = json.Unmarshal(body, &e)
		d := e.Errors[0].Diagnostic
		if d == nil || d.Range == nil || d.Range.Start.Line != 3 || !strings.Contains(d.Snippet, "count") {
			t.Fatalf("diagnostic %+v", d)
		}
	})
	t.Run("no token, wrong token", func(t *testing.T) {
		for _, h := range []string{"", "Bearer wrong"} {
			status, _, body := c.doRaw("GET", "/v1/apps", h)
			if status != 401 || errorCode(t, body) != server.CodeUnauthorized {
				t.Fatalf("Authorization %q: %d %s", h, status, body)
			}
		}
	})
	t.Run("a concurrent deploy is 409 locked", func(t *testing.T) {
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		bodies := make([][]byte, 2)
		for i := range statuses {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				statuses[i], _, bodies[i] = c.do("POST", app+"/deployments", good)
			}(i)
		}
		wg.Wait()
		got := fmt.Sprint(statuses)
		if got != "[202 409]" && got != "[409 202]" {
			t.Fatalf("statuses %v: %s / %s", statuses, bodies[0], bodies[1])
		}
		for i, s := range statuses {
			if s == 409 && errorCode(t, bodies[i]) != server.CodeLocked {
				t.Fatalf("409 body %s", bodies[i])
			}
		}
		deadline := time.Now().Add(90 * time.Second)
		for {
			rs, err := st.History(t.Context(), "default", "ci-bad")
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != 1 {
				t.Fatalf("%d releases, want exactly the one deploy that got the lock", len(rs))
			}
			if rs[0].State.Final() {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("release still %s", rs[0].State)
			}
			time.Sleep(500 * time.Millisecond)
		}
	})
	t.Run("with lock_timeout the second deploy waits and finds nothing to do", func(t *testing.T) {
		v2 := scenarioSpec(image, "v2", false)
		v2["spec"] = strings.NewReplacer(`app "ci"`, `app "ci-bad"`, `path  = "/ci"`, `path  = "/ci-bad"`).Replace(v2["spec"].(string))
		first := make(chan int, 1)
		go func() {
			status, _, _ := c.do("POST", app+"/deployments", v2)
			first <- status
		}()
		time.Sleep(200 * time.Millisecond)
		status, _, body := c.do("POST", app+"/deployments?lock_timeout=2m", v2)
		if f := <-first; f != 202 {
			t.Fatalf("first deploy: %d", f)
		}
		if status != 200 || !strings.Contains(string(body), `"changed":false`) {
			t.Fatalf("waiting deploy: %d %s, want 200 with nothing to change", status, body)
		}
	})
	c.do("DELETE", app, nil)
}

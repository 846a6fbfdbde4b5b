package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/skiffpaas/skiff/api"
)

// badSpec has an unknown argument on line 4.
const badSpec = `app "shop" {
  image = "skiff-demo:api"
  web "web" {
    colour = "blue"
    command = ["/app"]
  }
}
`

func TestSpecErrorsCarryTheirDiagnostics(t *testing.T) {
	c := newClient(t, newServer(t, offlineStack(t)).URL, testToken)
	ctx := context.Background()
	spec := &api.Spec{Source: badSpec, Filename: "shop.hcl"}

	_, _, err := c.Apps().Plan(ctx, "default", "shop", spec)
	_, _, _, err2 := c.Deployments().Create(ctx, "default", "shop", spec, nil)
	for name, err := range map[string]error{"plan": err, "deploy": err2} {
		e := apiError(t, err)
		if !api.IsSpecInvalid(err) || e.StatusCode != 422 || e.Code() != api.CodeSpecInvalid || api.IsBadRequest(err) {
			t.Fatalf("%s: %v", name, err)
		}
		diags := e.Diagnostics()
		if len(diags) == 0 || diags[0].Range == nil {
			t.Fatalf("%s: no diagnostics with a range: %+v", name, e.Errors)
		}
		d := diags[0]
		if d.Severity != "error" || d.Range.Filename != "shop.hcl" || d.Range.Start.Line != 4 ||
			d.Range.Start.Column != 5 || !strings.Contains(d.Snippet, "colour") {
			t.Fatalf("%s: diagnostic %+v at %+v", name, d, d.Range)
		}
		if !strings.HasPrefix(d.String(), "shop.hcl:4:5: ") || !strings.Contains(err.Error(), "shop.hcl:4:5") {
			t.Fatalf("%s: renders as %q / %q", name, d.String(), err.Error())
		}
	}

	// The spec is app "shop"; the URL names another app.
	ok := shopSpec{Name: "shop", Version: "v1"}.spec("skiff-demo:api")
	_, _, err = c.Apps().Plan(ctx, "default", "other", ok)
	if e := apiError(t, err); !api.IsSpecInvalid(err) || len(e.Diagnostics()) != 0 || !strings.Contains(e.Error(), `"other"`) {
		t.Fatalf("URL and spec disagree: %v", err)
	}
	// Names the server's path patterns refuse.
	_, _, err = c.Apps().Status(ctx, "Default", "shop")
	if e := apiError(t, err); !api.IsBadRequest(err) || e.StatusCode != 422 {
		t.Fatalf("an upper-case namespace: %v", err)
	}
	if _, _, err := c.Releases().List(ctx, "default", "shop", &api.ListOptions{Limit: 1000}); !api.IsBadRequest(err) {
		t.Fatalf("a page of 1000: %v", err)
	}
}

func TestUnknownAppsAreNotFound(t *testing.T) {
	s := stack.Get(t)
	c := newClient(t, newServer(t, newStack(t, s)).URL, testToken)
	ctx := context.Background()
	_, _, err := c.Apps().Status(ctx, "default", "nosuch")
	_, _, err2 := c.Deployments().Info(ctx, "default", "nosuch", 1)
	_, err3 := c.Deployments().Events(ctx, "default", "nosuch", 1, 0)
	_, _, err4 := c.Releases().Info(ctx, "default", "nosuch", 7)
	_, _, err5 := c.Deployments().Cancel(ctx, "default", "nosuch", 1)
	for name, err := range map[string]error{"status": err, "deployment": err2, "events": err3, "release": err4, "cancel": err5} {
		if e := apiError(t, err); !api.IsNotFound(err) || e.StatusCode != 404 || e.RequestID == "" || api.IsLocked(err) {
			t.Errorf("%s: %v", name, err)
		}
	}
	page, _, err := c.Releases().List(ctx, "default", "nosuch", nil)
	if err != nil || page.Releases == nil || len(page.Releases) != 0 || page.Next != 0 {
		t.Errorf("releases of an unknown app: %+v, %v", page, err)
	}
	if _, _, err := c.Releases().Info(ctx, "default", "nosuch", 0); err == nil {
		t.Error("release 0 was asked for")
	}
}

func TestAnswersThatAreNotTheAPIsShape(t *testing.T) {
	t.Parallel()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/apps":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			w.Write([]byte("<html>" + strings.Repeat("x", 2000) + "</html>"))
		case "/v1/health":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"status": "ok", `))
		default:
			http.NotFound(w, r)
		}
	}))
	defer hs.Close()
	c := newClient(t, hs.URL, testToken)
	_, _, err := c.Apps().List(context.Background())
	e := apiError(t, err)
	if !e.Raw || e.StatusCode != 502 || e.Code() != "" || len(e.Detail) > 600 || api.IsNotFound(err) {
		t.Fatalf("a proxy's page: %#v", e)
	}
	if _, _, err := c.Apps().Status(context.Background(), "default", "shop"); !api.IsNotFound(err) {
		t.Fatalf("a bare 404 is not found: %v", err)
	}
	if _, _, err := c.Health().Get(context.Background()); err == nil || !strings.Contains(err.Error(), "decoding") {
		t.Fatalf("a truncated body: %v", err)
	}
}

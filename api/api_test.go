package api_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/api"
	"github.com/skiffpaas/skiff/internal/devstack"
	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
	"github.com/skiffpaas/skiff/planner"
	"github.com/skiffpaas/skiff/server"
)

// stack is the one dev stack the end-to-end tests of this package share (each uses apps of its own).
var stack devstacktest.Shared

func TestMain(m *testing.M) { os.Exit(stack.Run(m)) }

// testToken is the token of every test server; tests check it never shows in an error.
const testToken = "skf_test_0123456789abcdef"

// newServer serves the real platform API over st (httptest.NewServer around server.Handler: the real
// server, on a free port).
//
// Tests that call it do not run in parallel: server.New assigns the package variable huma.NewError, which
// huma reads while serving, so a server made while another serves is a data race.
// wrap, if given, wraps the server's handler (to watch requests).
func newServer(t *testing.T, st *planner.Stack, wrap ...func(http.Handler) http.Handler) *httptest.Server {
	t.Helper()
	srv, err := server.New(server.Config{Token: testToken, Version: "api-test", Logf: t.Logf}, st)
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	for _, w := range wrap {
		h = w(h)
	}
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	return hs
}

// newClient returns a client of addr with token.
func newClient(t *testing.T, addr, token string) *api.Client {
	t.Helper()
	c, err := api.NewClient(&api.Config{Address: addr, Token: token, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// planner stack over the dev stack's Nomad and Consul.
func newStack(t *testing.T, s *devstack.Stack) *planner.Stack {
	t.Helper()
	n, err := s.Nomad.Client()
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Consul.Client()
	if err != nil {
		t.Fatal(err)
	}
	return planner.NewStack(n, c)
}

// offlineStack is a planner stack whose clients point at nothing: enough for routes that do not touch the
// stack (health, the OpenAPI document, authentication).
func offlineStack(t *testing.T) *planner.Stack {
	t.Helper()
	n, err := nomadapi.NewClient(&nomadapi.Config{Address: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := consulapi.NewClient(&consulapi.Config{Address: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	return planner.NewStack(n, c)
}

// apiError returns err as an *APIError, failing t when it is not one.
func apiError(t *testing.T, err error) *api.APIError {
	t.Helper()
	var e *api.APIError
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want an *api.APIError", err, err)
	}
	if strings.Contains(e.Error(), testToken) {
		t.Fatalf("the error shows the token: %v", e)
	}
	return e
}

// waitBody polls url until it answers 200 with a body containing want.
func waitBody(t *testing.T, url, want string, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	last := ""
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			last = fmt.Sprintf("%s %q", resp.Status, b)
			if resp.StatusCode == 200 && strings.Contains(string(b), want) {
				return
			}
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			t.Fatalf("GET %s never returned %q (last: %s)", url, want, last)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func TestHealthAndAuthOnTheRealServer(t *testing.T) {
	addr := newServer(t, offlineStack(t)).URL
	ctx := context.Background()

	h, meta, err := newClient(t, addr, "").Health().Get(ctx)
	if err != nil || h.Status != "ok" || h.Version != "api-test" {
		t.Fatalf("health = %+v, %v", h, err)
	}
	if meta.StatusCode != 200 || !strings.HasPrefix(meta.RequestID, "req_") {
		t.Fatalf("meta = %+v", meta)
	}

	for name, token := range map[string]string{"no token": "", "wrong token": "skf_wrong"} {
		_, _, err := newClient(t, addr, token).Apps().List(ctx)
		e := apiError(t, err)
		if !api.IsUnauthorized(err) || e.StatusCode != 401 || e.Code() != api.CodeUnauthorized || e.RequestID == "" {
			t.Errorf("%s: err = %#v", name, e)
		}
		if api.IsNotFound(err) || api.IsLocked(err) {
			t.Errorf("%s: predicates confuse unauthorized with others", name)
		}
	}

	_, _, err = newClient(t, addr+"/nowhere", testToken).Apps().List(ctx)
	if e := apiError(t, err); !api.IsNotFound(err) || e.StatusCode != 404 {
		t.Fatalf("unknown path: %v", err)
	}
}

func TestRequestErrorsNeverShowTheToken(t *testing.T) {
	t.Parallel()
	hs := httptest.NewServer(http.NotFoundHandler())
	addr := hs.URL
	hs.Close() // nothing listens there any more
	c := newClient(t, addr, testToken)
	_, _, err := c.Apps().Status(context.Background(), "default", "shop")
	if err == nil || strings.Contains(err.Error(), testToken) || !strings.Contains(err.Error(), "req_") {
		t.Fatalf("err = %v: want a transport error naming the request, without the token", err)
	}
	var e *api.APIError
	if errors.As(err, &e) {
		t.Fatalf("a transport error is an *APIError: %v", e)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := c.Apps().List(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: err = %v, want context.Canceled through the wrapping", err)
	}
}

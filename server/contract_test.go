package server_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// contract checks every response a test receives against the server's own OpenAPI document (its 3.0 form,
// which kin-openapi validates fully): status codes and bodies must be documented.
type contract struct {
	t      *testing.T
	router routers.Router
	next   http.RoundTripper
	mu     sync.Mutex
	seen   int
}

func newContract(t *testing.T, base string) *contract {
	t.Helper()
	resp, err := http.Get(base + "/v1/openapi-3.0.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatalf("the served OpenAPI document does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the served OpenAPI document is not valid: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: base}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &contract{t: t, router: router, next: http.DefaultTransport}
}

// RoundTrip validates the response to req (event streams: status and content type only).
func (c *contract) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(req)
	if err != nil || req.URL.Path == "/v1/metrics" {
		return resp, err
	}
	route, params, rerr := c.router.FindRoute(req)
	if rerr != nil {
		if resp.StatusCode == http.StatusNotFound {
			return resp, nil // an undocumented path must be a 404
		}
		c.t.Errorf("contract: %s %s is not in the OpenAPI document (%d): %v", req.Method, req.URL.Path, resp.StatusCode, rerr)
		return resp, nil
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
		Status: resp.StatusCode, Header: resp.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		in.Options.ExcludeResponseBody = true
	} else {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		in.SetBodyBytes(body)
	}
	if err := openapi3filter.ValidateResponse(req.Context(), in); err != nil {
		c.t.Errorf("contract: %s %s → %d does not match the OpenAPI document: %v", req.Method, req.URL.Path, resp.StatusCode, err)
	}
	c.mu.Lock()
	c.seen++
	c.mu.Unlock()
	return resp, nil
}

package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestOpenAPIAndMetrics checks the generated OpenAPI 3.1 document is served without a token and describes
// every operation, and that /v1/metrics serves the request and deploy metrics behind the token.
func TestOpenAPIAndMetrics(t *testing.T) {
	c, _, _ := newServer(t)
	resp, err := http.Get(c.base + "/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); resp.StatusCode != 200 || err != nil {
		t.Fatalf("GET /v1/openapi.json: %d %v", resp.StatusCode, err)
	}
	ops := 0
	for _, item := range doc.Paths {
		ops += len(item)
	}
	if doc.OpenAPI != "3.1.0" || ops < 16 {
		t.Fatalf("document %s with %d operations", doc.OpenAPI, ops)
	}
	if resp, err := http.Get(c.base + "/v1/openapi.yaml"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /v1/openapi.yaml: %v %v", resp, err)
	}
	c.do("GET", "/v1/apps", nil)
	status, _, body := c.do("GET", "/v1/metrics", nil)
	if status != 200 || !strings.Contains(string(body), `skiff_http_request_duration_seconds_count{method="GET",route="/v1/apps",status="200"}`) {
		t.Fatalf("metrics: %d %s", status, firstLines(body))
	}
	if status, _, _ := c.doRaw("GET", "/v1/metrics", ""); status != 401 {
		t.Fatalf("metrics without a token: %d", status)
	}
}

func firstLines(b []byte) string {
	s := string(b)
	if len(s) > 2000 {
		s = s[:2000]
	}
	return s
}

package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/skiffpaas/skiff/api"
	"github.com/skiffpaas/skiff/server"
)

func TestDefaultConfigReadsTheEnvironment(t *testing.T) {
	t.Setenv("SKIFF_ADDR", " https://skiff.example.com:8443/ ")
	t.Setenv("SKIFF_TOKEN", testToken)
	cfg := api.DefaultConfig()
	if cfg.Token != testToken {
		t.Fatalf("token not read from SKIFF_TOKEN")
	}
	c, err := api.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Address(), "https://skiff.example.com:8443"; got != want {
		t.Fatalf("address %q, want %q", got, want)
	}
	for _, s := range []string{cfg.String(), fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg)} {
		if strings.Contains(s, testToken) {
			t.Fatalf("printing the config shows the token: %s", s)
		}
	}

	t.Setenv("SKIFF_ADDR", "")
	t.Setenv("SKIFF_TOKEN", "")
	if cfg := api.DefaultConfig(); cfg.Address != api.DefaultAddress || cfg.Token != "" {
		t.Fatalf("default config %v", cfg)
	}
}

func TestNewClientValidatesTheAddress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr, want string // want: the normalized address, or "error: <part of the message>"
	}{
		{"http://127.0.0.1:7440", "http://127.0.0.1:7440"},
		{"https://skiff.example.com/", "https://skiff.example.com"},
		{"http://proxy.local/skiff/", "http://proxy.local/skiff"},
		{"http://[::1]:7440", "http://[::1]:7440"},
		{"", "error: no server address"},
		{"127.0.0.1:7440", "error: must start with http"},
		{"ftp://host", "error: must start with http"},
		{"http://", "error: has no host"},
		{"http://:7440", "error: has no host"},
		{"http://host:99999", "error: invalid port"},
		{"http://user:pw@host", "error: must not hold credentials"},
		{"http://host/?a=1", "error: query or fragment"},
		{"http://host/#x", "error: query or fragment"},
		{"http://ho st", "error: not a URL"},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			t.Parallel()
			c, err := api.NewClient(&api.Config{Address: tt.addr})
			if want, ok := strings.CutPrefix(tt.want, "error: "); ok {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("err = %v, want one saying %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Address(); got != tt.want {
				t.Fatalf("address %q, want %q", got, tt.want)
			}
		})
	}
	if _, err := api.NewClient(&api.Config{Address: api.DefaultAddress, Token: testToken + "\n"}); err == nil ||
		strings.Contains(err.Error(), testToken) {
		t.Fatalf("a token with a newline: err = %v", err)
	}
}

func TestClientUnderAPathPrefixAndCustomHTTPClient(t *testing.T) {
	srv, err := server.New(server.Config{Token: testToken, Version: "prefixed"}, offlineStack(t))
	if err != nil {
		t.Fatal(err)
	}
	seen := make(chan http.Header, 1)
	mux := http.NewServeMux()
	mux.Handle("/skiff/", http.StripPrefix("/skiff", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case seen <- r.Header.Clone():
		default:
		}
		srv.Handler().ServeHTTP(w, r)
	})))
	hs := httptest.NewServer(mux)
	defer hs.Close()
	c, err := api.NewClient(&api.Config{Address: hs.URL + "/skiff/", Token: testToken, UserAgent: "tf-provider/1",
		HTTPClient: &http.Client{Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	h, _, err := c.Health().Get(context.Background())
	if err != nil || h.Version != "prefixed" {
		t.Fatalf("health = %+v, %v", h, err)
	}
	hdr := <-seen
	if hdr.Get("Authorization") != "Bearer "+testToken || hdr.Get("User-Agent") != "tf-provider/1" ||
		!strings.HasPrefix(hdr.Get("Request-Id"), "req_") {
		t.Fatalf("request headers %v", hdr)
	}
	doc, _, err := c.OpenAPI(context.Background())
	if err != nil || !strings.Contains(string(doc), `"openapi"`) {
		t.Fatalf("openapi: %v (%d bytes)", err, len(doc))
	}
}

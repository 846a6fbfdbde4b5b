package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// FabioClient reads Fabio's live routing table from its UI/API listener.
type FabioClient struct {
	// Addr is the UI address, such as "http://127.0.0.1:9998" (a bare host:port gets http://).
	Addr string
	// HTTP is the client used; nil means one with a 10s timeout.
	HTTP *http.Client
}

// NewFabioClient returns a client for the Fabio UI at addr.
func NewFabioClient(addr string) *FabioClient {
	if !strings.Contains(addr, "://") {
		addr = "http://" + addr
	}
	return &FabioClient{Addr: strings.TrimSuffix(addr, "/")}
}

// FabioTarget is one target of a route in Fabio's table, as GET /api/routes lists it.
type FabioTarget struct {
	Service string `json:"service"`
	Host    string `json:"host"`
	Path    string `json:"path"`
	Src     string `json:"src"`
	Dst     string `json:"dst"`
	// Opts are the target's options, space separated, in no particular order ("redirect=301 strip=/api").
	Opts string `json:"opts"`
	// Weight is the share of the route's requests the target gets (0–1).
	Weight float64  `json:"weight"`
	Tags   []string `json:"tags,omitempty"`
}

// Canary reports whether the target is a canary registration.
func (t FabioTarget) Canary() bool { return hasTag(t.Tags, CanaryTag) }

// Opt returns the value of option name ("" when absent).
func (t FabioTarget) Opt(name string) string {
	for _, o := range strings.Fields(t.Opts) {
		if v, ok := strings.CutPrefix(o, name+"="); ok {
			return v
		}
	}
	return ""
}

// FabioError is a non-200 answer of Fabio's API.
type FabioError struct {
	StatusCode int
	Body       string
}

func (e *FabioError) Error() string {
	return fmt.Sprintf("fabio API: %d %s: %s", e.StatusCode, http.StatusText(e.StatusCode), e.Body)
}

// Routes returns every target of Fabio's routing table.
func (c *FabioClient) Routes(ctx context.Context) ([]FabioTarget, error) {
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Addr+"/api/routes", nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reading Fabio's routes: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, fmt.Errorf("reading Fabio's routes: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &FabioError{StatusCode: resp.StatusCode, Body: strings.TrimSpace(string(body))}
	}
	var out []FabioTarget
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, fmt.Errorf("decoding Fabio's routes: %w", err)
	}
	return out, nil
}

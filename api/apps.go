package api

import (
	"context"
	"encoding/json"
	"net/http"
)

// Apps is the handle of apps: listing, status, plans and destroy.
type Apps struct {
	client *Client
}

// Apps returns the handle of apps.
func (c *Client) Apps() *Apps { return &Apps{client: c} }

// List returns every app across namespaces with its live and newest release. The list is empty, not nil,
// when there are none.
func (a *Apps) List(ctx context.Context) ([]AppSummary, *Meta, error) {
	all := []AppSummary{}
	cursor := ""
	for {
		var out struct {
			Apps []AppSummary `json:"apps"`
			Next string       `json:"next"`
		}
		req := newRequest(http.MethodGet, "/v1/apps")
		req.query.Set("limit", "1000")
		if cursor != "" {
			req.query.Set("cursor", cursor)
		}
		meta, _, err := a.client.call(ctx, req, &out)
		if err != nil {
			return nil, meta, err
		}
		all = append(all, out.Apps...)
		if out.Next == "" || out.Next == cursor {
			return all, meta, nil
		}
		cursor = out.Next
	}
}

// Status returns the app's processes, their health, its latest deployments and releases. An app that was
// never deployed (or was destroyed) gives an error for which IsNotFound is true.
func (a *Apps) Status(ctx context.Context, ns, app string) (*AppStatus, *Meta, error) {
	p, err := appPath(ns, app, "status")
	if err != nil {
		return nil, nil, err
	}
	out := &AppStatus{}
	meta, _, err := a.client.call(ctx, newRequest(http.MethodGet, p), out)
	if err != nil {
		return nil, meta, err
	}
	return out, meta, nil
}

// Plan diffs spec against the live stack and changes nothing. The spec must be app app in namespace ns;
// errors in it give an *APIError with code spec_invalid whose Diagnostics say where.
func (a *Apps) Plan(ctx context.Context, ns, app string, spec *Spec) (*PlanResult, *Meta, error) {
	p, err := appPath(ns, app, "plan")
	if err != nil {
		return nil, nil, err
	}
	r := newRequest(http.MethodPost, p)
	r.body = spec
	out := &PlanResult{}
	meta, _, err := a.client.call(ctx, r, out)
	if err != nil {
		return nil, meta, err
	}
	return out, meta, nil
}

// Destroy removes the app: its jobs, its objects in Consul, Vault and Fabio, then its history. It returns the
// IDs of the jobs it removed (empty, not nil, when there were none). It answers when everything is removed,
// which may take a while; it is safe to call again after an error.
func (a *Apps) Destroy(ctx context.Context, ns, app string) ([]string, *Meta, error) {
	p, err := appPath(ns, app)
	if err != nil {
		return nil, nil, err
	}
	var out struct {
		RemovedJobs []string `json:"removed_jobs"`
	}
	meta, _, err := a.client.call(ctx, newRequest(http.MethodDelete, p), &out)
	if err != nil {
		return nil, meta, err
	}
	if out.RemovedJobs == nil {
		out.RemovedJobs = []string{}
	}
	return out.RemovedJobs, meta, nil
}

// Offerings is the handle of the offerings catalog: the backing services apps can bind.
type Offerings struct {
	client *Client
}

// Offerings returns the handle of the offerings catalog.
func (c *Client) Offerings() *Offerings { return &Offerings{client: c} }

// List returns the registered offerings (empty, not nil, when there are none).
func (o *Offerings) List(ctx context.Context) ([]*Offering, *Meta, error) {
	var out struct {
		Offerings []*Offering `json:"offerings"`
	}
	meta, _, err := o.client.call(ctx, newRequest(http.MethodGet, "/v1/offerings"), &out)
	if err != nil {
		return nil, meta, err
	}
	if out.Offerings == nil {
		out.Offerings = []*Offering{}
	}
	return out.Offerings, meta, nil
}

// HealthHandle is the handle of the server's liveness endpoint, which needs no token.
type HealthHandle struct {
	client *Client
}

// Health returns the handle of the server's liveness endpoint.
func (c *Client) Health() *HealthHandle { return &HealthHandle{client: c} }

// Get returns the server's status ("ok") and version.
func (h *HealthHandle) Get(ctx context.Context) (*Health, *Meta, error) {
	out := &Health{}
	meta, _, err := h.client.call(ctx, newRequest(http.MethodGet, "/v1/health"), out)
	if err != nil {
		return nil, meta, err
	}
	return out, meta, nil
}

// OpenAPI returns the server's OpenAPI 3.1 document as JSON (it needs no token).
func (c *Client) OpenAPI(ctx context.Context) ([]byte, *Meta, error) {
	var out json.RawMessage
	meta, _, err := c.call(ctx, newRequest(http.MethodGet, "/v1/openapi.json"), &out)
	if err != nil {
		return nil, meta, err
	}
	return out, meta, nil
}

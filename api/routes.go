package api

import (
	"context"
	"net/http"
)

// Routes is the handle of an app's routes.
type Routes struct {
	client *Client
}

// Routes returns the handle of routes.
func (c *Client) Routes() *Routes { return &Routes{client: c} }

// RoutesBody is an app's routes next to Fabio's live table.
type RoutesBody struct {
	Routes []RouteState `json:"routes"`
	// Drifted counts the routes whose live state differs from the desired one.
	Drifted int `json:"drifted"`
}

// RouteState is one route: what the app declares and what Fabio serves.
type RouteState struct {
	Src     string        `json:"src"`
	Service string        `json:"service"`
	Desired *DesiredRoute `json:"desired,omitempty"`
	// Targets counts Fabio's targets of the route for the service; Canaries those that are canaries.
	Targets  int `json:"targets"`
	Canaries int `json:"canaries"`
	// CanaryShare is the share of requests Fabio gives the canaries (0–1); WantShare the share the stored
	// weight asks for.
	CanaryShare float64 `json:"canary_share"`
	WantShare   float64 `json:"want_share"`
	// WeightPercent is the stored canary weight (0: none).
	WeightPercent int `json:"weight_percent,omitempty"`
	// Drift lists what differs; empty when Fabio matches.
	Drift []string `json:"drift,omitempty"`
}

// DesiredRoute is a route as the app's registrations declare it.
type DesiredRoute struct {
	Src          string   `json:"src"`
	Opts         []string `json:"opts,omitempty"`
	RedirectCode int      `json:"redirect_code,omitempty"`
	RedirectURL  string   `json:"redirect_url,omitempty"`
	Tag          string   `json:"tag"`
	Service      string   `json:"service"`
	Process      string   `json:"process,omitempty"`
	Namespace    string   `json:"namespace"`
	App          string   `json:"app"`
	CanaryWeight int      `json:"canary_weight,omitempty"`
}

// Info returns the app's routes with their drift.
func (r *Routes) Info(ctx context.Context, ns, app string) (*RoutesBody, *Meta, error) {
	p, err := appPath(ns, app, "routes")
	if err != nil {
		return nil, nil, err
	}
	out := &RoutesBody{}
	meta, _, err := r.client.call(ctx, newRequest(http.MethodGet, p), out)
	if err != nil {
		return nil, meta, err
	}
	return out, meta, nil
}

package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"
)

// Runs is the handle of one-off runs: a command run once with the image, env and resources of one of the
// app's processes (`skiff run`).
type Runs struct {
	client *Client
}

// Runs returns the handle of one-off runs.
func (c *Client) Runs() *Runs { return &Runs{client: c} }

// RunOptions say what a one-off run runs.
type RunOptions struct {
	// Command is the command and its arguments. Required.
	Command []string `json:"command"`
	// Process names the process whose image, env and resources the run takes (default: the app's first web
	// or worker process).
	Process string `json:"process,omitempty"`
}

// RunState is a run's state; once it ended, its exit code and output.
type RunState struct {
	// Job is the run's Nomad job ID, the ID Info and Wait take.
	Job string `json:"job"`
	// Status is "pending", "running", then "complete", "failed" or "lost".
	Status   string `json:"status"`
	ExitCode *int   `json:"exit_code,omitempty"`
	Stdout   string `json:"stdout,omitempty"`
	Stderr   string `json:"stderr,omitempty"`
}

// Ended reports whether the run will not change again.
func (s *RunState) Ended() bool {
	return s.Status == "complete" || s.Status == "failed" || s.Status == "lost"
}

// Create starts a run and answers at once, with the run pending; follow it with Info or Wait.
// WriteMeta.Location is the run's URL path.
func (r *Runs) Create(ctx context.Context, ns, app string, opts *RunOptions) (*RunState, *WriteMeta, error) {
	p, err := appPath(ns, app, "runs")
	if err != nil {
		return nil, nil, err
	}
	req := newRequest(http.MethodPost, p)
	req.body = opts
	out := &RunState{}
	meta, header, err := r.client.call(ctx, req, out)
	wm := &WriteMeta{}
	if meta != nil {
		wm.Meta = *meta
	}
	if err != nil {
		return nil, wm, err
	}
	wm.Location = header.Get("Location")
	return out, wm, nil
}

// Info returns the state of run id (RunState.Job) of the app.
func (r *Runs) Info(ctx context.Context, ns, app, id string) (*RunState, *Meta, error) {
	if id == "" {
		return nil, nil, errors.New("skiff: a run ID is required")
	}
	p, err := appPath(ns, app, "runs", url.PathEscape(id))
	if err != nil {
		return nil, nil, err
	}
	out := &RunState{}
	meta, _, err := r.client.call(ctx, newRequest(http.MethodGet, p), out)
	if err != nil {
		return nil, meta, err
	}
	return out, meta, nil
}

// Wait polls run id every interval (0: one second) until it ended or ctx is done, and returns its last
// state. On ctx's end it returns the last state read with ctx's error.
func (r *Runs) Wait(ctx context.Context, ns, app, id string, interval time.Duration) (*RunState, *Meta, error) {
	if interval <= 0 {
		interval = time.Second
	}
	for {
		st, meta, err := r.Info(ctx, ns, app, id)
		if err != nil || st.Ended() {
			return st, meta, err
		}
		if !sleep(ctx, interval) {
			return st, meta, ctx.Err()
		}
	}
}

// Functions is the handle of the app's functions (processes dispatched with a payload).
type Functions struct {
	client *Client
}

// Functions returns the handle of functions.
func (c *Client) Functions() *Functions { return &Functions{client: c} }

// Dispatch runs function fn of the app once with payload (may be nil) and the dispatch meta the function
// declares, and returns the dispatched job's ID; it does not wait for the run.
func (f *Functions) Dispatch(ctx context.Context, ns, app, fn string, payload []byte, meta map[string]string) (string, *Meta, error) {
	if fn == "" {
		return "", nil, errors.New("skiff: a function name is required")
	}
	p, err := appPath(ns, app, "functions", url.PathEscape(fn), "dispatch")
	if err != nil {
		return "", nil, err
	}
	req := newRequest(http.MethodPost, p)
	req.body = struct {
		Payload []byte            `json:"payload,omitempty"` // encoding/json sends bytes as base64
		Meta    map[string]string `json:"meta,omitempty"`
	}{payload, meta}
	var out struct {
		Job string `json:"job"`
	}
	m, _, err := f.client.call(ctx, req, &out)
	if err != nil {
		return "", m, err
	}
	return out.Job, m, nil
}

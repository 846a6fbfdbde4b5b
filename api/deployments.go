package api

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// Deployments is the handle of deployments: deploying a spec, following, cancelling and promoting it.
type Deployments struct {
	client *Client
}

// Deployments returns the handle of deployments.
func (c *Client) Deployments() *Deployments { return &Deployments{client: c} }

// DeployOptions are the options of a deploy. The zero value (or nil) deploys and lets the server watch.
type DeployOptions struct {
	// IdempotencyKey makes the request safe to retry: a retry with the same key returns the first request's
	// deployment instead of deploying again. At most 128 characters.
	IdempotencyKey string
	// IfMatch, when not nil, is the live release the caller planned against (Plan.Release; 0 for an app
	// never deployed): if another release is live the server refuses with 412 (IsPreconditionFailed).
	IfMatch *int
	// Detach asks the server not to watch the Nomad deployments: the release stays deploying until a reader
	// (Info, Status, a later deploy) resolves it from Nomad.
	Detach bool
	// LockTimeout is how long the server waits for another deploy of the app to finish (0: answer 409 locked
	// at once; at most 10 minutes). The client's request timeout must be longer.
	LockTimeout time.Duration
}

// RollbackOptions are the options of a rollback.
type RollbackOptions struct {
	// IdempotencyKey, IfMatch and LockTimeout are as in DeployOptions.
	IdempotencyKey string
	IfMatch        *int
	LockTimeout    time.Duration
}

// Int returns a pointer to n, for DeployOptions.IfMatch.
func Int(n int) *int { return &n }

// Create deploys spec as app app in namespace ns. The server answers once the release is recorded, before
// Nomad rolls it out: follow it with Events, or poll Info. changed is false (and the Deployment nil, unless
// an idempotent retry found the first request's) when the spec matches the live release and nothing was
// applied. A spec error is an *APIError with code spec_invalid; another deploy of the app running is one
// for which IsLocked is true.
func (d *Deployments) Create(ctx context.Context, ns, app string, spec *Spec, opts *DeployOptions) (*Deployment, bool, *WriteMeta, error) {
	p, err := appPath(ns, app, "deployments")
	if err != nil {
		return nil, false, nil, err
	}
	if opts == nil {
		opts = &DeployOptions{}
	}
	r := newRequest(http.MethodPost, p)
	r.body = spec
	setWriteHeaders(r, opts.IdempotencyKey, opts.IfMatch)
	if opts.Detach {
		r.query.Set("detach", "true")
	}
	if opts.LockTimeout > 0 {
		r.query.Set("lock_timeout", opts.LockTimeout.String())
	}
	return d.client.write(ctx, r)
}

// setWriteHeaders sets Idempotency-Key and If-Match.
func setWriteHeaders(r *request, key string, ifMatch *int) {
	if key != "" {
		r.header.Set("Idempotency-Key", key)
	}
	if ifMatch != nil {
		r.header.Set("If-Match", strconv.Itoa(*ifMatch))
	}
}

// write sends a deploy or a rollback and decodes its answer.
func (c *Client) write(ctx context.Context, r *request) (*Deployment, bool, *WriteMeta, error) {
	var out struct {
		Changed    bool        `json:"changed"`
		Deployment *Deployment `json:"deployment,omitempty"`
		Notes      []string    `json:"notes,omitempty"`
	}
	meta, header, err := c.call(ctx, r, &out)
	wm := &WriteMeta{}
	if meta != nil {
		wm.Meta = *meta
	}
	if err != nil {
		return nil, false, wm, err
	}
	wm.Location, wm.Notes = header.Get("Location"), out.Notes
	return out.Deployment, out.Changed, wm, nil
}

// Info returns deployment id (the release number) of the app: its state and the progress the server saw.
// A release the server does not run any more is resolved from Nomad first.
func (d *Deployments) Info(ctx context.Context, ns, app string, id int) (*Deployment, *Meta, error) {
	return d.get(ctx, http.MethodGet, ns, app, id)
}

// Cancel stops a running deployment: Nomad fails it and every job returns to the live release. It returns the
// deployment as it is right after; one with nothing left to cancel gives an error for which IsConflict is
// true.
func (d *Deployments) Cancel(ctx context.Context, ns, app string, id int) (*Deployment, *Meta, error) {
	return d.get(ctx, http.MethodPost, ns, app, id, "actions", "cancel")
}

// Promote promotes the canaries of a deployment that waits for manual promotion, and answers once the
// promoted deployment finished.
func (d *Deployments) Promote(ctx context.Context, ns, app string, id int) (*Deployment, *Meta, error) {
	return d.get(ctx, http.MethodPost, ns, app, id, "actions", "promote")
}

func (d *Deployments) get(ctx context.Context, method, ns, app string, id int, rest ...string) (*Deployment, *Meta, error) {
	p, err := releasePath(ns, app, "deployments", id, rest...)
	if err != nil {
		return nil, nil, err
	}
	out := &Deployment{}
	meta, _, err := d.client.call(ctx, newRequest(method, p), out)
	if err != nil {
		return nil, meta, err
	}
	return out, meta, nil
}

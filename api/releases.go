package api

import (
	"context"
	"iter"
	"net/http"
	"strconv"
)

// Releases is the handle of an app's releases: its history, one release, and rollbacks.
type Releases struct {
	client *Client
}

// Releases returns the handle of releases.
func (c *Client) Releases() *Releases { return &Releases{client: c} }

// ListOptions select one page of releases.
type ListOptions struct {
	// Cursor returns releases older than this number: the Next of the previous page (0: the newest).
	Cursor int
	// Limit is the page size, 1 to 100 (0: the server's default, 20).
	Limit int
}

// ReleasePage is one page of releases, newest first.
type ReleasePage struct {
	Releases []*Release `json:"releases"`
	// Next is the Cursor of the next page; 0 on the last page.
	Next int `json:"next,omitempty"`
}

// List returns one page of the app's releases, newest first (opts may be nil). An app without releases has an
// empty page, not an error.
func (r *Releases) List(ctx context.Context, ns, app string, opts *ListOptions) (*ReleasePage, *Meta, error) {
	p, err := appPath(ns, app, "releases")
	if err != nil {
		return nil, nil, err
	}
	req := newRequest(http.MethodGet, p)
	if opts != nil {
		if opts.Cursor > 0 {
			req.query.Set("cursor", strconv.Itoa(opts.Cursor))
		}
		if opts.Limit > 0 {
			req.query.Set("limit", strconv.Itoa(opts.Limit))
		}
	}
	out := &ReleasePage{}
	meta, _, err := r.client.call(ctx, req, out)
	if err != nil {
		return nil, meta, err
	}
	if out.Releases == nil {
		out.Releases = []*Release{}
	}
	return out, meta, nil
}

// All iterates over every release of the app, newest first, reading pages of pageSize (0: the server's
// default) as the loop goes on. An error ends the iteration with (nil, err). Stopping the loop early reads no
// further page.
func (r *Releases) All(ctx context.Context, ns, app string, pageSize int) iter.Seq2[*Release, error] {
	return func(yield func(*Release, error) bool) {
		opts := &ListOptions{Limit: pageSize}
		for {
			page, _, err := r.List(ctx, ns, app, opts)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, rel := range page.Releases {
				if !yield(rel, nil) {
					return
				}
			}
			if page.Next == 0 || page.Next == opts.Cursor {
				return
			}
			opts.Cursor = page.Next
		}
	}
}

// Info returns release n of the app (resolved from Nomad first when no process applies it any more).
func (r *Releases) Info(ctx context.Context, ns, app string, n int) (*Release, *Meta, error) {
	p, err := releasePath(ns, app, "releases", n)
	if err != nil {
		return nil, nil, err
	}
	out := &Release{}
	meta, _, err := r.client.call(ctx, newRequest(http.MethodGet, p), out)
	if err != nil {
		return nil, meta, err
	}
	return out, meta, nil
}

// Rollback returns the app to release n — jobs, intentions and Vault roles — as a new release, and answers
// once that release is recorded, like Deployments.Create: follow it with Deployments().Events. changed is
// false when release n is what runs already (opts may be nil).
func (r *Releases) Rollback(ctx context.Context, ns, app string, n int, opts *RollbackOptions) (*Deployment, bool, *WriteMeta, error) {
	p, err := releasePath(ns, app, "releases", n, "actions", "rollback")
	if err != nil {
		return nil, false, nil, err
	}
	if opts == nil {
		opts = &RollbackOptions{}
	}
	req := newRequest(http.MethodPost, p)
	setWriteHeaders(req, opts.IdempotencyKey, opts.IfMatch)
	if opts.LockTimeout > 0 {
		req.query.Set("lock_timeout", opts.LockTimeout.String())
	}
	return r.client.write(ctx, req)
}

// FormationHandle is the handle of apps' process counts.
type FormationHandle struct {
	client *Client
}

// Formation returns the handle of process counts.
func (c *Client) Formation() *FormationHandle { return &FormationHandle{client: c} }

// Info returns the app's process counts as Nomad runs them.
func (f *FormationHandle) Info(ctx context.Context, ns, app string) (*Formation, *Meta, error) {
	p, err := appPath(ns, app, "formation")
	if err != nil {
		return nil, nil, err
	}
	out := &Formation{}
	meta, _, err := f.client.call(ctx, newRequest(http.MethodGet, p), out)
	if err != nil {
		return nil, meta, err
	}
	return out, meta, nil
}

// Update scales the named web and worker processes now (process → count; processes not named keep theirs)
// and returns the new formation. The counts survive later deploys, which do not reset them.
func (f *FormationHandle) Update(ctx context.Context, ns, app string, counts map[string]int) (*Formation, *Meta, error) {
	p, err := appPath(ns, app, "formation")
	if err != nil {
		return nil, nil, err
	}
	req := newRequest(http.MethodPatch, p)
	req.body = map[string]any{"counts": counts}
	out := &Formation{}
	meta, _, err := f.client.call(ctx, req, out)
	if err != nil {
		return nil, meta, err
	}
	return out, meta, nil
}

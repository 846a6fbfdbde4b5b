package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxErrorBody bounds how much of an error body is read.
const maxErrorBody = 1 << 20

// request is one API call before it is sent.
type request struct {
	method string
	path   string // under the base URL, starting with /v1
	query  url.Values
	header http.Header
	body   any // encoded as JSON when not nil
}

func newRequest(method, path string) *request {
	return &request{method: method, path: path, query: url.Values{}, header: http.Header{}}
}

// appPath returns the path of an app's resource, refusing empty names (which would name another route).
func appPath(ns, app string, rest ...string) (string, error) {
	if ns == "" || app == "" {
		return "", fmt.Errorf("skiff: a namespace and an app name are required (got %q, %q)", ns, app)
	}
	p := "/v1/namespaces/" + url.PathEscape(ns) + "/apps/" + url.PathEscape(app)
	for _, r := range rest {
		p += "/" + r
	}
	return p, nil
}

// releasePath returns the path of an app's release or deployment n (…/releases/n or …/deployments/n).
func releasePath(ns, app, kind string, n int, rest ...string) (string, error) {
	if n < 1 {
		return "", fmt.Errorf("skiff: release numbers start at 1 (got %d)", n)
	}
	return appPath(ns, app, append([]string{kind, strconv.Itoa(n)}, rest...)...)
}

// call sends r, bounded by the client's timeout, and decodes a 2xx body into out (when not nil). Any other
// status is an *APIError. The headers of the answer are returned for callers that read more than Meta.
func (c *Client) call(ctx context.Context, r *request, out any) (*Meta, http.Header, error) {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	begin := time.Now()
	resp, meta, err := c.send(ctx, r)
	if err != nil {
		meta.RequestTime = time.Since(begin)
		return meta, nil, err
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return meta, resp.Header, fmt.Errorf("skiff: %s %s (request %s): decoding the answer: %w",
				r.method, r.path, meta.RequestID, err)
		}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody)) // let the connection be reused
	meta.RequestTime = time.Since(begin)
	return meta, resp.Header, nil
}

// send sends r and returns the answer when its status is 2xx; the caller closes its body. Any other status
// is read and returned as an *APIError; a transport failure is wrapped with the method, path and request ID.
func (c *Client) send(ctx context.Context, r *request) (*http.Response, *Meta, error) {
	id := newRequestID()
	meta := &Meta{RequestID: id}
	u := *c.base
	u.Path = c.base.Path + r.path
	u.RawQuery = r.query.Encode()
	var body io.Reader
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, meta, fmt.Errorf("skiff: %s %s: encoding the body: %w", r.method, r.path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, meta, fmt.Errorf("skiff: %s %s: %w", r.method, r.path, err)
	}
	for k, vs := range r.header {
		req.Header[k] = vs
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Request-Id", id)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text repeats the URL, which the message below names
		}
		return nil, meta, fmt.Errorf("skiff: %s %s (request %s): %w", r.method, u.Redacted(), id, err)
	}
	if rid := resp.Header.Get("Request-Id"); rid != "" {
		meta.RequestID = rid
	}
	meta.StatusCode = resp.StatusCode
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		return nil, meta, readError(r, resp, meta)
	}
	return resp, meta, nil
}

// readError decodes an error answer. A body that is not the API's problem+json (a proxy's HTML page, say)
// still gives an *APIError with the status, and the start of the body as its detail.
func readError(r *request, resp *http.Response, meta *Meta) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e := &APIError{}
	ct := resp.Header.Get("Content-Type")
	if !strings.Contains(ct, "json") || json.Unmarshal(b, e) != nil || (e.StatusCode == 0 && len(e.Errors) == 0) {
		e = &APIError{Raw: true, Detail: strings.TrimSpace(string(b))}
		if len(e.Detail) > 512 {
			e.Detail = e.Detail[:512] + "…"
		}
	}
	e.StatusCode, e.Method, e.Path = resp.StatusCode, r.method, r.path
	if e.RequestID == "" {
		e.RequestID = meta.RequestID
	}
	if e.Title == "" {
		e.Title = http.StatusText(resp.StatusCode)
	}
	return e
}

// newRequestID returns an ID for the Request-Id header, so that even a request that got no answer can be
// found in the server's log.
func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "req_" + hex.EncodeToString(b)
}

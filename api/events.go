package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Kinds of deployment events.
const (
	// EventStep is a step of the apply (a job registered, a release task started, a job pruned).
	EventStep = "step"
	// EventProgress carries the per-group counts of a running deployment.
	EventProgress = "progress"
	// EventProblem is trouble seen while watching (an image that cannot be pulled, a failing check).
	EventProblem = "problem"
	// EventState is a change of the release's state, sent by a server that does not run the deployment.
	EventState = "state"
	// EventEnd is the last event of a stream: State and Reason say how the deployment ended.
	EventEnd = "end"
)

// Event is one progress event of a deployment.
type Event struct {
	// ID numbers the event within the deployment (from 1); pass the last one received as lastEventID to
	// resume.
	ID      int       `json:"id"`
	Time    time.Time `json:"time"`
	Kind    string    `json:"kind"`
	Job     string    `json:"job,omitempty"`
	Message string    `json:"message"`
	// Groups is the per-group progress of a progress event.
	Groups []GroupProgress `json:"groups,omitempty"`
	// Release is set on the step that recorded the release, and on the end event.
	Release int `json:"release,omitempty"`
	// Group and Alloc name, on a problem event, the task group and the first allocation with the cause.
	Group string `json:"group,omitempty"`
	Alloc string `json:"alloc,omitempty"`
	// State and Reason are set on state and end events: the release's state and why.
	State  string `json:"state,omitempty"`
	Reason string `json:"reason,omitempty"`

	// Err is set, and nothing else, on the last value of a stream that ended in an error: the server
	// stayed unreachable after the retries, or refused to resume.
	Err error `json:"-"`
}

// Reconnection of event streams: backoff from eventsRetryMin doubling to eventsRetryMax, and at most
// eventsMaxAttempts connections in a row that bring no event.
const (
	eventsRetryMin    = 250 * time.Millisecond
	eventsRetryMax    = 5 * time.Second
	eventsMaxAttempts = 8
)

// Events follows deployment id of the app as Server-Sent Events, from the event after lastEventID (0: from
// the start), and delivers them in order on the returned channel. The stream is followed to its end: after a
// dropped connection (a proxy timeout, a restarted server) it reconnects with Last-Event-ID and goes on
// without repeating or losing events. The channel is closed after the end event (Kind EventEnd), when ctx is
// done, or after an Event whose Err is set (the server unreachable for every retry, or an error answer to a
// reconnection). The caller must drain the channel or cancel ctx.
//
// An error answer to the first connection (IsNotFound for an unknown deployment) is returned at once.
func (d *Deployments) Events(ctx context.Context, ns, app string, id, lastEventID int) (<-chan *Event, error) {
	p, err := releasePath(ns, app, "deployments", id, "events")
	if err != nil {
		return nil, err
	}
	f := &follower{client: d.client, path: p, last: lastEventID, out: make(chan *Event, 16)}
	resp, err := f.connect(ctx)
	if err != nil {
		return nil, err
	}
	go f.run(ctx, resp)
	return f.out, nil
}

// follower is one followed event stream.
type follower struct {
	client *Client
	path   string
	last   int // the ID of the last event delivered
	out    chan *Event
}

// connect opens the stream after f.last.
func (f *follower) connect(ctx context.Context) (*http.Response, error) {
	r := newRequest(http.MethodGet, f.path)
	r.header.Set("Accept", "text/event-stream")
	r.header.Set("Cache-Control", "no-cache")
	if f.last > 0 {
		r.header.Set("Last-Event-ID", strconv.Itoa(f.last))
	}
	resp, _, err := f.client.send(ctx, r) // no timeout but ctx: the stream lasts as long as the deployment
	if err != nil {
		return nil, err
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		resp.Body.Close()
		return nil, fmt.Errorf("skiff: GET %s: the answer is %q, not an event stream", f.path, ct)
	}
	return resp, nil
}

// run delivers the events of resp and of every reconnection until the end event, ctx, or a final error.
func (f *follower) run(ctx context.Context, resp *http.Response) {
	defer close(f.out)
	failures := 0
	for {
		ended, got, err := f.consume(ctx, resp)
		if ended || ctx.Err() != nil {
			return
		}
		if errors.Is(err, errMalformed) {
			f.fail(ctx, err) // the same event would come again
			return
		}
		if got {
			failures = 0
		}
		for {
			failures++
			if failures > eventsMaxAttempts {
				f.fail(ctx, fmt.Errorf("skiff: following %s: gave up after %d attempts to resume after event %d: %w",
					f.path, eventsMaxAttempts, f.last, err))
				return
			}
			if !sleep(ctx, backoff(failures)) {
				return
			}
			resp, err = f.connect(ctx)
			if err == nil {
				break
			}
			if ctx.Err() != nil {
				return
			}
			if !retryable(err) {
				f.fail(ctx, err)
				return
			}
		}
	}
}

// consume reads one connection's events and closes it. It reports whether the end event came, whether any
// event came, and why the stream stopped otherwise.
func (f *follower) consume(ctx context.Context, resp *http.Response) (ended, got bool, err error) {
	defer resp.Body.Close()
	err = readSSE(resp.Body, func(m sseMessage) (bool, error) {
		e, err := decodeEvent(m)
		if err != nil {
			return false, err
		}
		if e.ID != 0 && e.ID <= f.last {
			return true, nil // already delivered
		}
		select {
		case f.out <- e:
		case <-ctx.Done():
			return false, nil
		}
		got = true
		if e.ID != 0 {
			f.last = e.ID
		}
		ended = e.Kind == EventEnd
		return !ended, nil
	})
	if err == nil && !ended {
		err = errors.New("the server closed the stream before the end event")
	}
	return ended, got, err
}

// fail delivers err as the stream's last value.
func (f *follower) fail(ctx context.Context, err error) {
	select {
	case f.out <- &Event{Err: err}:
	case <-ctx.Done():
	}
}

// retryable reports whether a failed reconnection may succeed later: transport errors, and answers a
// restarting server or its proxy gives (408, 429, 502, 503, 504).
func retryable(err error) bool {
	var e *APIError
	if !errors.As(err, &e) {
		return true
	}
	switch e.StatusCode {
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// backoff returns the wait before the n-th reconnection (n from 1).
func backoff(n int) time.Duration {
	d := eventsRetryMin
	for i := 1; i < n && d < eventsRetryMax; i++ {
		d *= 2
	}
	return min(d, eventsRetryMax)
}

// sleep waits d, or less when ctx ends first; it reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

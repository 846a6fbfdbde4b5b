package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Logs is the handle of processes' logs.
type Logs struct {
	client *Client
}

// Logs returns the handle of logs.
func (c *Client) Logs() *Logs { return &Logs{client: c} }

// LogsOptions select the logs of one process.
type LogsOptions struct {
	// Process names the process whose instances' logs to read. Required.
	Process string
	// Stderr reads stderr instead of stdout.
	Stderr bool
	// Tail is how many bytes of each instance's log to start from (0: the server's default, 4096).
	Tail int64
}

// LogLine is one line of a followed log; Err is set, and nothing else, on the last value of a stream that
// ended in an error.
type LogLine struct {
	// Text is the line, prefixed with its allocation by the server.
	Text string
	Err  error
}

func (l *Logs) request(ns, app string, opts *LogsOptions, follow bool) (*request, error) {
	if opts == nil || opts.Process == "" {
		return nil, errors.New("skiff: logs: a process is required")
	}
	p, err := appPath(ns, app, "logs")
	if err != nil {
		return nil, err
	}
	r := newRequest(http.MethodGet, p)
	r.query.Set("process", opts.Process)
	if opts.Stderr {
		r.query.Set("stderr", "true")
	}
	if opts.Tail > 0 {
		r.query.Set("tail", strconv.FormatInt(opts.Tail, 10))
	}
	if follow {
		r.query.Set("follow", "true")
		r.header.Set("Accept", "text/event-stream")
	}
	return r, nil
}

// Get returns the recent lines of the process's instances (empty, not nil, when there are none). An unknown
// app or process gives an error for which IsNotFound is true.
func (l *Logs) Get(ctx context.Context, ns, app string, opts *LogsOptions) ([]string, *Meta, error) {
	r, err := l.request(ns, app, opts, false)
	if err != nil {
		return nil, nil, err
	}
	var out struct {
		Lines []string `json:"lines"`
	}
	meta, _, err := l.client.call(ctx, r, &out)
	if err != nil {
		return nil, meta, err
	}
	if out.Lines == nil {
		out.Lines = []string{}
	}
	return out.Lines, meta, nil
}

// Follow streams the process's log: the tail, then new lines as they come, until ctx is done or the server
// ends the stream; then the channel is closed (after a LogLine with Err set when the stream broke). Unlike
// deployment events, a log stream is not resumed: the server numbers its lines per connection, and a new
// connection would repeat the tail. An error answer to the connection is returned at once.
func (l *Logs) Follow(ctx context.Context, ns, app string, opts *LogsOptions) (<-chan LogLine, error) {
	r, err := l.request(ns, app, opts, true)
	if err != nil {
		return nil, err
	}
	resp, _, err := l.client.send(ctx, r) // no timeout but ctx
	if err != nil {
		return nil, err
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		resp.Body.Close()
		return nil, fmt.Errorf("skiff: GET %s: the answer is %q, not an event stream", r.path, ct)
	}
	out := make(chan LogLine, 64)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		err := readSSE(resp.Body, func(m sseMessage) (bool, error) {
			line, err := decodeLogLine(m.Data)
			if err != nil {
				return false, err
			}
			select {
			case out <- LogLine{Text: line}:
				return true, nil
			case <-ctx.Done():
				return false, nil
			}
		})
		if err != nil && ctx.Err() == nil {
			select {
			case out <- LogLine{Err: fmt.Errorf("skiff: following the logs of %s: %w", opts.Process, err)}:
			case <-ctx.Done():
			}
		}
	}()
	return out, nil
}

package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/skiffpaas/skiff/api"
)

// testOperations runs the operations on the deployed app "shop": a one-off run to its exit code and
// output, the web process's logs (read and followed), and a function dispatch.
func testOperations(t *testing.T, c *api.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	run, meta, err := c.Runs().Create(ctx, "default", "shop", &api.RunOptions{Command: []string{"/app", "exit", "3"}})
	if err != nil || run.Job == "" || meta.StatusCode != 202 || !strings.HasSuffix(meta.Location, "/runs/"+run.Job) {
		t.Fatalf("run: %+v, %+v, %v", run, meta, err)
	}
	st, _, err := c.Runs().Wait(ctx, "default", "shop", run.Job, 250*time.Millisecond)
	if err != nil || st.Status != "failed" || st.ExitCode == nil || *st.ExitCode != 3 || !strings.Contains(st.Stdout, "exiting 3") {
		t.Fatalf("run ended %+v, %v", st, err)
	}
	if _, _, err := c.Runs().Info(ctx, "default", "shop", "shop-nosuch-run"); !api.IsNotFound(err) {
		t.Fatalf("an unknown run: %v", err)
	}

	lines, _, err := c.Logs().Get(ctx, "default", "shop", &api.LogsOptions{Process: "web"})
	if err != nil || !strings.Contains(strings.Join(lines, "\n"), "demoapp listening") {
		t.Fatalf("logs %q, %v", lines, err)
	}
	fctx, stop := context.WithCancel(ctx)
	ch, err := c.Logs().Follow(fctx, "default", "shop", &api.LogsOptions{Process: "web"})
	if err != nil {
		t.Fatal(err)
	}
	first := <-ch
	if first.Err != nil || !strings.Contains(first.Text, "demoapp listening") {
		t.Fatalf("first followed line %+v", first)
	}
	stop()
	for l := range ch { // closed once the client left
		if l.Err != nil {
			t.Fatalf("after cancel: %v", l.Err)
		}
	}
	if _, _, err := c.Logs().Get(ctx, "default", "shop", &api.LogsOptions{Process: "nope"}); !api.IsNotFound(err) {
		t.Fatalf("logs of an unknown process: %v", err)
	}

	job, _, err := c.Functions().Dispatch(ctx, "default", "shop", "thumb", []byte("img-42"), nil)
	if err != nil || !strings.Contains(job, "thumb") {
		t.Fatalf("dispatch: %q, %v", job, err)
	}
	_, _, err = c.Functions().Dispatch(ctx, "default", "shop", "web", nil, nil)
	if e := apiError(t, err); e.Code() != api.CodeBadRequest {
		t.Fatalf("dispatching a web process: %v", err)
	}
}

// TestFollowLogsDecodesQuotedLines serves the server's log stream format (data is a Go-quoted line, which
// may hold \x escapes JSON has not), with httptest, for lines the demo app does not print.
func TestFollowLogsDecodesQuotedLines(t *testing.T) {
	t.Parallel()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.URL.Path != "/v1/namespaces/default/apps/shop/logs" || q.Get("process") != "web" || q.Get("follow") != "true" ||
			q.Get("stderr") != "true" || q.Get("tail") != "100" {
			http.Error(w, "unexpected request "+r.URL.String(), http.StatusTeapot)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for i, line := range []string{"[a1b2] plain", "[a1b2] \x1b[31mred\x1b[0m \"quoted\"", "[a1b2] naïve\ttab"} {
			fmt.Fprintf(w, "id: %d\nevent: log\ndata: %q\n\n", i+1, line)
		}
		fmt.Fprint(w, "id: 4\nevent: log\ndata: [a1b2] not quoted\n\n")
	}))
	defer hs.Close()
	c := newClient(t, hs.URL, testToken)
	ch, err := c.Logs().Follow(context.Background(), "default", "shop", &api.LogsOptions{Process: "web", Stderr: true, Tail: 100})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var last api.LogLine
	for l := range ch {
		last = l
		if l.Err == nil {
			got = append(got, l.Text)
		}
	}
	want := []string{"[a1b2] plain", "[a1b2] \x1b[31mred\x1b[0m \"quoted\"", "[a1b2] naïve\ttab"}
	if !slices.Equal(got, want) || last.Err == nil || !strings.Contains(last.Err.Error(), "not a quoted string") {
		t.Fatalf("lines %q, last %+v", got, last)
	}
	if _, err := c.Logs().Follow(context.Background(), "default", "shop", nil); err == nil {
		t.Fatal("logs without a process were asked for")
	}
}

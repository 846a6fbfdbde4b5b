package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skiffpaas/skiff/api"
)

// These tests use httptest for what no real server does on demand: connections that drop mid-stream, a
// proxy's error page, a refused resumption. Following a real deployment's stream is in lifecycle_test.go.

const eventsPath = "/v1/namespaces/default/apps/shop/deployments/1/events"

// sseServer serves eventsPath with the handler of the n-th connection (from 0), recording each
// connection's Last-Event-ID.
type sseServer struct {
	mu    sync.Mutex
	conns []string
}

func (s *sseServer) start(t *testing.T, handlers ...func(w http.ResponseWriter, r *http.Request)) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc(eventsPath, func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		n := len(s.conns)
		s.conns = append(s.conns, r.Header.Get("Last-Event-ID"))
		s.mu.Unlock()
		if n >= len(handlers) {
			t.Errorf("connection %d: not expected", n+1)
			http.Error(w, "no more", http.StatusGone)
			return
		}
		handlers[n](w, r)
	})
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	return hs.URL
}

func (s *sseServer) lastEventIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.conns...)
}

// stream starts an event stream and sends the events with the given IDs (kind "end" for the IDs in ends).
func stream(w http.ResponseWriter, ids []int, ends ...int) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	for _, id := range ids {
		kind := "step"
		for _, e := range ends {
			if e == id {
				kind = "end"
			}
		}
		b, _ := json.Marshal(api.Event{ID: id, Kind: kind, Message: fmt.Sprintf("event %d", id), State: "succeeded"})
		fmt.Fprintf(w, ": keep-alive\nid: %d\nevent: %s\ndata: %s\n\n", id, kind, b)
	}
	w.(http.Flusher).Flush()
}

// collect reads the channel to its close.
func collect(t *testing.T, ch <-chan *api.Event) (ids []int, last *api.Event) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case e, ok := <-ch:
			if !ok {
				return ids, last
			}
			last = e
			if e.Err == nil {
				ids = append(ids, e.ID)
			}
		case <-timeout:
			t.Fatalf("the event channel was not closed; got %v", ids)
		}
	}
}

func TestEventsResumeAfterDroppedConnections(t *testing.T) {
	t.Parallel()
	var s sseServer
	addr := s.start(t,
		func(w http.ResponseWriter, r *http.Request) { stream(w, []int{1, 2}) }, // ends cleanly, before the end
		func(w http.ResponseWriter, r *http.Request) {
			stream(w, []int{2, 3})                                // repeats 2
			fmt.Fprint(w, "id: 4\nevent: step\ndata: {\"id\":4,") // cut mid-message
			w.(http.Flusher).Flush()
			conn, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			conn.Close() // the connection drops
		},
		func(w http.ResponseWriter, r *http.Request) { stream(w, []int{4, 5}, 5) },
	)
	ch, err := newClient(t, addr, testToken).Deployments().Events(context.Background(), "default", "shop", 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	ids, last := collect(t, ch)
	if got, want := fmt.Sprint(ids), "[1 2 3 4 5]"; got != want {
		t.Fatalf("events %s, want %s (each once, in order)", got, want)
	}
	if last.Kind != api.EventEnd || last.State != "succeeded" || last.Message != "event 5" {
		t.Fatalf("last event %+v", last)
	}
	if got, want := fmt.Sprint(s.lastEventIDs()), "[ 2 3]"; got != want {
		t.Fatalf("Last-Event-ID of the connections %s, want %s", got, want)
	}
}

func TestEventsStartAfterLastEventID(t *testing.T) {
	t.Parallel()
	var s sseServer
	addr := s.start(t, func(w http.ResponseWriter, r *http.Request) { stream(w, []int{8, 9}, 9) })
	ch, err := newClient(t, addr, testToken).Deployments().Events(context.Background(), "default", "shop", 1, 7)
	if err != nil {
		t.Fatal(err)
	}
	if ids, _ := collect(t, ch); fmt.Sprint(ids) != "[8 9]" || s.lastEventIDs()[0] != "7" {
		t.Fatalf("events %v after Last-Event-ID %v", ids, s.lastEventIDs())
	}
}

func TestEventsRefusedResumptionEndsWithAnError(t *testing.T) {
	t.Parallel()
	var s sseServer
	addr := s.start(t,
		func(w http.ResponseWriter, r *http.Request) { stream(w, []int{1}) },
		func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"status":404,"title":"Not Found","detail":"gone","request_id":"req_x",`+
				`"errors":[{"code":"not_found","detail":"app \"shop\" has no release 1"}]}`)
		},
	)
	ch, err := newClient(t, addr, testToken).Deployments().Events(context.Background(), "default", "shop", 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	ids, last := collect(t, ch)
	if fmt.Sprint(ids) != "[1]" || last.Err == nil || !api.IsNotFound(last.Err) {
		t.Fatalf("events %v, last %+v: want event 1 then a not_found error", ids, last)
	}
	if e := apiError(t, last.Err); e.RequestID != "req_x" || !strings.Contains(e.Error(), "has no release 1") {
		t.Fatalf("error %v", e)
	}
}

func TestEventsFirstConnection(t *testing.T) {
	t.Parallel()
	var s sseServer
	release := make(chan struct{})
	addr := s.start(t,
		func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "<html>bad gateway</html>", http.StatusBadGateway)
		},
		func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"not":"a stream"}`)) },
		func(w http.ResponseWriter, r *http.Request) {
			stream(w, []int{1})
			select { // hold the stream open until the client leaves
			case <-r.Context().Done():
			case <-release:
			}
		},
	)
	defer close(release)
	c := newClient(t, addr, testToken)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	_, err := c.Deployments().Events(ctx, "default", "shop", 1, 0)
	if e := apiError(t, err); !e.Raw || e.StatusCode != 502 || !strings.Contains(e.Detail, "bad gateway") || api.IsNotFound(err) {
		t.Fatalf("a proxy's error page: %#v", e)
	}
	if _, err := c.Deployments().Events(ctx, "default", "shop", 1, 0); err == nil || !strings.Contains(err.Error(), "not an event stream") {
		t.Fatalf("a JSON answer: err = %v", err)
	}
	ch, err := c.Deployments().Events(ctx, "default", "shop", 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if e := <-ch; e.ID != 1 {
		t.Fatalf("first event %+v", e)
	}
	cancel()
	if ids, last := collect(t, ch); len(ids) != 0 || last != nil {
		t.Fatalf("after cancel: %v %+v, want the channel closed", ids, last)
	}
	if _, err := c.Deployments().Events(ctx, "default", "", 1, 0); err == nil {
		t.Fatal("an empty app name was accepted")
	}
}

func TestEventsMalformedEventEndsTheStream(t *testing.T) {
	t.Parallel()
	var s sseServer
	addr := s.start(t, func(w http.ResponseWriter, r *http.Request) {
		stream(w, []int{1})
		fmt.Fprint(w, "id: 2\nevent: step\ndata: {not json\n\n")
	})
	ch, err := newClient(t, addr, testToken).Deployments().Events(context.Background(), "default", "shop", 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	ids, last := collect(t, ch)
	if fmt.Sprint(ids) != "[1]" || last.Err == nil || !strings.Contains(last.Err.Error(), "not an event") {
		t.Fatalf("events %v, last %+v: want event 1, then an error", ids, last)
	}
	if n := len(s.lastEventIDs()); n != 1 {
		t.Fatalf("%d connections: a malformed event must not be retried", n)
	}
}

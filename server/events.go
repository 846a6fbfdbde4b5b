package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humagin"

	"github.com/skiffpaas/skiff/planner/release"
)

// eventsInput follows one deployment's events.
type eventsInput struct {
	Namespace   string `path:"namespace" pattern:"^[a-z0-9][a-z0-9-]{0,62}$" doc:"The app's namespace (tenant)"`
	App         string `path:"app" pattern:"^[a-z0-9][a-z0-9-]{0,62}$" doc:"The app's name"`
	ID          int    `path:"id" minimum:"1" doc:"The release number"`
	LastEventID int    `header:"Last-Event-ID" minimum:"0" doc:"Resume after this event (the id of the last event received)"`
}

// recordPoll is how often a deployment this server does not run (it restarted, or another server runs it) is
// re-read from its release record while it is not final.
const recordPoll = time.Second

func (s *Server) registerEvents() {
	schema := s.api.OpenAPI().Components.Schemas.Schema(reflectEvent, true, "Event")
	huma.Register(s.api, huma.Operation{OperationID: "deployment-events", Method: http.MethodGet,
		Path:    "/v1/namespaces/{namespace}/apps/{app}/deployments/{id}/events",
		Summary: "A deployment's progress as Server-Sent Events, to its end; resumes after Last-Event-ID",
		Description: "Each message is `id: <n>`, `event: <kind>` (step, progress, problem, state, end) and `data: <Event JSON>`. " +
			"A server that restarted (or does not run the deployment) sends the release's state as it changes, " +
			"numbered after Last-Event-ID, until it is final.",
		Tags: []string{"deployments"},
		Responses: map[string]*huma.Response{"200": {Description: "The event stream",
			Content: map[string]*huma.MediaType{"text/event-stream": {Schema: schema}}}}},
		func(ctx context.Context, in *eventsInput) (*huma.StreamResponse, error) {
			if _, err := s.deployment(ctx, appPath{Namespace: in.Namespace, App: in.App}, in.ID); err != nil {
				return nil, err
			}
			return &huma.StreamResponse{Body: func(hctx huma.Context) {
				c := humagin.Unwrap(hctx)
				c.Header("Content-Type", "text/event-stream")
				c.Header("Cache-Control", "no-cache")
				c.Status(http.StatusOK)
				w := &sseWriter{write: func(b []byte) error { _, err := c.Writer.Write(b); c.Writer.Flush(); return err }}
				if r := s.runs.get(in.Namespace, in.App, in.ID); r != nil {
					s.streamRun(ctx, r, in.LastEventID, w)
					return
				}
				s.streamRecord(ctx, appPath{Namespace: in.Namespace, App: in.App}, in.ID, in.LastEventID, w)
			}}, nil
		})
}

var reflectEvent = reflectTypeOf(Event{})

// sseWriter writes Server-Sent Events.
type sseWriter struct {
	write func([]byte) error
}

func (w *sseWriter) send(e Event) error {
	kind := string(e.Kind)
	if kind == "" {
		kind = "message"
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return w.write([]byte(fmt.Sprintf("id: %d\nevent: %s\ndata: %s\n\n", e.ID, kind, b)))
}

// streamRun sends the events of a run this server runs, after last, until it is done or the client leaves.
func (s *Server) streamRun(ctx context.Context, r *run, last int, w *sseWriter) {
	for {
		events, done, wake := r.since(last)
		for _, e := range events {
			if err := w.send(e); err != nil {
				return
			}
			last = e.ID
		}
		if done {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-time.After(keepAlive):
			if err := w.write([]byte(": keep-alive\n\n")); err != nil {
				return
			}
		}
	}
}

// keepAlive is how often a quiet event stream sends an SSE comment, so that clients and proxies can tell a
// quiet deployment from a dead connection.
const keepAlive = 15 * time.Second

// streamRecord follows a deployment from its release record: one "state" event per state change, numbered
// after last, and an "end" event when the release is final.
func (s *Server) streamRecord(ctx context.Context, p appPath, n, last int, w *sseWriter) {
	prev := ""
	for {
		d, err := s.deployment(ctx, p, n)
		if err != nil {
			return
		}
		rec := d.Release
		if key := string(rec.State) + rec.Phase + rec.Reason; key != prev {
			prev = key
			last++
			kind := "state"
			if rec.State.Final() {
				kind = "end"
			}
			e := Event{ID: last, State: string(rec.State), Reason: rec.Reason}
			e.Time, e.Kind, e.Release = rec.UpdatedAt, eventKind(kind), rec.Number
			e.Message = fmt.Sprintf("release %d is %s", rec.Number, rec.State)
			if rec.Phase != "" && rec.State == release.Deploying {
				e.Message += " (" + rec.Phase + ")"
			}
			if err := w.send(e); err != nil || rec.State.Final() {
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(recordPoll):
		}
	}
}

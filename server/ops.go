package server

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humagin"

	"github.com/skiffpaas/skiff/edge"
	"github.com/skiffpaas/skiff/planner"
)

// logsInput selects the logs of a process.
type logsInput struct {
	Namespace string `path:"namespace" pattern:"^[a-z0-9][a-z0-9-]{0,62}$" doc:"The app's namespace (tenant)"`
	App       string `path:"app" pattern:"^[a-z0-9][a-z0-9-]{0,62}$" doc:"The app's name"`
	Process   string `query:"process" required:"true" doc:"The process whose instances' logs to read"`
	Stderr    bool   `query:"stderr" doc:"Read stderr instead of stdout"`
	Follow    bool   `query:"follow" doc:"Stream new lines as Server-Sent Events (event: log) until the client leaves"`
	Tail      int64  `query:"tail" minimum:"0" maximum:"1048576" doc:"Bytes of each instance's log to start from (default 4096)"`
}

// LogsBody is a process's recent log lines, each prefixed with its allocation.
type LogsBody struct {
	Lines []string `json:"lines"`
}

// dispatchInput dispatches a function.
type dispatchInput struct {
	Namespace string `path:"namespace" pattern:"^[a-z0-9][a-z0-9-]{0,62}$" doc:"The app's namespace (tenant)"`
	App       string `path:"app" pattern:"^[a-z0-9][a-z0-9-]{0,62}$" doc:"The app's name"`
	Function  string `path:"fn" doc:"The function process"`
	// IdempotencyKey makes a retried request return the child of the first dispatch.
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"128" doc:"A retried request with the same key returns the first one's run"`
	Body           struct {
		Payload string            `json:"payload,omitempty" contentEncoding:"base64" doc:"The payload, base64-encoded"`
		Meta    map[string]string `json:"meta,omitempty" doc:"Dispatch meta the function declares"`
	}
}

// DispatchBody names the dispatched run.
type DispatchBody struct {
	Job string `json:"job" doc:"The dispatched child job's ID"`
}

func (s *Server) registerOps() {
	huma.Register(s.api, huma.Operation{OperationID: "get-logs", Method: http.MethodGet,
		Path: "/v1/namespaces/{namespace}/apps/{app}/logs", Summary: "A process's logs; Server-Sent Events with follow=true",
		Tags: []string{"operations"}, Responses: s.logResponses()},
		func(ctx context.Context, in *logsInput) (*huma.StreamResponse, error) {
			if _, err := s.stack.Process(ctx, in.Namespace, in.App, in.Process); err != nil {
				return nil, apiError(http.StatusNotFound, CodeNotFound, err.Error())
			}
			opts := planner.LogsOptions{Follow: in.Follow, Stderr: in.Stderr, Tail: in.Tail}
			return &huma.StreamResponse{Body: func(hctx huma.Context) {
				c := humagin.Unwrap(hctx)
				if !in.Follow {
					var b strings.Builder
					err := s.stack.Logs(ctx, in.Namespace, in.App, in.Process, opts, &b)
					if err != nil {
						writeError(c, fromLibrary(err))
						return
					}
					lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
					if b.Len() == 0 {
						lines = []string{}
					}
					c.JSON(http.StatusOK, LogsBody{Lines: lines})
					return
				}
				c.Header("Content-Type", "text/event-stream")
				c.Header("Cache-Control", "no-cache")
				c.Status(http.StatusOK)
				c.Writer.Flush()
				pr, pw := io.Pipe()
				go func() { pw.CloseWithError(s.stack.Logs(ctx, in.Namespace, in.App, in.Process, opts, pw)) }()
				var mu sync.Mutex
				id := 0
				sc := bufio.NewScanner(pr)
				for sc.Scan() {
					mu.Lock()
					id++
					line, _ := json.Marshal(sc.Text())
					fmt.Fprintf(c.Writer, "id: %d\nevent: log\ndata: %s\n\n", id, line)
					c.Writer.Flush()
					mu.Unlock()
				}
			}}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "dispatch-function", Method: http.MethodPost,
		Path: "/v1/namespaces/{namespace}/apps/{app}/functions/{fn}/dispatch", DefaultStatus: http.StatusAccepted,
		Summary: "Run a function once with a payload and meta", Tags: []string{"operations"}},
		func(ctx context.Context, in *dispatchInput) (*struct{ Body DispatchBody }, error) {
			payload, err := base64.StdEncoding.DecodeString(in.Body.Payload)
			if err != nil {
				return nil, apiError(http.StatusBadRequest, CodeBadRequest, "payload must be base64: "+err.Error())
			}
			id, err := s.stack.DispatchKeyed(ctx, in.Namespace, in.App, in.Function, payload, in.Body.Meta, in.IdempotencyKey)
			if err != nil {
				return nil, invalidOr(err)
			}
			return &struct{ Body DispatchBody }{Body: DispatchBody{Job: id}}, nil
		})
}

// logResponses documents the logs operation's two answers: JSON lines, or an event stream when following.
func (s *Server) logResponses() map[string]*huma.Response {
	schema := s.api.OpenAPI().Components.Schemas.Schema(reflectTypeOf(LogsBody{}), true, "LogsBody")
	return map[string]*huma.Response{"200": {Description: "The lines (JSON), or with follow=true an event stream of lines",
		Content: map[string]*huma.MediaType{"application/json": {Schema: schema},
			"text/event-stream": {Schema: &huma.Schema{Type: "string"}}}}}
}

// RoutesBody is an app's routes next to Fabio's table.
type RoutesBody struct {
	Routes []edge.RouteState `json:"routes"`
	// Drifted counts routes whose state differs from the desired one.
	Drifted int `json:"drifted"`
}

func (s *Server) registerRoutes() {
	huma.Register(s.api, huma.Operation{OperationID: "get-routes", Method: http.MethodGet,
		Path: "/v1/namespaces/{namespace}/apps/{app}/routes", Summary: "An app's routes next to Fabio's live table, with drift",
		Tags: []string{"operations"}},
		func(ctx context.Context, in *appPath) (*struct{ Body RoutesBody }, error) {
			states, err := s.stack.Routes(ctx, in.Namespace, in.App)
			if err != nil {
				return nil, invalidOr(err)
			}
			out := &struct{ Body RoutesBody }{Body: RoutesBody{Routes: states}}
			if out.Body.Routes == nil {
				out.Body.Routes = []edge.RouteState{}
			}
			for _, st := range states {
				if len(st.Drift) > 0 {
					out.Body.Drifted++
				}
			}
			return out, nil
		})
}

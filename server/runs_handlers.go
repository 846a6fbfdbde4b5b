package server

import (
	"context"
	"fmt"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/skiffpaas/skiff/planner"
)

// runInput starts a one-off run.
type runInput struct {
	Namespace string `path:"namespace" pattern:"^[a-z0-9][a-z0-9-]{0,62}$" doc:"The app's namespace (tenant)"`
	App       string `path:"app" pattern:"^[a-z0-9][a-z0-9-]{0,62}$" doc:"The app's name"`
	// IdempotencyKey makes a retried request return the run the first one started.
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"128" doc:"A retried request with the same key returns the first one's run"`
	Body           struct {
		Command []string `json:"command" minItems:"1" doc:"The command and its arguments"`
		Process string   `json:"process,omitempty" doc:"The process whose image, env and resources the run takes (default: the first web or worker)"`
	}
}

// runPath names one run.
type runPath struct {
	Namespace string `path:"namespace" pattern:"^[a-z0-9][a-z0-9-]{0,62}$" doc:"The app's namespace (tenant)"`
	App       string `path:"app" pattern:"^[a-z0-9][a-z0-9-]{0,62}$" doc:"The app's name"`
	ID        string `path:"id" doc:"The run's job ID"`
}

// RunOutput answers a started run: 202 and its Location.
type RunOutput struct {
	Location string `header:"Location"`
	Body     *planner.RunState
}

func (s *Server) registerRuns() {
	huma.Register(s.api, huma.Operation{OperationID: "create-run", Method: http.MethodPost,
		Path: "/v1/namespaces/{namespace}/apps/{app}/runs", DefaultStatus: http.StatusAccepted,
		Summary: "Start a one-off run with the app's image, env and resources", Tags: []string{"operations"}},
		func(ctx context.Context, in *runInput) (*RunOutput, error) {
			id, err := s.stack.StartRunKeyed(ctx, in.Namespace, in.App, in.Body.Process, in.Body.Command, in.IdempotencyKey)
			if err != nil {
				return nil, invalidOr(err)
			}
			return &RunOutput{Location: fmt.Sprintf("/v1/namespaces/%s/apps/%s/runs/%s", in.Namespace, in.App, id),
				Body: &planner.RunState{Job: id, Status: "pending"}}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "get-run", Method: http.MethodGet,
		Path: "/v1/namespaces/{namespace}/apps/{app}/runs/{id}", Summary: "A run's state; once it ended, its exit code and output",
		Tags: []string{"operations"}},
		func(ctx context.Context, in *runPath) (*struct{ Body *planner.RunState }, error) {
			st, err := s.stack.RunStatus(ctx, in.Namespace, in.App, in.ID)
			if err != nil {
				return nil, fromLibrary(err)
			}
			return &struct{ Body *planner.RunState }{Body: st}, nil
		})
}

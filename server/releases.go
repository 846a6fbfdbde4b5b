package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"github.com/skiffpaas/skiff/planner"
)

// releasesInput lists releases page by page.
type releasesInput struct {
	Namespace string `path:"namespace" pattern:"^[a-z0-9][a-z0-9-]{0,62}$" doc:"The app's namespace (tenant)"`
	App       string `path:"app" pattern:"^[a-z0-9][a-z0-9-]{0,62}$" doc:"The app's name"`
	Cursor    int    `query:"cursor" minimum:"0" doc:"Return releases older than this number (the next of the previous page)"`
	Limit     int    `query:"limit" minimum:"1" maximum:"100" default:"20" doc:"Releases per page"`
}

// ReleasesBody is one page of releases, newest first.
type ReleasesBody struct {
	Releases []*planner.Release `json:"releases"`
	// Next is the cursor of the next page; absent on the last page.
	Next int `json:"next,omitempty"`
}

// rollbackInput rolls an app back to a release.
type rollbackInput struct {
	Namespace      string `path:"namespace" pattern:"^[a-z0-9][a-z0-9-]{0,62}$" doc:"The app's namespace (tenant)"`
	App            string `path:"app" pattern:"^[a-z0-9][a-z0-9-]{0,62}$" doc:"The app's name"`
	ID             int    `path:"id" minimum:"1" doc:"The release number"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"128" doc:"A retried request with the same key returns the first one's deployment"`
	IfMatch        string `header:"If-Match" doc:"The live release the client saw (a number); another live release gives 412"`
	LockTimeout    string `query:"lock_timeout" doc:"Wait this long (a Go duration, at most 10m) for another deploy of the app to finish instead of answering 409 locked"`
}

// Formation is an app's process counts.
type Formation struct {
	Processes []FormationEntry `json:"processes"`
}

// FormationEntry is one process's count.
type FormationEntry struct {
	Process string `json:"process"`
	Kind    string `json:"kind"`
	Count   int    `json:"count"`
}

// formationPatch sets counts of web and worker processes.
type formationPatch struct {
	Namespace string `path:"namespace" pattern:"^[a-z0-9][a-z0-9-]{0,62}$" doc:"The app's namespace (tenant)"`
	App       string `path:"app" pattern:"^[a-z0-9][a-z0-9-]{0,62}$" doc:"The app's name"`
	Body      struct {
		Counts map[string]int `json:"counts" doc:"Process name → instance count (web and worker processes)"`
	}
}

func (s *Server) registerReleases() {
	huma.Register(s.api, huma.Operation{OperationID: "list-releases", Method: http.MethodGet,
		Path: "/v1/namespaces/{namespace}/apps/{app}/releases", Summary: "An app's releases, newest first, with their states",
		Tags: []string{"releases"}},
		func(ctx context.Context, in *releasesInput) (*struct{ Body ReleasesBody }, error) {
			rs, err := s.stack.History(ctx, in.Namespace, in.App)
			if err != nil {
				return nil, fromLibrary(err)
			}
			out := &struct{ Body ReleasesBody }{Body: ReleasesBody{Releases: []*planner.Release{}}}
			for _, r := range rs {
				if in.Cursor > 0 && r.Number >= in.Cursor {
					continue
				}
				if len(out.Body.Releases) == in.Limit {
					out.Body.Next = out.Body.Releases[len(out.Body.Releases)-1].Number
					break
				}
				out.Body.Releases = append(out.Body.Releases, r)
			}
			return out, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "get-release", Method: http.MethodGet,
		Path: "/v1/namespaces/{namespace}/apps/{app}/releases/{id}", Summary: "One release", Tags: []string{"releases"}},
		func(ctx context.Context, in *deploymentPath) (*struct{ Body *planner.Release }, error) {
			d, err := s.deployment(ctx, appPath{Namespace: in.Namespace, App: in.App}, in.ID)
			if err != nil {
				return nil, err
			}
			return &struct{ Body *planner.Release }{Body: d.Release}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "rollback", Method: http.MethodPost,
		Path: "/v1/namespaces/{namespace}/apps/{app}/releases/{id}/actions/rollback", DefaultStatus: http.StatusAccepted,
		Summary: "Roll back to a release (jobs, intentions, Vault roles) as a new release: 202 with its deployment",
		Tags:    []string{"releases"}},
		func(ctx context.Context, in *rollbackInput) (*DeploymentOutput, error) {
			opts := planner.DeployOptions{CreatedBy: "api", IdempotencyKey: in.IdempotencyKey}
			var err error
			if opts.LockTimeout, err = lockTimeout(in.LockTimeout); err != nil {
				return nil, err
			}
			if in.IfMatch != "" {
				n, err := strconv.Atoi(in.IfMatch)
				if err != nil {
					return nil, apiError(http.StatusBadRequest, CodeBadRequest, "If-Match must be a release number")
				}
				opts.IfLive = &n
			}
			st := s.runs.start(in.Namespace, in.App, opts, func(ctx context.Context, o planner.DeployOptions) (*planner.Result, error) {
				return s.stack.Rollback(ctx, in.Namespace, in.App, in.ID, o)
			})
			return s.answer(ctx, appPath{Namespace: in.Namespace, App: in.App}, st)
		})
	huma.Register(s.api, huma.Operation{OperationID: "get-formation", Method: http.MethodGet,
		Path: "/v1/namespaces/{namespace}/apps/{app}/formation", Summary: "An app's process counts", Tags: []string{"formation"}},
		func(ctx context.Context, in *appPath) (*struct{ Body Formation }, error) {
			f, err := s.formation(ctx, appPath{Namespace: in.Namespace, App: in.App})
			return &struct{ Body Formation }{Body: f}, err
		})
	huma.Register(s.api, huma.Operation{OperationID: "update-formation", Method: http.MethodPatch,
		Path: "/v1/namespaces/{namespace}/apps/{app}/formation", Summary: "Scale processes now; the counts survive deploys",
		Tags: []string{"formation"}},
		func(ctx context.Context, in *formationPatch) (*struct{ Body Formation }, error) {
			if err := s.stack.Scale(ctx, in.Namespace, in.App, in.Body.Counts); err != nil {
				return nil, invalidOr(err)
			}
			f, err := s.formation(ctx, appPath{Namespace: in.Namespace, App: in.App})
			return &struct{ Body Formation }{Body: f}, err
		})
}

func (s *Server) formation(ctx context.Context, p appPath) (Formation, error) {
	st, err := s.stack.Status(ctx, p.Namespace, p.App)
	if err != nil {
		return Formation{}, fromLibrary(err)
	}
	f := Formation{Processes: []FormationEntry{}}
	for _, ps := range st.Processes {
		f.Processes = append(f.Processes, FormationEntry{Process: ps.Name, Kind: ps.Kind, Count: ps.Desired})
	}
	return f, nil
}

// cancelError maps Cancel's errors: nothing to cancel is a conflict.
func cancelError(err error) error {
	var none *planner.NothingToCancelError
	if errors.As(err, &none) {
		return apiError(http.StatusConflict, CodeConflict, none.Error())
	}
	return fromLibrary(err)
}

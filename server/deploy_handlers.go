package server

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner"
)

// specInput is an operation on one app with a spec in the body.
type specInput struct {
	Namespace string `path:"namespace" pattern:"^[a-z0-9][a-z0-9-]{0,62}$" doc:"The app's namespace (tenant)"`
	App       string `path:"app" pattern:"^[a-z0-9][a-z0-9-]{0,62}$" doc:"The app's name"`
	Body      SpecBody
}

// PlanBody is the diff of a spec against the live stack.
type PlanBody struct {
	Plan     *planner.Plan `json:"plan"`
	Warnings []Diagnostic  `json:"warnings,omitempty"`
}

// deployInput is a deploy request.
type deployInput struct {
	Namespace      string `path:"namespace" pattern:"^[a-z0-9][a-z0-9-]{0,62}$" doc:"The app's namespace (tenant)"`
	App            string `path:"app" pattern:"^[a-z0-9][a-z0-9-]{0,62}$" doc:"The app's name"`
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"128" doc:"A retried request with the same key returns the first one's deployment"`
	IfMatch        string `header:"If-Match" doc:"The live release the client planned against (a number); another live release gives 412"`
	Detach         bool   `query:"detach" doc:"Do not watch the deployments: the release stays deploying until a reader resolves it from Nomad"`
	LockTimeout    string `query:"lock_timeout" doc:"Wait this long (a Go duration, at most 10m) for another deploy of the app to finish instead of answering 409 locked"`
	Body           SpecBody
}

// Deployment is a deploy or rollback: its release, state and progress.
type Deployment struct {
	ID        string           `json:"id" doc:"The release number"`
	Namespace string           `json:"namespace"`
	App       string           `json:"app"`
	State     string           `json:"state" enum:"pending,deploying,succeeded,failed,superseded"`
	Reason    string           `json:"reason,omitempty"`
	Release   *planner.Release `json:"release"`
	// Groups is the latest per-group progress this server saw (empty after a restart).
	Groups    []planner.GroupProgress `json:"groups,omitempty"`
	EventsURL string                  `json:"events_url"`
}

// DeploymentOutput answers a deploy: 202 with Location for a new release, 200 when nothing changed.
type DeploymentOutput struct {
	Status   int
	Location string `header:"Location"`
	Body     DeployResult
}

// DeployResult is the body of a deploy's answer.
type DeployResult struct {
	Changed    bool        `json:"changed" doc:"False when the spec matches the live release: nothing was applied"`
	Deployment *Deployment `json:"deployment,omitempty"`
	Notes      []string    `json:"notes,omitempty"`
}

// deploymentPath names one deployment.
type deploymentPath struct {
	Namespace string `path:"namespace" pattern:"^[a-z0-9][a-z0-9-]{0,62}$" doc:"The app's namespace (tenant)"`
	App       string `path:"app" pattern:"^[a-z0-9][a-z0-9-]{0,62}$" doc:"The app's name"`
	ID        int    `path:"id" minimum:"1" doc:"The release number"`
}

func (s *Server) registerDeploy() {
	huma.Register(s.api, huma.Operation{OperationID: "plan", Method: http.MethodPost,
		Path: "/v1/namespaces/{namespace}/apps/{app}/plan", Summary: "Diff a spec against the live stack (changes nothing)",
		Tags: []string{"deployments"}},
		func(ctx context.Context, in *specInput) (*struct{ Body PlanBody }, error) {
			app, warnings, err := s.appFor(appPath{Namespace: in.Namespace, App: in.App}, &in.Body)
			if err != nil {
				return nil, err
			}
			plan, err := s.stack.Plan(ctx, app)
			if err != nil {
				return nil, fromLibrary(err)
			}
			return &struct{ Body PlanBody }{Body: PlanBody{Plan: plan, Warnings: warnings}}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "create-deployment", Method: http.MethodPost,
		Path: "/v1/namespaces/{namespace}/apps/{app}/deployments", DefaultStatus: http.StatusAccepted,
		Summary: "Deploy a spec: 202 with the release's deployment once it is recorded", Tags: []string{"deployments"},
		Responses: s.nothingChanged()},
		func(ctx context.Context, in *deployInput) (*DeploymentOutput, error) {
			app, _, err := s.appFor(appPath{Namespace: in.Namespace, App: in.App}, &in.Body)
			if err != nil {
				return nil, err
			}
			opts := planner.DeployOptions{CreatedBy: "api", Detach: in.Detach, IdempotencyKey: in.IdempotencyKey}
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
				return s.stack.Deploy(ctx, app, o)
			})
			return s.answer(ctx, appPath{Namespace: in.Namespace, App: in.App}, st)
		})
	huma.Register(s.api, huma.Operation{OperationID: "get-deployment", Method: http.MethodGet,
		Path: "/v1/namespaces/{namespace}/apps/{app}/deployments/{id}", Summary: "A deployment's state and progress",
		Tags: []string{"deployments"}},
		func(ctx context.Context, in *deploymentPath) (*struct{ Body *Deployment }, error) {
			d, err := s.deployment(ctx, appPath{Namespace: in.Namespace, App: in.App}, in.ID)
			if err != nil {
				return nil, err
			}
			return &struct{ Body *Deployment }{Body: d}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "cancel-deployment", Method: http.MethodPost,
		Path: "/v1/namespaces/{namespace}/apps/{app}/deployments/{id}/actions/cancel", DefaultStatus: http.StatusAccepted,
		Summary: "Cancel a running deployment: Nomad stops it and every job returns to the live release", Tags: []string{"deployments"}},
		func(ctx context.Context, in *deploymentPath) (*struct{ Body *Deployment }, error) {
			if err := s.stack.Cancel(ctx, in.Namespace, in.App, in.ID); err != nil {
				return nil, cancelError(err)
			}
			d, err := s.deployment(ctx, appPath{Namespace: in.Namespace, App: in.App}, in.ID)
			return &struct{ Body *Deployment }{Body: d}, err
		})
	huma.Register(s.api, huma.Operation{OperationID: "promote-deployment", Method: http.MethodPost,
		Path: "/v1/namespaces/{namespace}/apps/{app}/deployments/{id}/actions/promote", DefaultStatus: http.StatusAccepted,
		Summary: "Promote the canaries of a deployment that waits for it", Tags: []string{"deployments"}},
		func(ctx context.Context, in *deploymentPath) (*struct{ Body *Deployment }, error) {
			d, err := s.deployment(ctx, appPath{Namespace: in.Namespace, App: in.App}, in.ID)
			if err != nil {
				return nil, err
			}
			if d.State != "deploying" {
				return nil, apiError(http.StatusConflict, CodeConflict, fmt.Sprintf("release %d is %s: only a deploying release waits for promotion", in.ID, d.State))
			}
			if err := s.stack.Promote(ctx, in.Namespace, in.App, planner.DeployOptions{}); err != nil {
				return nil, fromLibrary(err)
			}
			d, err = s.deployment(ctx, appPath{Namespace: in.Namespace, App: in.App}, in.ID)
			return &struct{ Body *Deployment }{Body: d}, err
		})
}

// maxLockTimeout bounds how long a request may wait for an app's deploy lock.
const maxLockTimeout = 10 * time.Minute

// lockTimeout parses the lock_timeout parameter ("" is 0: fail at once).
func lockTimeout(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d > maxLockTimeout {
		return 0, apiError(http.StatusBadRequest, CodeBadRequest, fmt.Sprintf("lock_timeout %q: want a duration from 0 to %s, such as 2m", s, maxLockTimeout))
	}
	return d, nil
}

// nothingChanged documents the 200 a deploy or rollback answers when the spec matches the live release.
func (s *Server) nothingChanged() map[string]*huma.Response {
	schema := s.api.OpenAPI().Components.Schemas.Schema(reflectTypeOf(DeployResult{}), true, "DeployResult")
	return map[string]*huma.Response{"200": {Description: "Nothing to change: the spec matches the live release",
		Content: map[string]*huma.MediaType{"application/json": {Schema: schema}}}}
}

// appFor parses the spec and checks that it is the app the URL names.
func (s *Server) appFor(p appPath, b *SpecBody) (app *jobspec.App, warnings []Diagnostic, err error) {
	app, warnings, err = b.parse()
	if err != nil {
		return nil, nil, err
	}
	if app.Name != p.App || app.Namespace != p.Namespace {
		return nil, nil, apiError(http.StatusUnprocessableEntity, CodeSpecInvalid, fmt.Sprintf(
			"the spec is app %q in namespace %q, but the URL names app %q in namespace %q", app.Name, app.Namespace, p.App, p.Namespace))
	}
	return app, warnings, nil
}

// answer turns what a started apply learned into the response: 202 and Location for a recorded release.
func (s *Server) answer(ctx context.Context, p appPath, st started) (*DeploymentOutput, error) {
	if st.err != nil {
		return nil, fromLibrary(st.err)
	}
	out := &DeploymentOutput{Status: http.StatusOK}
	n := st.release
	if n == 0 && st.result != nil && st.result.Release != nil {
		n = st.result.Release.Number // an idempotent retry: the earlier request's release
	}
	if st.result != nil {
		out.Body.Notes = st.result.Notes
	}
	if n == 0 {
		return out, nil // nothing to change
	}
	d, err := s.deployment(ctx, p, n)
	if err != nil {
		return nil, err
	}
	out.Status, out.Location = http.StatusAccepted, d.url()
	out.Body.Changed, out.Body.Deployment = true, d
	return out, nil
}

func (d *Deployment) url() string {
	return fmt.Sprintf("/v1/namespaces/%s/apps/%s/deployments/%s", d.Namespace, d.App, d.ID)
}

// deployment reads release n as a deployment: the record (resolved from Nomad when its process is gone) and
// the progress this server saw.
func (s *Server) deployment(ctx context.Context, p appPath, n int) (*Deployment, error) {
	if _, err := s.stack.History(ctx, p.Namespace, p.App); err != nil {
		return nil, fromLibrary(err)
	}
	rec, err := s.stack.Releases.Get(ctx, p.Namespace, p.App, n)
	if err != nil {
		return nil, fromLibrary(err)
	}
	if rec == nil {
		return nil, apiError(http.StatusNotFound, CodeNotFound, fmt.Sprintf("app %q has no release %d", p.App, n))
	}
	d := &Deployment{ID: strconv.Itoa(n), Namespace: p.Namespace, App: p.App, State: string(rec.State),
		Reason: rec.Reason, Release: rec}
	d.EventsURL = d.url() + "/events"
	if r := s.runs.get(p.Namespace, p.App, n); r != nil {
		d.Groups, _ = r.progress()
	}
	return d, nil
}

package server

import (
	"context"
	"net/http"
	"sort"

	"github.com/danielgtaylor/huma/v2"

	"github.com/skiffpaas/skiff/planner"
	"github.com/skiffpaas/skiff/secrets"
)

// appPath is the input of every operation on one app.
type appPath struct {
	Namespace string `path:"namespace" pattern:"^[a-z0-9][a-z0-9-]{0,62}$" doc:"The app's namespace (tenant)"`
	App       string `path:"app" pattern:"^[a-z0-9][a-z0-9-]{0,62}$" doc:"The app's name"`
}

// HealthBody is the answer of /v1/health.
type HealthBody struct {
	Status  string `json:"status" enum:"ok"`
	Version string `json:"version"`
}

// AppSummary is one app in a list.
type AppSummary struct {
	Namespace string `json:"namespace"`
	App       string `json:"app"`
	// Release is the live release (0: none yet); Latest the newest release and its state.
	Release     int    `json:"release"`
	Latest      int    `json:"latest"`
	LatestState string `json:"latest_state,omitempty"`
	// Desired and Running count the instances of the app's web, worker and system processes, from the read
	// model (absent when the server runs without one).
	Desired *int `json:"desired,omitempty"`
	Running *int `json:"running,omitempty"`
}

// AppsBody is one page of apps, sorted by namespace and name.
type AppsBody struct {
	Apps []AppSummary `json:"apps"`
	// Next is the cursor of the next page ("namespace/app" of this page's last app); absent on the last page.
	Next string `json:"next,omitempty"`
}

// appsInput pages through the apps.
type appsInput struct {
	Cursor string `query:"cursor" doc:"Return apps after this one (the next of the previous page)"`
	Limit  int    `query:"limit" minimum:"1" maximum:"1000" default:"100" doc:"Apps per page"`
}

// StatusOutput is an app's live status.
type StatusOutput struct {
	Body *planner.AppStatus
}

// DestroyBody says what a destroy removed.
type DestroyBody struct {
	RemovedJobs []string `json:"removed_jobs"`
}

// OfferingsBody lists the backing services apps can bind.
type OfferingsBody struct {
	Offerings []*secrets.Offering `json:"offerings"`
}

func (s *Server) registerApps() {
	huma.Register(s.api, huma.Operation{OperationID: "health", Method: http.MethodGet, Path: "/v1/health",
		Summary: "Liveness of the API server", Tags: []string{"platform"}, Security: []map[string][]string{}},
		func(ctx context.Context, _ *struct{}) (*struct{ Body HealthBody }, error) {
			return &struct{ Body HealthBody }{Body: HealthBody{Status: "ok", Version: s.cfg.Version}}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "list-apps", Method: http.MethodGet, Path: "/v1/apps",
		Summary: "List apps across namespaces", Tags: []string{"apps"}},
		func(ctx context.Context, in *appsInput) (*struct{ Body AppsBody }, error) {
			heads, err := s.stack.Releases.Heads(ctx)
			if err != nil {
				return nil, fromLibrary(err)
			}
			out := &struct{ Body AppsBody }{Body: AppsBody{Apps: []AppSummary{}}}
			for ref, h := range heads {
				sum := AppSummary{Namespace: ref.Namespace, App: ref.App, Release: h.Live, Latest: h.Latest,
					LatestState: string(h.LatestState)}
				s.status.counts(ref.Namespace, ref.App, &sum)
				out.Body.Apps = append(out.Body.Apps, sum)
			}
			key := func(a AppSummary) string { return a.Namespace + "/" + a.App }
			sort.Slice(out.Body.Apps, func(i, j int) bool { return key(out.Body.Apps[i]) < key(out.Body.Apps[j]) })
			page := out.Body.Apps[:0]
			for _, a := range out.Body.Apps {
				if in.Cursor != "" && key(a) <= in.Cursor {
					continue
				}
				if len(page) == in.Limit {
					out.Body.Next = key(page[len(page)-1])
					break
				}
				page = append(page, a)
			}
			out.Body.Apps = page
			return out, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "get-status", Method: http.MethodGet,
		Path: "/v1/namespaces/{namespace}/apps/{app}/status", Summary: "An app's processes, health and releases", Tags: []string{"apps"}},
		func(ctx context.Context, in *appPath) (*StatusOutput, error) {
			st, err := s.status.status(ctx, in.Namespace, in.App)
			if err != nil {
				return nil, fromLibrary(err)
			}
			return &StatusOutput{Body: st}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "destroy-app", Method: http.MethodDelete,
		Path: "/v1/namespaces/{namespace}/apps/{app}", Summary: "Destroy an app: jobs, objects in Consul, Vault and Fabio, then its history",
		Tags: []string{"apps"}},
		func(ctx context.Context, in *appPath) (*struct{ Body DestroyBody }, error) {
			ids, err := s.stack.Destroy(ctx, in.Namespace, in.App, planner.DeployOptions{CreatedBy: "api"})
			if err != nil {
				return nil, fromLibrary(err)
			}
			if ids == nil {
				ids = []string{}
			}
			return &struct{ Body DestroyBody }{Body: DestroyBody{RemovedJobs: ids}}, nil
		})
	huma.Register(s.api, huma.Operation{OperationID: "list-offerings", Method: http.MethodGet, Path: "/v1/offerings",
		Summary: "The backing services apps can bind", Tags: []string{"platform"}},
		func(ctx context.Context, _ *struct{}) (*struct{ Body OfferingsBody }, error) {
			cat := &secrets.Offerings{KV: s.stack.Consul.KV()}
			names, err := cat.Names(ctx)
			if err != nil {
				return nil, fromLibrary(err)
			}
			out := &struct{ Body OfferingsBody }{Body: OfferingsBody{Offerings: []*secrets.Offering{}}}
			for _, n := range names {
				o, err := cat.Get(ctx, n)
				if err != nil {
					return nil, fromLibrary(err)
				}
				if o != nil {
					out.Body.Offerings = append(out.Body.Offerings, o)
				}
			}
			return out, nil
		})
}

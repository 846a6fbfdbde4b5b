package server

import (
	"net/http"
	"reflect"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humagin"
	"github.com/gin-gonic/gin"

	"github.com/skiffpaas/skiff/planner"
)

// register registers every operation, and the routes huma does not serve (metrics).
func (s *Server) register() {
	s.registerApps()
	s.registerDeploy()
	s.registerReleases()
	s.registerEvents()
	s.registerOps()
	s.registerRuns()
	s.registerRoutes()
	s.documentErrors()
	s.engine.GET("/v1/metrics", s.metrics.handler())
	s.engine.NoRoute(func(c *gin.Context) {
		writeError(c, apiError(http.StatusNotFound, CodeNotFound, "no such API path: "+c.Request.URL.Path))
	})
}

// documentErrors gives every operation the error response (problem+json) where huma did not add one, so
// that the document describes every status a client can get.
func (s *Server) documentErrors() {
	schema := s.api.OpenAPI().Components.Schemas.Schema(reflectTypeOf(Error{}), true, "Error")
	for _, item := range s.api.OpenAPI().Paths {
		for _, op := range []*huma.Operation{item.Get, item.Post, item.Patch, item.Put, item.Delete} {
			if op == nil {
				continue
			}
			if _, ok := op.Responses["default"]; !ok {
				op.Responses["default"] = &huma.Response{Description: "Error",
					Content: map[string]*huma.MediaType{"application/problem+json": {Schema: schema}}}
			}
		}
	}
}

// stampRequestID is a huma transformer: error bodies carry the request's ID.
func stampRequestID(ctx huma.Context, _ string, v any) (any, error) {
	if e, ok := v.(*Error); ok && e.RequestID == "" {
		e.RequestID = humagin.Unwrap(ctx).GetString(requestIDKey)
	}
	return v, nil
}

func reflectTypeOf(v any) reflect.Type { return reflect.TypeOf(v) }

func eventKind(k string) planner.EventKind { return planner.EventKind(k) }

package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humagin"
	"github.com/gin-gonic/gin"
	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/planner"
	"github.com/skiffpaas/skiff/server/readmodel"
)

// Config configures a Server.
type Config struct {
	// Token is the bearer token every request must carry (until tokens and roles of the tenancy work land, one
	// admin token). Required.
	Token string
	// TrustedProxies are the addresses (CIDRs) whose X-Forwarded-For gin believes; none by default.
	TrustedProxies []string
	// MaxBodyBytes bounds request bodies (default 1 MiB).
	MaxBodyBytes int64
	// Logf receives one line per request (method, path, status, duration, request ID) and server events; never
	// a request body or a token.
	Logf func(format string, args ...any)
	// Version is reported by /v1/health and the OpenAPI document.
	Version string
	// ReadModelNomad, if set, is a Nomad client of the read model's own (it keeps a few connections busy with
	// Nomad's event stream): status is then served from the model while Run runs. Without it, every status
	// request queries Nomad and Consul.
	ReadModelNomad *nomadapi.Client
}

// installErrorShape sets huma.NewError once per process: huma reads that variable while serving, so servers
// created later must not write it again.
var installErrorShape sync.Once

// Server is the platform API over one planner.Stack.
type Server struct {
	cfg     Config
	stack   *planner.Stack
	engine  *gin.Engine
	api     huma.API
	runs    *deployments
	metrics *metrics
	status  *statusReader
}

// New returns a server over stack. It installs the API's error shape as huma.NewError (huma offers no other
// hook; the shape is the same for every server in the process).
func New(cfg Config, stack *planner.Stack) (*Server, error) {
	if cfg.Token == "" {
		return nil, errors.New("server: a token is required")
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	installErrorShape.Do(func() { huma.NewError = newHumaError })
	gin.SetMode(gin.ReleaseMode)
	engine := gin.New()
	if err := engine.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("server: trusted proxies: %w", err)
	}
	s := &Server{cfg: cfg, stack: stack, engine: engine, metrics: newMetrics()}
	s.status = &statusReader{stack: stack, specs: map[specKey]*nomadapi.Job{},
		releases: map[readmodel.AppRef]cachedReleases{}}
	s.runs = newDeployments(stack, s.metrics, cfg.Logf, s.status.invalidate)
	if cfg.ReadModelNomad != nil {
		s.status.model = readmodel.New(cfg.ReadModelNomad, cfg.Logf)
	}
	engine.Use(s.requestID, s.recovery, s.accessLog, s.limitBody, s.authenticate)
	hc := huma.DefaultConfig("skiff platform API", cfg.Version)
	hc.OpenAPIPath = "/v1/openapi"
	hc.DocsPath = ""
	hc.SchemasPath = ""
	hc.CreateHooks = nil // no $schema links in bodies
	hc.Transformers = append(hc.Transformers, stampRequestID)
	hc.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "A skiff token: Authorization: Bearer skf_…"},
	}
	hc.Security = []map[string][]string{{"bearer": {}}}
	s.api = humagin.New(engine, hc)
	s.register()
	return s, nil
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.engine }

// OpenAPI returns the generated OpenAPI document.
func (s *Server) OpenAPI() *huma.OpenAPI { return s.api.OpenAPI() }

// Run runs the server's background work — the read model's event stream — until ctx ends. Serve calls it;
// a caller serving Handler itself (tests) calls it to have status served from the model.
func (s *Server) Run(ctx context.Context) {
	if s.status.model == nil {
		return
	}
	if err := s.status.model.Run(ctx); err != nil && ctx.Err() == nil {
		s.cfg.Logf("read model stopped: %v", err)
	}
}

// Serve serves on ln until ctx is cancelled, then shuts down gracefully: it stops accepting, lets requests in
// flight finish (up to drain), and waits for running deployments to reach a recorded state — a deployment
// still watching when drain ends is left to Nomad; its release stays deploying and any skiff process resolves
// it later.
func (s *Server) Serve(ctx context.Context, ln net.Listener, drain time.Duration) error {
	hs := &http.Server{Handler: s.engine, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	bg, stopBG := context.WithCancel(context.Background())
	defer stopBG()
	go s.Run(bg)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	err := hs.Shutdown(sctx)
	s.runs.wait(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		s.cfg.Logf("shutdown: requests still running after %s were cut", drain)
		return nil
	}
	return err
}

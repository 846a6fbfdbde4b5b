package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/cli"
	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
	vaultapi "github.com/hashicorp/vault/api"

	"github.com/skiffpaas/skiff/planner"
	"github.com/skiffpaas/skiff/platform"
	"github.com/skiffpaas/skiff/server"
)

// serveCommand runs the platform API.
type serveCommand struct{ ui cli.Ui }

func (c *serveCommand) Synopsis() string {
	return "Run the platform API (REST, OpenAPI, SSE) for CI and remote use"
}
func (c *serveCommand) Help() string {
	return `Usage: skiff serve [-config skiff-server.hcl] [-addr 127.0.0.1:7440] [-token-file FILE] [-trusted-proxy CIDR]... [-drain 30s]

  Serves the platform API under /v1 (OpenAPI document at /v1/openapi.json) over the stack that NOMAD_ADDR,
  CONSUL_HTTP_ADDR and VAULT_ADDR (with their tokens) name. Every request needs Authorization: Bearer <token>;
  the token comes from -token-file, else SKIFF_SERVER_TOKEN. On SIGINT/SIGTERM the server stops accepting,
  lets requests finish and waits up to -drain for running deployments to reach a recorded state; a deployment
  still watching is left to Nomad, and any skiff process resolves its release later.

  -config         The platform config (docs/platform.md): validated, then published to Consul KV so that the
                 direct-mode CLI compiles with the same settings. Without it, the published config is used.
  -addr           Listen address (default 127.0.0.1:7440).
  -token-file     File holding the admin token (one line).
  -trusted-proxy  A proxy address (CIDR) whose X-Forwarded-For is believed; repeatable (default: none).
  -drain          How long shutdown waits for requests and deployments (default 30s).

  Example:
    SKIFF_SERVER_TOKEN=$(cat ~/.skiff-token) skiff serve -addr 127.0.0.1:7440`
}

func (c *serveCommand) Run(args []string) int {
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fl.String("addr", "127.0.0.1:7440", "listen address")
	configFile := fl.String("config", "", "platform config file (skiff-server.hcl)")
	tokenFile := fl.String("token-file", "", "file holding the admin token")
	drain := fl.Duration("drain", 30*time.Second, "how long shutdown waits")
	var proxies multiFlag
	fl.Var(&proxies, "trusted-proxy", "trusted proxy CIDR (repeatable)")
	if err := fl.Parse(args); err != nil {
		return 1
	}
	token := os.Getenv("SKIFF_SERVER_TOKEN")
	if *tokenFile != "" {
		b, err := os.ReadFile(*tokenFile)
		if err != nil {
			return reportError(c.ui, "serve", err)
		}
		token = strings.TrimSpace(string(b))
	}
	if token == "" {
		c.ui.Error("skiff serve: no token: give -token-file FILE or set SKIFF_SERVER_TOKEN")
		return 1
	}
	st, err := c.stack(*configFile)
	if err != nil {
		return reportError(c.ui, "serve", err)
	}
	logger := log.New(stderr(c.ui), "skiff serve: ", log.LstdFlags)
	modelNomad, err := nomadapi.NewClient(nomadapi.DefaultConfig())
	if err != nil {
		return reportError(c.ui, "serve", err)
	}
	srv, err := server.New(server.Config{Token: token, TrustedProxies: proxies, Logf: logger.Printf,
		ReadModelNomad: modelNomad}, st)
	if err != nil {
		return reportError(c.ui, "serve", err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return reportError(c.ui, "serve", err)
	}
	c.ui.Output(fmt.Sprintf("skiff serve: listening on http://%s (OpenAPI at /v1/openapi.json)", ln.Addr()))
	ctx, cancel := signalContext()
	defer cancel()
	if err := srv.Serve(ctx, ln, *drain); err != nil {
		return reportError(c.ui, "serve", err)
	}
	return 0
}

// stack returns the stack the server drives: with a config file, its settings, published to Consul first;
// else the published ones (NewStackFromEnv).
func (c *serveCommand) stack(file string) (*planner.Stack, error) {
	if file == "" {
		return newStack()
	}
	cfg, diags := platform.ParseFile(file)
	if diags.HasErrors() {
		return nil, &planner.DiagnosticsError{Diags: diags}
	}
	n, err := nomadapi.NewClient(nomadapi.DefaultConfig())
	if err != nil {
		return nil, err
	}
	cl, err := consulapi.NewClient(consulapi.DefaultConfig())
	if err != nil {
		return nil, err
	}
	var v *vaultapi.Client
	if os.Getenv("VAULT_ADDR") != "" {
		if v, err = vaultapi.NewClient(vaultapi.DefaultConfig()); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := platform.Publish(ctx, cl.KV(), cfg); err != nil {
		return nil, fmt.Errorf("publishing the platform config to Consul: %w", err)
	}
	return planner.NewStackFromConfig(n, cl, v, cfg), nil
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

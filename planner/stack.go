package planner

import (
	"context"
	"errors"
	"net/http"
	"os"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	"github.com/hashicorp/hcl/v2"
	nomadapi "github.com/hashicorp/nomad/api"
	vaultapi "github.com/hashicorp/vault/api"

	"github.com/skiffpaas/skiff/catalog"
	"github.com/skiffpaas/skiff/edge"
	"github.com/skiffpaas/skiff/planner/compile"
	"github.com/skiffpaas/skiff/planner/release"
	"github.com/skiffpaas/skiff/platform"
	"github.com/skiffpaas/skiff/secrets"
)

// Stack is the live systems the planner drives. It holds no state of its own: everything it needs is read from
// Nomad and Consul on each call, so any skiff process can pick up where another stopped.
type Stack struct {
	// Nomad runs the jobs.
	Nomad *nomadapi.Client
	// Consul holds the service catalog that status reads.
	Consul *consulapi.Client
	// Releases keeps release records, snapshots, the deploy lock and the formation in Consul KV.
	Releases *release.Store
	// Resources are the other systems' planners (Consul intentions, Fabio routes), in apply order.
	Resources []ResourcePlanner
	// Traffic, if set, steers traffic during deployments (Fabio canary weights).
	Traffic TrafficController
	// Connect configures the Consul Connect mesh of the compiled jobs (from the platform config's connect block).
	Connect compile.ConnectOptions
	// Platform is the platform config the stack was built from (NewStackFromConfig); nil for a bare NewStack.
	Platform *platform.Config

	// secretsMount is the Vault KV mount of sensitive env vars; empty when the stack has no Vault.
	secretsMount string
}

// NewStack returns a Stack over the given clients.
func NewStack(nomad *nomadapi.Client, consul *consulapi.Client) *Stack {
	s := &Stack{Nomad: nomad, Consul: consul, Releases: release.NewStore(consul),
		Resources: []ResourcePlanner{catalog.NewIntentions(consul)}}
	return s.WithFabio(edge.DefaultKVPath)
}

// VaultOptions say how skiff uses Vault. The zero value matches the dev stack and `nomad setup vault`.
type VaultOptions struct {
	// SecretsMount is the KV v2 mount for sensitive env vars (default "secret").
	SecretsMount string
	// JWTPath is the JWT auth mount that trusts Nomad's workload identities (default "jwt-nomad").
	JWTPath string
	// WorkloadPolicies are given to every app's role besides its own (default ["nomad-workloads"]).
	WorkloadPolicies []string
}

// WithVault adds Vault to the stack: sensitive env vars are kept in its KV v2 engine and rendered into tasks at
// run time, and binds get database roles, a policy and a JWT role per app. Without Vault, specs with
// sensitive env vars or binds are refused.
func (s *Stack) WithVault(v *vaultapi.Client, o VaultOptions) *Stack {
	if o.SecretsMount == "" {
		o.SecretsMount = secrets.DefaultMount
	}
	if o.JWTPath == "" {
		o.JWTPath = "jwt-nomad"
	}
	if o.WorkloadPolicies == nil {
		o.WorkloadPolicies = []string{"nomad-workloads"}
	}
	s.secretsMount = o.SecretsMount
	s.Resources = append(s.Resources,
		secrets.NewConfigStore(v, o.SecretsMount, compile.JobIDOf),
		secrets.NewBindings(v, &secrets.Offerings{KV: s.Consul.KV()},
			secrets.Identity{JWTPath: o.JWTPath, DefaultPolicies: o.WorkloadPolicies}, compile.JobsOf))
	return s
}

// NewStackFromConfig returns a Stack over the given clients with the platform settings of cfg (platform.Default
// when nil): Fabio's KV path, the Connect mesh and sidecar, and — when vault is not nil — Vault with cfg's mount,
// JWT auth path and workload policies. This is how every front end builds its stack, so that one platform's
// processes compile the same jobs.
func NewStackFromConfig(nomad *nomadapi.Client, consul *consulapi.Client, vault *vaultapi.Client, cfg *platform.Config) *Stack {
	if cfg == nil {
		cfg = platform.Default()
	}
	st := NewStack(nomad, consul).WithFabio(cfg.Fabio.KVPath)
	st.Platform = cfg
	st.Connect = compile.ConnectOptions{Mesh: cfg.Connect.Mesh, Sidecar: cfg.Connect.Sidecar()}
	if vault != nil {
		st.WithVault(vault, VaultOptions{SecretsMount: cfg.Vault.SecretsMount, JWTPath: cfg.Vault.JWTAuthPath,
			WorkloadPolicies: cfg.Vault.WorkloadPolicies})
	}
	return st
}

// NewStackFromEnv returns a Stack whose clients are configured from the standard environment variables
// (NOMAD_ADDR, NOMAD_TOKEN, CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN, ...; with VAULT_ADDR set, Vault too, with
// VAULT_TOKEN) and whose settings are the platform's: platform.Load reads the config published in Consul KV,
// else the file named by SKIFF_PLATFORM_CONFIG, else the defaults (see docs/platform.md); that read may take
// up to loadTimeout. Errors in the platform config come back as a *DiagnosticsError.
func NewStackFromEnv() (*Stack, error) {
	n, err := nomadapi.NewClient(nomadapi.DefaultConfig())
	if err != nil {
		return nil, err
	}
	c, err := consulapi.NewClient(consulapi.DefaultConfig())
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
	defer cancel()
	cfg, err := platform.Load(ctx, c.KV(), os.Getenv(PlatformConfigEnv))
	var diags hcl.Diagnostics
	if errors.As(err, &diags) {
		return nil, &DiagnosticsError{Diags: diags}
	}
	if err != nil {
		return nil, err
	}
	var v *vaultapi.Client
	if os.Getenv("VAULT_ADDR") != "" {
		if v, err = vaultapi.NewClient(vaultapi.DefaultConfig()); err != nil {
			return nil, err
		}
	}
	return NewStackFromConfig(n, c, v, cfg), nil
}

// PlatformConfigEnv names the environment variable with the path of the platform config file that
// NewStackFromEnv falls back to when no config is published in Consul.
const PlatformConfigEnv = "SKIFF_PLATFORM_CONFIG"

// loadTimeout bounds NewStackFromEnv's read of the platform config.
const loadTimeout = 30 * time.Second

// isNotFound reports whether err is Nomad's 404.
func isNotFound(err error) bool {
	var ure nomadapi.UnexpectedResponseError
	if errors.As(err, &ure) {
		return ure.StatusCode() == http.StatusNotFound
	}
	var pure *nomadapi.UnexpectedResponseError
	if errors.As(err, &pure) {
		return pure.StatusCode() == http.StatusNotFound
	}
	return false
}

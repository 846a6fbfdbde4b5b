package planner

import (
	"errors"
	"github.com/skiffpaas/skiff/planner/compile"
	"github.com/skiffpaas/skiff/planner/release"
	"net/http"
	"os"
	"strings"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
	vaultapi "github.com/hashicorp/vault/api"

	"github.com/skiffpaas/skiff/catalog"
	"github.com/skiffpaas/skiff/edge"
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
	// Connect configures the Consul Connect mesh of the compiled jobs (ConnectFromEnv reads it).
	Connect compile.ConnectOptions

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

// NewStackFromEnv returns a Stack whose clients are configured from the standard environment variables
// (NOMAD_ADDR, NOMAD_TOKEN, CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN, ...); with VAULT_ADDR set, Vault too
// (VAULT_TOKEN; SKIFF_SECRETS_MOUNT, SKIFF_VAULT_JWT_PATH and SKIFF_VAULT_WORKLOAD_POLICIES override
// VaultOptions' defaults).
func NewStackFromEnv() (*Stack, error) {
	n, err := nomadapi.NewClient(nomadapi.DefaultConfig())
	if err != nil {
		return nil, err
	}
	c, err := consulapi.NewClient(consulapi.DefaultConfig())
	if err != nil {
		return nil, err
	}
	st := NewStack(n, c).WithFabio(os.Getenv("SKIFF_FABIO_KVPATH"))
	if st.Connect, err = compile.ConnectFromEnv(); err != nil {
		return nil, err
	}
	if os.Getenv("VAULT_ADDR") != "" {
		v, err := vaultapi.NewClient(vaultapi.DefaultConfig())
		if err != nil {
			return nil, err
		}
		o := VaultOptions{SecretsMount: os.Getenv("SKIFF_SECRETS_MOUNT"), JWTPath: os.Getenv("SKIFF_VAULT_JWT_PATH")}
		if p := os.Getenv("SKIFF_VAULT_WORKLOAD_POLICIES"); p != "" {
			o.WorkloadPolicies = strings.Split(p, ",")
		}
		st.WithVault(v, o)
	}
	return st, nil
}

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

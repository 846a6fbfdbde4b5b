package devstack

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	consulapi "github.com/hashicorp/consul/api"
)

// ConsulInfo is where the stack's Consul dev agent listens and the management token that skiff uses.
type ConsulInfo struct {
	HTTPAddr string `json:"http_addr"` // host:port of the HTTP API
	DNSAddr  string `json:"dns_addr"`  // host:port of the DNS interface (UDP and TCP)
	GRPCAddr string `json:"grpc_addr"` // host:port of the gRPC (xDS) interface for Connect sidecars
	Token    string `json:"token"`     // ACL management token (ACLs are enabled with default policy "allow")
}

// consulAuthMethod is the JWT auth method through which Nomad workloads log in to Consul (as `nomad setup
// consul` names it).
const consulAuthMethod = "nomad-workloads"

func startConsul(dir, bin string, token string) (*process, *ConsulInfo, error) {
	ports, err := freePorts(6)
	if err != nil {
		return nil, nil, err
	}
	info := &ConsulInfo{
		HTTPAddr: fmt.Sprintf("127.0.0.1:%d", ports[0]),
		DNSAddr:  fmt.Sprintf("127.0.0.1:%d", ports[1]),
		GRPCAddr: fmt.Sprintf("127.0.0.1:%d", ports[2]),
		Token:    token,
	}
	cfg := fmt.Sprintf(`
node_name      = "skiff-dev"
bind_addr      = "127.0.0.1"
client_addr    = "127.0.0.1"
advertise_addr = "127.0.0.1"
log_level      = "INFO"
ports {
  http     = %d
  dns      = %d
  grpc     = %d
  grpc_tls = -1
  serf_lan = %d
  serf_wan = %d
  server   = %d
}
connect { enabled = true }
dns_config { service_ttl { "*" = "0s" } }
acl {
  enabled                  = true
  default_policy           = "allow"
  enable_token_persistence = false
  tokens { initial_management = %q }
}
`, ports[0], ports[1], ports[2], ports[3], ports[4], ports[5], token)
	cfgPath := filepath.Join(dir, "consul.hcl")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return nil, nil, err
	}
	p, err := startProcess(dir, "consul", bin, []string{"agent", "-dev", "-config-file", cfgPath}, nil, nil)
	if err != nil {
		return nil, nil, err
	}
	return p, info, nil
}

// Client returns a Consul API client authenticated with the management token.
func (c *ConsulInfo) Client() (*consulapi.Client, error) {
	cfg := consulapi.DefaultNonPooledConfig()
	cfg.Address = c.HTTPAddr
	cfg.Token = c.Token
	return consulapi.NewClient(cfg)
}

func consulReady(info *ConsulInfo) func(context.Context) error {
	return func(ctx context.Context) error {
		c, err := info.Client()
		if err != nil {
			return err
		}
		leader, err := c.Status().Leader()
		if err != nil {
			return err
		}
		if leader == "" {
			return fmt.Errorf("no leader yet")
		}
		// The ACL system answers only once the initial management token is in place.
		if _, _, err := c.ACL().TokenReadSelf(nil); err != nil {
			return fmt.Errorf("acl not ready: %w", err)
		}
		return nil
	}
}

// configureConsulWorkloadIdentity creates the JWT auth method and binding rules that let Nomad register services
// and give tasks Consul tokens through workload identity, trusting the JWKS of the Nomad agent at nomadHTTP.
func configureConsulWorkloadIdentity(info *ConsulInfo, nomadHTTP string) error {
	c, err := info.Client()
	if err != nil {
		return err
	}
	acl := c.ACL()
	method := &consulapi.ACLAuthMethod{
		Name:        consulAuthMethod,
		Type:        "jwt",
		DisplayName: "Nomad workload identity",
		Config: map[string]interface{}{
			"JWKSURL":          "http://" + nomadHTTP + "/.well-known/jwks.json",
			"JWTSupportedAlgs": []string{"RS256"},
			"BoundAudiences":   []string{"consul.io"},
			"ClaimMappings": map[string]string{
				"nomad_namespace": "nomad_namespace",
				"nomad_job_id":    "nomad_job_id",
				"nomad_task":      "nomad_task",
				"nomad_service":   "nomad_service",
			},
		},
	}
	if _, _, err := acl.AuthMethodCreate(method, nil); err != nil {
		return fmt.Errorf("creating Consul auth method: %w", err)
	}
	policy, _, err := acl.PolicyCreate(&consulapi.ACLPolicy{
		Name:  "nomad-tasks",
		Rules: `key_prefix "" { policy = "read" } service_prefix "" { policy = "read" } node_prefix "" { policy = "read" }`,
	}, nil)
	if err != nil {
		return fmt.Errorf("creating Consul policy for tasks: %w", err)
	}
	if _, _, err := acl.RoleCreate(&consulapi.ACLRole{
		Name:     "nomad-tasks",
		Policies: []*consulapi.ACLRolePolicyLink{{ID: policy.ID}},
	}, nil); err != nil {
		return fmt.Errorf("creating Consul role for tasks: %w", err)
	}
	rules := []*consulapi.ACLBindingRule{
		{AuthMethod: consulAuthMethod, BindType: consulapi.BindingRuleBindTypeService,
			BindName: "${value.nomad_service}", Selector: `"nomad_service" in value`,
			Description: "Nomad services register themselves"},
		{AuthMethod: consulAuthMethod, BindType: consulapi.BindingRuleBindTypeRole,
			BindName: "nomad-tasks", Selector: `"nomad_service" not in value`,
			Description: "Nomad tasks read the catalog and KV"},
	}
	for _, r := range rules {
		if _, _, err := acl.BindingRuleCreate(r, nil); err != nil {
			return fmt.Errorf("creating Consul binding rule: %w", err)
		}
	}
	return nil
}

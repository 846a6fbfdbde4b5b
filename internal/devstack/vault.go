package devstack

import (
	"context"
	"fmt"
	"strings"

	vaultapi "github.com/hashicorp/vault/api"
)

// VaultInfo is where the stack's Vault dev server listens and its root token.
type VaultInfo struct {
	Addr  string `json:"addr"`  // http://host:port
	Token string `json:"token"` // root token of the dev server
	// JWTPath is the mount path of the JWT auth method that trusts Nomad's workload identities.
	JWTPath string `json:"jwt_path"`
	// DefaultRole is the JWT role Nomad tasks log in with when their vault block names none.
	DefaultRole string `json:"default_role"`
	// DatabaseMount is the mount path of the database secrets engine; DatabaseConfig is its connection to the
	// stack's Postgres.
	DatabaseMount  string `json:"database_mount"`
	DatabaseConfig string `json:"database_config"`
}

func startVault(dir, bin, token string) (*process, *VaultInfo, error) {
	port, err := freePortPair()
	if err != nil {
		return nil, nil, err
	}
	info := &VaultInfo{
		Addr:           fmt.Sprintf("http://127.0.0.1:%d", port),
		Token:          token,
		JWTPath:        "jwt-nomad",
		DefaultRole:    "nomad-workloads",
		DatabaseMount:  "database",
		DatabaseConfig: "postgres",
	}
	args := []string{"server", "-dev", "-dev-root-token-id=" + token,
		fmt.Sprintf("-dev-listen-address=127.0.0.1:%d", port), "-dev-no-store-token"}
	// The dev server prints its root token in its log; logs are mode 0600 in the stack dir.
	p, err := startProcess(dir, "vault", bin, args, []string{"SKIP_SETCAP=1"}, nil)
	if err != nil {
		return nil, nil, err
	}
	return p, info, nil
}

// freePortPair finds a port p such that p and p+1 are free: Vault's dev server puts its cluster listener on p+1.
func freePortPair() (int, error) {
	for i := 0; i < 100; i++ {
		ps, err := freePorts(1)
		if err != nil {
			return 0, err
		}
		if portFree(ps[0] + 1) {
			return ps[0], nil
		}
	}
	return 0, fmt.Errorf("no two adjacent free ports found")
}

// Client returns a Vault API client authenticated with the root token.
func (v *VaultInfo) Client() (*vaultapi.Client, error) {
	cfg := vaultapi.DefaultConfig()
	cfg.Address = v.Addr
	c, err := vaultapi.NewClient(cfg)
	if err != nil {
		return nil, err
	}
	c.SetToken(v.Token)
	return c, nil
}

func vaultReady(info *VaultInfo) func(context.Context) error {
	return func(ctx context.Context) error {
		c, err := info.Client()
		if err != nil {
			return err
		}
		h, err := c.Sys().HealthWithContext(ctx)
		if err != nil {
			return err
		}
		if !h.Initialized || h.Sealed {
			return fmt.Errorf("vault initialized=%v sealed=%v", h.Initialized, h.Sealed)
		}
		return nil
	}
}

// configureVault mounts the database secrets engine against pg and the JWT auth method that trusts the Nomad
// agent at nomadHTTP — what `nomad setup vault` does, done through the API. KV v2 is mounted at secret/ by the
// dev server itself.
func configureVault(ctx context.Context, info *VaultInfo, pg *PostgresInfo, nomadHTTP string) error {
	c, err := info.Client()
	if err != nil {
		return err
	}
	sys := c.Sys()
	if err := sys.MountWithContext(ctx, info.DatabaseMount, &vaultapi.MountInput{Type: "database"}); err != nil {
		return fmt.Errorf("mounting database secrets engine: %w", err)
	}
	if _, err := c.Logical().WriteWithContext(ctx, info.DatabaseMount+"/config/"+info.DatabaseConfig, map[string]interface{}{
		"plugin_name":             "postgresql-database-plugin",
		"connection_url":          fmt.Sprintf("postgresql://{{username}}:{{password}}@%s/postgres?sslmode=disable", pg.Addr),
		"username":                pg.User,
		"password":                pg.Password,
		"allowed_roles":           "*",
		"password_authentication": "scram-sha-256",
		"verify_connection":       true,
		"username_template":       `{{printf "v-%s-%s-%s" (.RoleName | truncate 20) (random 8) (unix_time) | truncate 63}}`,
	}); err != nil {
		return fmt.Errorf("configuring database connection: %w", err)
	}
	if err := sys.EnableAuthWithOptionsWithContext(ctx, info.JWTPath, &vaultapi.EnableAuthOptions{Type: "jwt"}); err != nil {
		return fmt.Errorf("enabling JWT auth: %w", err)
	}
	if _, err := c.Logical().WriteWithContext(ctx, "auth/"+info.JWTPath+"/config", map[string]interface{}{
		"jwks_url":           "http://" + nomadHTTP + "/.well-known/jwks.json",
		"jwt_supported_algs": []string{"RS256", "EdDSA"},
		"default_role":       info.DefaultRole,
	}); err != nil {
		return fmt.Errorf("configuring JWT auth: %w", err)
	}
	auths, err := sys.ListAuthWithContext(ctx)
	if err != nil {
		return err
	}
	mount, ok := auths[info.JWTPath+"/"]
	if !ok {
		return fmt.Errorf("JWT auth mount %q not listed", info.JWTPath)
	}
	if err := sys.PutPolicyWithContext(ctx, info.DefaultRole, workloadPolicy(mount.Accessor)); err != nil {
		return fmt.Errorf("writing workload policy: %w", err)
	}
	if _, err := c.Logical().WriteWithContext(ctx, "auth/"+info.JWTPath+"/role/"+info.DefaultRole, map[string]interface{}{
		"role_type":               "jwt",
		"bound_audiences":         []string{"vault.io"},
		"user_claim":              "/nomad_job_id",
		"user_claim_json_pointer": true,
		"claim_mappings": map[string]string{
			"nomad_namespace": "nomad_namespace",
			"nomad_job_id":    "nomad_job_id",
			"nomad_task":      "nomad_task",
		},
		"token_type":     "service",
		"token_policies": []string{info.DefaultRole},
		"token_period":   "30m",
	}); err != nil {
		return fmt.Errorf("writing JWT role: %w", err)
	}
	return nil
}

// workloadPolicy lets a Nomad task read KV v2 secrets under secret/<namespace>/<job>/, the layout `nomad setup
// vault` documents.
func workloadPolicy(accessor string) string {
	meta := "identity.entity.aliases." + accessor + ".metadata."
	r := strings.NewReplacer("NS", "{{"+meta+"nomad_namespace}}", "JOB", "{{"+meta+"nomad_job_id}}")
	return r.Replace(`
path "secret/data/NS/JOB/*" { capabilities = ["read"] }
path "secret/data/NS/JOB" { capabilities = ["read"] }
path "secret/metadata/NS/*" { capabilities = ["list"] }
`)
}

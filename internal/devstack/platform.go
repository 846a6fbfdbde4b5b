package devstack

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/skiffpaas/skiff/platform"
)

// PlatformConfig returns the platform settings of this stack: its Fabio's KV path and addresses, the Vault
// layout that configureVault sets up, and Consul's built-in proxy as the Connect sidecar (Envoy is not installed
// on dev machines). Start writes them to PlatformConfigFile and publishes them to the stack's Consul.
func (s *Stack) PlatformConfig() *platform.Config {
	cfg := platform.Default()
	cfg.Fabio.KVPath = s.Fabio.KVPath
	cfg.Fabio.ProxyAddr = "http://" + s.Fabio.ProxyAddr
	cfg.Fabio.UIAddr = "http://" + s.Fabio.UIAddr
	cfg.Vault.SecretsMount = platform.DefaultSecretsMount // the dev server mounts KV v2 there
	cfg.Vault.JWTAuthPath = s.Vault.JWTPath
	cfg.Vault.WorkloadPolicies = []string{s.Vault.DefaultRole} // configureVault names the policy after the role
	sc := s.ConnectSidecar()
	cfg.Connect.BuiltinProxy = &platform.BuiltinProxy{Launcher: sc.Launcher, Consul: sc.Consul, ConsulAddr: sc.ConsulAddr}
	return cfg
}

// PlatformConfigFile returns the path of the skiff-server.hcl that Start writes into the stack dir.
func (s *Stack) PlatformConfigFile() string {
	return filepath.Join(s.Dir, platform.FileName)
}

// platformFileHeader opens the platform config file of a dev stack.
const platformFileHeader = "# The dev stack's platform config: written by `skiff dev up` and published to the stack's Consul\n" +
	"# (KV " + platform.KVKey + "), where skiff reads it. Reference: docs/platform.md.\n\n"

// publishPlatform writes the stack's platform config file and publishes it to the stack's Consul, where every
// skiff process pointed at the stack (CONSUL_HTTP_ADDR) reads it.
func (s *Stack) publishPlatform(ctx context.Context) error {
	cfg := s.PlatformConfig()
	text := append([]byte(platformFileHeader), cfg.HCL()...)
	if err := os.WriteFile(s.PlatformConfigFile(), text, 0o644); err != nil {
		return err
	}
	client, err := s.Consul.Client()
	if err != nil {
		return err
	}
	if err := platform.Publish(ctx, client.KV(), cfg); err != nil {
		return fmt.Errorf("dev stack: %w", err)
	}
	return nil
}

package devstack

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"path/filepath"

	"github.com/skiffpaas/skiff/catalog"
)

//go:embed meshproxy/main.go
var meshProxySource []byte

// meshProxyDir is the dir, inside the stack dir, that holds the Connect sidecar launcher and a link to the
// consul binary it runs.
const meshProxyDir = "meshproxy"

// installMeshProxy builds the Connect sidecar launcher (internal/devstack/meshproxy) into the stack dir and
// links the stack's consul binary beside it, so that ConnectSidecar can name both from the dir alone.
func installMeshProxy(ctx context.Context, dir, consulBin string) error {
	out := filepath.Join(dir, meshProxyDir)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	src, err := os.MkdirTemp("", "skiff-meshproxy-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(src)
	if err := os.WriteFile(filepath.Join(src, "main.go"), meshProxySource, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(src, "go.mod"), []byte("module skiffmeshproxy\n\ngo 1.21\n"), 0o644); err != nil {
		return err
	}
	if err := BuildGoBinary(ctx, src, ".", filepath.Join(out, "meshproxy")); err != nil {
		return fmt.Errorf("building the Connect sidecar launcher: %w", err)
	}
	abs, err := filepath.Abs(consulBin)
	if err != nil {
		return err
	}
	link := filepath.Join(out, "consul")
	_ = os.Remove(link)
	return os.Symlink(abs, link)
}

// ConnectSidecar returns the Connect sidecar that replaces Envoy on this stack: Consul's built-in proxy
// started by the launcher that installMeshProxy built (the builtin_proxy of PlatformConfig).
func (s *Stack) ConnectSidecar() *catalog.BuiltinProxy {
	dir := filepath.Join(s.Dir, meshProxyDir)
	return &catalog.BuiltinProxy{Launcher: filepath.Join(dir, "meshproxy"), Consul: filepath.Join(dir, "consul"),
		ConsulAddr: s.Consul.HTTPAddr}
}

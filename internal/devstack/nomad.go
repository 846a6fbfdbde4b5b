package devstack

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
)

// NomadInfo is where the stack's Nomad agent (server and client in one) listens.
type NomadInfo struct {
	Addr    string `json:"addr"`     // http://host:port
	DataDir string `json:"data_dir"` // the agent's data dir; allocation dirs live under it
	// PauseImage is the local Docker image the docker driver uses as the infra (pause) container of bridge-mode
	// groups; empty when Docker is not available.
	PauseImage string `json:"pause_image,omitempty"`
	CNIPath    string `json:"cni_path,omitempty"`
}

// nomadConfig holds what the Nomad agent config needs from the rest of the stack.
type nomadConfig struct {
	consul     *ConsulInfo
	vault      *VaultInfo
	pauseImage string
	cniPath    string
	// consulBin is put first on the agent's PATH: Nomad runs `consul connect envoy -bootstrap` for sidecars.
	consulBin string
}

func startNomad(dir, bin string, nc nomadConfig) (*process, *NomadInfo, error) {
	ports, err := freePorts(3)
	if err != nil {
		return nil, nil, err
	}
	data := filepath.Join(dir, "nomad")
	if err := os.MkdirAll(data, 0o711); err != nil {
		return nil, nil, err
	}
	info := &NomadInfo{Addr: fmt.Sprintf("http://127.0.0.1:%d", ports[0]), DataDir: data,
		PauseImage: nc.pauseImage, CNIPath: nc.cniPath}
	dockerInfra := ""
	if nc.pauseImage != "" {
		dockerInfra = fmt.Sprintf(`
    infra_image              = %q
    infra_image_pull_timeout = "10s"`, nc.pauseImage)
	}
	cni := ""
	if nc.cniPath != "" {
		cni = fmt.Sprintf(`cni_path = %q`, nc.cniPath)
	}
	cfg := fmt.Sprintf(`
name       = "skiff-dev"
region     = "global"
datacenter = "dc1"
data_dir   = %q
bind_addr  = "127.0.0.1"
log_level  = "INFO"
disable_update_check = true
ports {
  http = %d
  rpc  = %d
  serf = %d
}
advertise {
  http = "127.0.0.1"
  rpc  = "127.0.0.1"
  serf = "127.0.0.1"
}
server {
  enabled          = true
  bootstrap_expect = 1
}
client {
  enabled           = true
  network_interface = "lo"
  min_dynamic_port  = %d
  max_dynamic_port  = %d
  gc_max_allocs     = 200
  %s
  options = {
    "fingerprint.denylist" = "env_aws,env_gce,env_azure,env_digitalocean"
  }
}
plugin "raw_exec" {
  config { enabled = true }
}
plugin "docker" {
  config {
    allow_privileged = false
    volumes { enabled = true }
    gc {
      image     = false
      container = true
    }%s
  }
}
consul {
  address             = %q
  grpc_address        = %q
  token               = %q
  service_auth_method = %q
  task_auth_method    = %q
  service_identity {
    aud = ["consul.io"]
    ttl = "1h"
  }
  task_identity {
    aud = ["consul.io"]
    ttl = "1h"
  }
}
vault {
  enabled               = true
  address               = %q
  jwt_auth_backend_path = %q
  default_identity {
    aud = ["vault.io"]
    ttl = "1h"
  }
}
`, data, ports[0], ports[1], ports[2], nomadDynamicPortLow, nomadDynamicPortHigh, cni, dockerInfra,
		nc.consul.HTTPAddr, nc.consul.GRPCAddr, nc.consul.Token, consulAuthMethod, consulAuthMethod,
		nc.vault.Addr, nc.vault.JWTPath)
	cfgPath := filepath.Join(dir, "nomad.hcl")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return nil, nil, err
	}
	env := []string{"PATH=" + filepath.Dir(nc.consulBin) + string(os.PathListSeparator) + os.Getenv("PATH")}
	p, err := startProcess(dir, "nomad", bin, []string{"agent", "-config", cfgPath}, env, nil)
	if err != nil {
		return nil, nil, err
	}
	return p, info, nil
}

// Client returns a Nomad API client for the agent.
func (n *NomadInfo) Client() (*nomadapi.Client, error) {
	cfg := nomadapi.DefaultConfig()
	cfg.Address = n.Addr
	return nomadapi.NewClient(cfg)
}

// nomadServerReady waits for a leader and for the workload-identity JWKS endpoint.
func nomadServerReady(info *NomadInfo) func(context.Context) error {
	return func(ctx context.Context) error { return httpOK(ctx, info.Addr+"/.well-known/jwks.json") }
}

// nomadReady waits for a leader and for the local client node to be ready with the drivers the stack promises:
// raw_exec and exec always, docker when the engine is reachable.
func nomadReady(info *NomadInfo, wantDocker bool) func(context.Context) error {
	return func(ctx context.Context) error {
		c, err := info.Client()
		if err != nil {
			return err
		}
		q := (&nomadapi.QueryOptions{}).WithContext(ctx)
		leader, err := c.Status().Leader()
		if err != nil || leader == "" {
			return fmt.Errorf("no leader yet: %v", err)
		}
		nodes, _, err := c.Nodes().List(q)
		if err != nil {
			return err
		}
		if len(nodes) == 0 {
			return fmt.Errorf("no client node registered yet")
		}
		n := nodes[0]
		if n.Status != nomadapi.NodeStatusReady {
			return fmt.Errorf("node status %q", n.Status)
		}
		want := []string{"raw_exec", "exec"}
		if wantDocker {
			want = append(want, "docker")
		}
		for _, d := range want {
			di, ok := n.Drivers[d]
			if !ok || !di.Detected || !di.Healthy {
				return fmt.Errorf("driver %s not healthy yet", d)
			}
		}
		return nil
	}
}

// stopAllJobs deregisters (purges) every job in every namespace and waits, up to timeout, until no allocation
// is still running, so that tasks (which outlive a stopped Nomad client by design) do not outlive the stack.
func stopAllJobs(info *NomadInfo, timeout time.Duration) error {
	c, err := info.Client()
	if err != nil {
		return err
	}
	q := &nomadapi.QueryOptions{Namespace: "*"}
	jobs, _, err := c.Jobs().List(q)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		w := &nomadapi.WriteOptions{Namespace: j.Namespace}
		_, _, _ = c.Jobs().Deregister(j.ID, true, w)
	}
	deadline := time.Now().Add(timeout)
	for {
		allocs, _, err := c.Allocations().List(q)
		if err != nil {
			return err
		}
		running := 0
		for _, a := range allocs {
			if a.ClientStatus == nomadapi.AllocClientStatusRunning || a.ClientStatus == nomadapi.AllocClientStatusPending {
				running++
			}
		}
		if running == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d allocations still running after %s", running, timeout)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// allocIDs lists every allocation the agent knows, in every namespace (nil on error).
func allocIDs(info *NomadInfo) []string {
	c, err := info.Client()
	if err != nil {
		return nil
	}
	allocs, _, err := c.Allocations().List(&nomadapi.QueryOptions{Namespace: "*"})
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(allocs))
	for _, a := range allocs {
		out = append(out, a.ID)
	}
	return out
}

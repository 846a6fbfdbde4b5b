package catalog

import (
	"fmt"
	"strings"

	nomadapi "github.com/hashicorp/nomad/api"
)

// BuiltinProxyKind is the first field of a BuiltinProxy's textual form.
const BuiltinProxyKind = "consul-builtin"

// BuiltinProxy runs Consul's built-in Connect proxy (`consul connect proxy -sidecar-for <service ID>`) as the
// sidecar task of a Connect service, in place of Nomad's default Envoy task. It is meant for dev stacks, where
// Envoy cannot be installed; production keeps Envoy.
//
// The task runs under raw_exec, which joins the group's network namespace, through Launcher (see
// internal/devstack/meshproxy): the proxy needs the Consul agent and the other sidecars, which listen on the
// host's loopback, and the launcher makes those ports answer on the namespace's own loopback. The Nomad client
// must run as root, as bridge networking requires anyway.
type BuiltinProxy struct {
	// Launcher is the host path of the launcher binary; Consul the host path of the consul binary.
	Launcher string
	Consul   string
	// ConsulAddr is the host:port of the Consul agent's HTTP API on the host's loopback.
	ConsulAddr string
}

// ParseBuiltinProxy reads the textual form of String:
// "consul-builtin,launcher=<path>,consul=<path>,addr=<host:port>" (the form of the former SKIFF_CONNECT_SIDECAR that
// `skiff dev env` exported).
func ParseBuiltinProxy(s string) (*BuiltinProxy, error) {
	fields := strings.Split(s, ",")
	if fields[0] != BuiltinProxyKind {
		return nil, fmt.Errorf("connect sidecar %q: only %q is supported", s, BuiltinProxyKind)
	}
	b := &BuiltinProxy{}
	for _, f := range fields[1:] {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "launcher":
			b.Launcher = v
		case "consul":
			b.Consul = v
		case "addr":
			b.ConsulAddr = v
		default:
			return nil, fmt.Errorf("connect sidecar %q: unknown field %q", s, k)
		}
	}
	if b.Launcher == "" || b.Consul == "" || b.ConsulAddr == "" {
		return nil, fmt.Errorf("connect sidecar %q: launcher, consul and addr are all required", s)
	}
	return b, nil
}

// String returns the form that ParseBuiltinProxy reads.
func (b *BuiltinProxy) String() string {
	return fmt.Sprintf("%s,launcher=%s,consul=%s,addr=%s", BuiltinProxyKind, b.Launcher, b.Consul, b.ConsulAddr)
}

// SidecarTask returns the sidecar task that runs the proxy for the Nomad service ID serviceID (see
// NomadServiceID; Nomad interpolates "${NOMAD_ALLOC_ID}" in it).
func (b *BuiltinProxy) SidecarTask(serviceID string) *nomadapi.SidecarTask {
	cpu, mem := 50, 96
	return &nomadapi.SidecarTask{
		Driver: "raw_exec",
		Config: map[string]interface{}{
			"command": b.Launcher,
			"args": []string{"-consul", b.Consul, "-consul-addr", b.ConsulAddr,
				"-sidecar-for", serviceID},
		},
		Resources: &nomadapi.Resources{CPU: &cpu, MemoryMB: &mem},
	}
}

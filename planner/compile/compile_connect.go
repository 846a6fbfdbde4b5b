package compile

import (
	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/catalog"
	"github.com/skiffpaas/skiff/jobspec"
)

// SidecarTag is the only tag of every Connect sidecar service skiff compiles.
const SidecarTag = "skiff-sidecar"

// ConnectOptions configure the Consul Connect service mesh of compiled jobs; planner.NewStackFromConfig sets them
// from the platform config's connect block. The zero value puts only the processes that have upstreams in the
// mesh, with Nomad's default Envoy sidecar.
type ConnectOptions struct {
	// Mesh puts every web, worker and system process with a port in the mesh, so that other apps' upstreams
	// can reach it (a process must be in the mesh to be an upstream's destination).
	Mesh bool
	// Sidecar, if set, replaces Envoy by Consul's built-in proxy (dev stacks, where Envoy is not installed).
	Sidecar *catalog.BuiltinProxy
}

// connect puts the group g of process p in the Connect mesh when p has upstreams or the options mesh every
// service: bridge networking (the ports stay mapped on the host), a sidecar service carrying p's upstreams,
// and one <NAME>_ADDR=127.0.0.1:<local_port> env var per upstream (a value set in the spec wins). A process
// without a Consul service (no port) cannot join: its upstreams are left out.
func (c *compiler) connect(p *jobspec.Process, g *nomadapi.TaskGroup) {
	ups := catalog.UpstreamsOf(c.app, p)
	if len(g.Services) == 0 || len(g.Networks) == 0 || (len(ups) == 0 && !c.opts.Connect.Mesh) {
		return
	}
	g.Networks[0].Mode = "bridge"
	svc := g.Services[0]
	proxy := &nomadapi.ConsulProxy{}
	if port := p.PrimaryPort(); port != nil && p.Driver == "docker" {
		// Without it, Consul points the proxy at the service's registered port, which is the host side of
		// the mapping; the app listens on the namespace side (the port's "to").
		proxy.LocalServicePort = port.Number
	}
	for _, u := range ups {
		proxy.Upstreams = append(proxy.Upstreams, &nomadapi.ConsulUpstream{
			DestinationName: catalog.UpstreamService(u), LocalBindPort: u.LocalPort, Datacenter: u.Datacenter})
		name, value := catalog.UpstreamEnv(u)
		for _, t := range g.Tasks {
			if _, set := t.Env[name]; !set {
				if t.Env == nil {
					t.Env = map[string]string{}
				}
				t.Env[name] = value
			}
		}
	}
	// A sidecar without tags inherits its parent's, route tags included: Fabio would then send plain HTTP to
	// the proxy's mTLS port.
	svc.Connect = &nomadapi.ConsulConnect{SidecarService: &nomadapi.ConsulSidecarService{Proxy: proxy,
		Tags: []string{SidecarTag}}}
	if sc := c.opts.Connect.Sidecar; sc != nil {
		svc.Connect.SidecarTask = sc.SidecarTask(catalog.NomadServiceID("${NOMAD_ALLOC_ID}", *g.Name, svc.Name, svc.PortLabel))
	}
}

package catalog

import (
	"strconv"
	"strings"

	"github.com/skiffpaas/skiff/jobspec"
)

// UpstreamService returns the Consul service name that an upstream reaches. Destination is that name already
// (see the package doc); the function exists so that the compiler, the intentions and the docs agree on one
// mapping.
func UpstreamService(u *jobspec.Upstream) string { return u.Destination }

// UpstreamEnv returns the environment variable through which a process finds an upstream: "<NAME>_ADDR" (the
// upstream's label, upper-cased, dashes as underscores) = "127.0.0.1:<local_port>".
func UpstreamEnv(u *jobspec.Upstream) (name, value string) {
	return strings.ToUpper(strings.ReplaceAll(u.Name, "-", "_")) + "_ADDR", "127.0.0.1:" + strconv.Itoa(u.LocalPort)
}

// UpstreamsOf returns the upstreams of app that apply to the process p, in file order: those that list p, and
// those that list no process when p is a web, worker or system process.
func UpstreamsOf(app *jobspec.App, p *jobspec.Process) []*jobspec.Upstream {
	if !p.Kind.IsService() {
		return nil
	}
	var out []*jobspec.Upstream
	for _, u := range app.Upstreams {
		if len(u.Processes) == 0 {
			out = append(out, u)
			continue
		}
		for _, n := range u.Processes {
			if n == p.Name {
				out = append(out, u)
				break
			}
		}
	}
	return out
}

// Services returns the Consul service names of the app's processes that Nomad registers (web, worker and
// system processes with a port), keyed by process name.
func Services(app *jobspec.App) map[string]string {
	out := map[string]string{}
	for _, p := range app.Processes {
		if p.Kind.IsService() && p.PrimaryPort() != nil {
			out[p.Name] = ServiceName(app.Name, app.Namespace, p.Name)
		}
	}
	return out
}

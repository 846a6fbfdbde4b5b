package edge

import (
	"strings"

	"github.com/skiffpaas/skiff/jobspec"
)

// URLs returns where the app's web processes answer through Fabio at proxyAddr (such as
// "http://127.0.0.1:9999"; a bare host:port gets http://): one URL per route, in spec order. A host route is
// shown as http://<host><path> with the proxy in brackets, since the host must resolve to Fabio. Redirect routes
// are left out. An empty proxyAddr means http://localhost:9999, Fabio's default listener.
func URLs(app *jobspec.App, proxyAddr string) []string {
	if proxyAddr == "" {
		proxyAddr = "http://localhost:9999"
	}
	if !strings.Contains(proxyAddr, "://") {
		proxyAddr = "http://" + proxyAddr
	}
	proxyAddr = strings.TrimSuffix(proxyAddr, "/")
	var out []string
	for _, p := range app.Processes {
		if p.Kind != jobspec.KindWeb {
			continue
		}
		for _, r := range p.Routes {
			if r.Redirect != "" {
				continue
			}
			path := r.Path
			if path == "" {
				path = "/"
			}
			if !strings.HasSuffix(path, "/") && r.Strip {
				path += "/"
			}
			if r.Host != "" && !strings.HasPrefix(r.Host, "*.") {
				out = append(out, "http://"+r.Host+path+" (via "+proxyAddr+")")
				continue
			}
			out = append(out, proxyAddr+path)
		}
	}
	return out
}

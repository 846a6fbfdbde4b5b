package edge

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/skiffpaas/skiff/jobspec"
)

const (
	// TagPrefix starts every tag that Fabio reads as a route.
	TagPrefix = "urlprefix-"
	// CanaryTag marks the Consul registrations of unpromoted canaries (Nomad's canary_tags); Fabio copies it
	// onto their route targets, where `route weight ... tags "skiff-canary"` finds them.
	CanaryTag = "skiff-canary"
	// MetaCanaryWeight is the Consul service meta key, on canary registrations only, holding the process's
	// canary_weight in percent.
	MetaCanaryWeight = "skiff_canary_weight"
	// MetaApp and MetaNamespace are the Consul service meta keys naming the app and namespace that own a
	// service. They must equal planner.ServiceMetaApp and planner.ServiceMetaNamespace (a planner test checks).
	MetaApp       = "skiff_app"
	MetaNamespace = "skiff_namespace"
)

// Tags returns the Fabio tags of a web process's routes, in route order: one per route, and a second one for
// an https_only route (see RouteTags).
func Tags(routes []*jobspec.Route) []string {
	tags := make([]string, 0, len(routes))
	for _, r := range routes {
		tags = append(tags, RouteTags(r)...)
	}
	return tags
}

// RouteTags returns the Fabio tags of one route:
//
//	host + path    urlprefix-shop.example.com/api
//	host only      urlprefix-shop.example.com/
//	any host       urlprefix-/api
//	strip          urlprefix-/api strip=/api
//	redirect       urlprefix-old.example.com/ redirect=301,https://new.example.com$path
//	https_only     urlprefix-shop.example.com/api
//	               urlprefix-shop.example.com:80/api redirect=301,https://shop.example.com$path
//
// Fabio 1.6.3 has no per-route "HTTPS only" option. Its documented way to send plain HTTP to HTTPS is a route
// for host:80 that redirects: it normalises host:80 to host for requests on a plain listener only, so HTTPS
// requests fall through to the ordinary route, and it skips a redirect that would point at the request itself
// (X-Forwarded-Proto: https from a TLS-terminating balancer). An https_only route therefore needs a host (the
// spec enforces it), and plain-HTTP requests carrying an explicit non-80 port in Host are not redirected.
func RouteTags(r *jobspec.Route) []string {
	host, path := r.Host, routePath(r)
	var opts []string
	if r.Strip && path != "/" {
		opts = append(opts, "strip="+strings.TrimSuffix(path, "/"))
	}
	if r.Redirect != "" {
		opts = append(opts, fmt.Sprintf("redirect=%d,%s", redirectCode(r), r.Redirect))
	}
	tags := []string{joinTag(TagPrefix+host+path, opts)}
	if r.HTTPSOnly && r.Redirect == "" && host != "" {
		target := "https://" + host + "$path"
		if strings.HasPrefix(host, "*.") {
			target = "https://$host$path"
		}
		tags = append(tags, joinTag(TagPrefix+host+":80"+path, []string{"redirect=301," + target}))
	}
	return tags
}

// CanaryTags returns the tags the canaries of process p register with (Nomad's canary_tags): the route tags
// plus CanaryTag. It is nil unless p is a web process with routes and canaries.
func CanaryTags(p *jobspec.Process) []string {
	if !hasRoutedCanaries(p) {
		return nil
	}
	return append(Tags(p.Routes), CanaryTag)
}

// CanaryMeta returns the service meta the canaries of p register with (Nomad's canary_meta): meta plus
// MetaCanaryWeight. It is nil unless p is a web process with routes and canaries; after promotion Nomad
// registers the instances with meta again.
func CanaryMeta(p *jobspec.Process, meta map[string]string) map[string]string {
	if !hasRoutedCanaries(p) {
		return nil
	}
	out := make(map[string]string, len(meta)+1)
	for k, v := range meta {
		out[k] = v
	}
	out[MetaCanaryWeight] = strconv.Itoa(p.Rollout.CanaryWeight)
	return out
}

func hasRoutedCanaries(p *jobspec.Process) bool {
	return p.Kind == jobspec.KindWeb && len(p.Routes) > 0 && p.Rollout != nil && p.Rollout.Canary > 0
}

func routePath(r *jobspec.Route) string {
	if r.Path == "" {
		return "/"
	}
	return r.Path
}

func redirectCode(r *jobspec.Route) int {
	if r.RedirectCode == 0 {
		return 301
	}
	return r.RedirectCode
}

func joinTag(head string, opts []string) string {
	if len(opts) == 0 {
		return head
	}
	return head + " " + strings.Join(opts, " ")
}

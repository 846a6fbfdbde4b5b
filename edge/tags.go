// Package edge owns skiff's view of Fabio: it turns a web process's routes into the urlprefix- tags that Fabio
// reads from Consul (only skiff writes them), manages canary route weights, and inspects Fabio's live routes.
package edge

import (
	"fmt"
	"strings"

	"github.com/skiffpaas/skiff/jobspec"
)

// TagPrefix starts every tag that Fabio reads as a route.
const TagPrefix = "urlprefix-"

// Tags returns the Fabio tags for routes, one per route, in route order.
//
//	host + path        urlprefix-shop.example.com/api
//	strip              ... strip=/api
//	redirect           ... redirect=301,https://example.com$path
func Tags(routes []*jobspec.Route) []string {
	tags := make([]string, 0, len(routes))
	for _, r := range routes {
		tags = append(tags, Tag(r))
	}
	return tags
}

// Tag returns the Fabio tag of one route.
func Tag(r *jobspec.Route) string {
	path := r.Path
	if path == "" {
		path = "/"
	}
	var opts []string
	if r.Strip && path != "/" {
		opts = append(opts, "strip="+strings.TrimSuffix(path, "/"))
	}
	if r.Redirect != "" {
		code := r.RedirectCode
		if code == 0 {
			code = 301
		}
		opts = append(opts, fmt.Sprintf("redirect=%d,%s", code, r.Redirect))
	}
	tag := TagPrefix + r.Host + path
	if len(opts) > 0 {
		tag += " " + strings.Join(opts, " ")
	}
	return tag
}

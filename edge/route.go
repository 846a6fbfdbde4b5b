package edge

import (
	"strconv"
	"strings"
)

// Route is one route as Fabio's routing table holds it, apart from the instances that serve it: what a
// urlprefix- tag says.
type Route struct {
	// Src is Fabio's route source, host/path with the host lowercased: "shop.example.com/api", or "/api" for
	// any host. An https_only redirect route has the host "shop.example.com:80".
	Src string `json:"src"`
	// Opts are the tag's options other than redirect, in tag order ("strip=/api").
	Opts []string `json:"opts,omitempty"`
	// RedirectCode and RedirectURL are set on a redirect route, which answers instead of proxying.
	RedirectCode int    `json:"redirect_code,omitempty"`
	RedirectURL  string `json:"redirect_url,omitempty"`
}

// ParseTag reads a urlprefix- tag the way Fabio 1.6.3's Consul registry does (registry/consul/routecmd.go);
// ok is false for any other tag.
func ParseTag(tag string) (r Route, ok bool) {
	s := strings.TrimSpace(tag)
	if !strings.HasPrefix(s, TagPrefix) {
		return Route{}, false
	}
	s = strings.TrimSpace(s[len(TagPrefix):])
	src, opts, _ := strings.Cut(s, " ")
	if src == "" {
		return Route{}, false
	}
	if host, path, found := strings.Cut(src, "/"); found {
		src = strings.ToLower(host) + "/" + path
	} else if !strings.HasPrefix(src, ":") {
		src = strings.ToLower(src) + "/" // a host-only tag: Fabio routes its root
	}
	r.Src = src
	for _, o := range strings.Fields(opts) {
		if v, isRedirect := strings.CutPrefix(o, "redirect="); isRedirect {
			code, url, found := strings.Cut(v, ",")
			n, err := strconv.Atoi(code)
			if !found || err != nil || strings.Contains(url, ",") {
				return Route{}, false // Fabio logs an error and drops the route
			}
			r.RedirectCode, r.RedirectURL = n, url
			continue
		}
		r.Opts = append(r.Opts, o)
	}
	return r, true
}

// Host returns the host part of Src ("" for any host).
func (r Route) Host() string {
	host, _, _ := strings.Cut(r.Src, "/")
	return host
}

// Path returns the path part of Src.
func (r Route) Path() string {
	_, path, _ := strings.Cut(r.Src, "/")
	return "/" + path
}

// Key identifies the requests the route claims: its host without the :80 of an https_only redirect route,
// and its path. Two apps must not claim the same key.
func (r Route) Key() string {
	return strings.TrimSuffix(r.Host(), ":80") + r.Path()
}

// Command returns the `route add` command Fabio's Consul registry makes of the route for one healthy
// instance of service at addr (host:port) whose non-route tags are tags — the text Fabio's route.Parse reads.
func (r Route) Command(service, addr string, tags []string) string {
	dst := "http://" + addr + "/"
	opts := append([]string(nil), r.Opts...)
	if r.RedirectCode != 0 {
		dst = r.RedirectURL
		opts = append(opts, "redirect="+strconv.Itoa(r.RedirectCode))
	}
	cmd := "route add " + service + " " + r.Src + " " + dst
	if len(tags) > 0 {
		cmd += " tags " + strconv.Quote(strings.Join(tags, ","))
	}
	if len(opts) > 0 {
		cmd += " opts " + strconv.Quote(strings.Join(opts, " "))
	}
	return cmd
}

// Strip returns the value of the strip option ("" when the route strips nothing).
func (r Route) Strip() string {
	for _, o := range r.Opts {
		if v, ok := strings.CutPrefix(o, "strip="); ok {
			return v
		}
	}
	return ""
}

// IsRedirect reports whether the route answers with a redirect instead of proxying.
func (r Route) IsRedirect() bool { return r.RedirectCode != 0 }

// splitTags separates a service's route tags (parsed) from its other tags, as Fabio's registry does.
func splitTags(all []string) (routes []Route, raw []string, others []string) {
	for _, t := range all {
		if !strings.HasPrefix(strings.TrimSpace(t), TagPrefix) {
			others = append(others, t)
			continue
		}
		if r, ok := ParseTag(t); ok {
			routes = append(routes, r)
			raw = append(raw, t)
		}
	}
	return routes, raw, others
}

package edge

import (
	"reflect"
	"testing"

	"github.com/skiffpaas/skiff/jobspec"
)

// routeCases are the route shapes the spec allows, with the tags skiff registers for them.
var routeCases = []struct {
	name  string
	route jobspec.Route
	tags  []string
}{
	{"host and path", jobspec.Route{Host: "shop.example.com", Path: "/api"},
		[]string{"urlprefix-shop.example.com/api"}},
	{"host only", jobspec.Route{Host: "shop.example.com", Path: "/"},
		[]string{"urlprefix-shop.example.com/"}},
	{"host, path unset", jobspec.Route{Host: "shop.example.com"},
		[]string{"urlprefix-shop.example.com/"}},
	{"any host", jobspec.Route{Path: "/api"},
		[]string{"urlprefix-/api"}},
	{"wildcard host", jobspec.Route{Host: "*.example.com", Path: "/"},
		[]string{"urlprefix-*.example.com/"}},
	{"strip", jobspec.Route{Path: "/shop", Strip: true},
		[]string{"urlprefix-/shop strip=/shop"}},
	{"strip with trailing slash", jobspec.Route{Host: "a.example.com", Path: "/shop/", Strip: true},
		[]string{"urlprefix-a.example.com/shop/ strip=/shop"}},
	{"strip of the root strips nothing", jobspec.Route{Path: "/", Strip: true},
		[]string{"urlprefix-/"}},
	{"redirect", jobspec.Route{Host: "old.example.com", Path: "/", Redirect: "https://new.example.com$path", RedirectCode: 308},
		[]string{"urlprefix-old.example.com/ redirect=308,https://new.example.com$path"}},
	{"redirect, code unset", jobspec.Route{Path: "/docs", Redirect: "https://docs.example.com/"},
		[]string{"urlprefix-/docs redirect=301,https://docs.example.com/"}},
	{"https only", jobspec.Route{Host: "shop.example.com", Path: "/api", HTTPSOnly: true},
		[]string{"urlprefix-shop.example.com/api", "urlprefix-shop.example.com:80/api redirect=301,https://shop.example.com$path"}},
	{"https only with strip", jobspec.Route{Host: "shop.example.com", Path: "/static", Strip: true, HTTPSOnly: true},
		[]string{"urlprefix-shop.example.com/static strip=/static", "urlprefix-shop.example.com:80/static redirect=301,https://shop.example.com$path"}},
	{"https only, wildcard host", jobspec.Route{Host: "*.example.com", Path: "/", HTTPSOnly: true},
		[]string{"urlprefix-*.example.com/", "urlprefix-*.example.com:80/ redirect=301,https://$host$path"}},
	{"https only on a redirect is the redirect", jobspec.Route{Host: "old.example.com", Redirect: "https://new.example.com/", HTTPSOnly: true},
		[]string{"urlprefix-old.example.com/ redirect=301,https://new.example.com/"}},
}

func TestRouteTags(t *testing.T) {
	t.Parallel()
	for _, tc := range routeCases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.route
			if got := RouteTags(&r); !reflect.DeepEqual(got, tc.tags) {
				t.Errorf("RouteTags = %q, want %q", got, tc.tags)
			}
		})
	}
}

func TestTagsConcatenatesRoutes(t *testing.T) {
	t.Parallel()
	routes := []*jobspec.Route{{Path: "/a"}, {Host: "h.example.com", Path: "/b", HTTPSOnly: true}}
	want := []string{"urlprefix-/a", "urlprefix-h.example.com/b", "urlprefix-h.example.com:80/b redirect=301,https://h.example.com$path"}
	if got := Tags(routes); !reflect.DeepEqual(got, want) {
		t.Errorf("Tags = %q, want %q", got, want)
	}
	if got := Tags(nil); len(got) != 0 {
		t.Errorf("Tags(nil) = %q", got)
	}
}

func TestCanaryTagsAndMeta(t *testing.T) {
	t.Parallel()
	web := &jobspec.Process{Kind: jobspec.KindWeb, Routes: []*jobspec.Route{{Path: "/shop", Strip: true}},
		Rollout: &jobspec.Rollout{Canary: 1, CanaryWeight: 25}}
	if got, want := CanaryTags(web), []string{"urlprefix-/shop strip=/shop", CanaryTag}; !reflect.DeepEqual(got, want) {
		t.Errorf("CanaryTags = %q, want %q", got, want)
	}
	meta := map[string]string{MetaApp: "shop"}
	got := CanaryMeta(web, meta)
	if want := map[string]string{MetaApp: "shop", MetaCanaryWeight: "25"}; !reflect.DeepEqual(got, want) {
		t.Errorf("CanaryMeta = %v, want %v", got, want)
	}
	if len(meta) != 1 {
		t.Errorf("CanaryMeta changed its argument: %v", meta)
	}
	for name, p := range map[string]*jobspec.Process{
		"no canaries": {Kind: jobspec.KindWeb, Routes: web.Routes, Rollout: &jobspec.Rollout{}},
		"no routes":   {Kind: jobspec.KindWeb, Rollout: web.Rollout},
		"worker":      {Kind: jobspec.KindWorker, Rollout: web.Rollout},
	} {
		if CanaryTags(p) != nil || CanaryMeta(p, meta) != nil {
			t.Errorf("%s: canary tags %q, meta %v; want none", name, CanaryTags(p), CanaryMeta(p, meta))
		}
	}
}

func TestParseTag(t *testing.T) {
	t.Parallel()
	cases := []struct {
		tag  string
		want Route
		ok   bool
	}{
		{"urlprefix-/api", Route{Src: "/api"}, true},
		{"urlprefix-Shop.Example.com/Api", Route{Src: "shop.example.com/Api"}, true},
		{"urlprefix-shop.example.com", Route{Src: "shop.example.com/"}, true},
		{"urlprefix-/shop strip=/shop", Route{Src: "/shop", Opts: []string{"strip=/shop"}}, true},
		{"urlprefix-a.example.com:80/ redirect=301,https://a.example.com$path",
			Route{Src: "a.example.com:80/", RedirectCode: 301, RedirectURL: "https://a.example.com$path"}, true},
		{"urlprefix-/x redirect=301", Route{}, false},
		{"skiff-canary", Route{}, false},
		{"urlprefix-", Route{}, false},
	}
	for _, tc := range cases {
		got, ok := ParseTag(tc.tag)
		if ok != tc.ok || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseTag(%q) = %+v, %v; want %+v, %v", tc.tag, got, ok, tc.want, tc.ok)
		}
	}
	r, _ := ParseTag("urlprefix-shop.example.com:80/api/v1 strip=/api")
	if r.Host() != "shop.example.com:80" || r.Path() != "/api/v1" || r.Key() != "shop.example.com/api/v1" || r.Strip() != "/api" {
		t.Errorf("host %q path %q key %q strip %q", r.Host(), r.Path(), r.Key(), r.Strip())
	}
}

package edge

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner/change"
)

// parseApp parses a spec for the planning tests.
func parseApp(t *testing.T, src string) *jobspec.App {
	t.Helper()
	app, diags := jobspec.Parse("skiff.hcl", []byte(src), nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	return app
}

const shopSpec = `app "shop" {
  image = "shop:1"
  web "web" {
    port = 8080
    route {
      host = "shop.example.com"
    }
    route {
      path  = "/api"
      strip = true
    }
    rollout {
      canary        = 1
      canary_weight = 20
    }
  }
}
`

func live(app, svc, tag string, instances, canaries int) LiveRoute {
	r, _ := ParseTag(tag)
	l := LiveRoute{Route: r, Tag: tag, Service: svc, App: app, Instances: instances, Canaries: canaries}
	if app != "" {
		l.Namespace = "default"
	}
	return l
}

func TestConflicts(t *testing.T) {
	t.Parallel()
	app := parseApp(t, shopSpec)
	others := []LiveRoute{
		live("shop", "web-shop-default", "urlprefix-shop.example.com/", 2, 0), // its own: no conflict
		live("blog", "web-blog-default", "urlprefix-shop.example.com:80/ redirect=301,https://shop.example.com$path", 1, 0),
		live("", "legacy", "urlprefix-/api", 1, 0),
		live("blog", "web-blog-default", "urlprefix-/blog", 1, 0),
	}
	diags := Conflicts(app, others)
	if len(diags) != 2 {
		t.Fatalf("diagnostics: %v", diags)
	}
	at := func(d *hcl.Diagnostic) string { return d.Subject.String() }
	if d := diags[0]; !strings.Contains(d.Detail, `App "blog"`) || at(d) != "skiff.hcl:6,14-32" {
		t.Errorf("host clash: %s %q", at(d), d.Detail)
	}
	if d := diags[1]; !strings.Contains(d.Detail, `"legacy", which skiff does not manage`) || at(d) != "skiff.hcl:9,15-21" {
		t.Errorf("path clash: %s %q", at(d), d.Detail)
	}
}

func TestRouteAndWeightChanges(t *testing.T) {
	t.Parallel()
	app := parseApp(t, shopSpec)
	got := func(changes []*change.Change) map[string]change.Action {
		out := map[string]change.Action{}
		for _, c := range changes {
			out[c.Resource+" "+c.Name] = c.Action
		}
		return out
	}
	if a := got(routeChanges(app, nil)); !reflect.DeepEqual(a, map[string]change.Action{
		"fabio_route shop.example.com/": change.Create, "fabio_route /api": change.Create}) {
		t.Errorf("nothing live: %v", a)
	}
	lr := []LiveRoute{
		live("shop", "web-shop-default", "urlprefix-shop.example.com/", 2, 1),
		live("shop", "web-shop-default", "urlprefix-/api", 2, 1), // strip changed
		live("shop", "web-shop-default", "urlprefix-/old", 2, 0), // gone from the spec
	}
	changes := routeChanges(app, lr)
	if a := got(changes); !reflect.DeepEqual(a, map[string]change.Action{"fabio_route shop.example.com/": change.None,
		"fabio_route /api": change.Update, "fabio_route /old": change.Delete}) {
		t.Errorf("live: %v", a)
	}
	if d := changes[1].Diff; len(d) != 1 || d[0].Old != "urlprefix-/api" || d[0].New != "urlprefix-/api strip=/api" {
		t.Errorf("update diff %+v", d[0])
	}

	stored := []StoredWeight{{Weight: Weight{Service: "web-shop-default", Percent: 10, Deployment: "abcdef123456"}}}
	w := weightChanges(app, lr, stored)
	if len(w) != 1 || w[0].Action != change.Update || w[0].Diff[0].Old != "10" || w[0].Diff[0].New != "20" {
		t.Errorf("weight of running canaries changed 10 → 20: %+v", w[0])
	}
	lr[0].Canaries, lr[1].Canaries = 0, 0
	w = weightChanges(app, lr, stored)
	if len(w) != 1 || w[0].Action != change.None || !strings.Contains(w[0].Notes[0], "Fabio ignores it") {
		t.Errorf("inert leftover: %+v", w[0])
	}
	w = weightChanges(app, lr, append(stored, StoredWeight{Weight: Weight{Service: "web-gone-default", Percent: 10}}))
	if len(w) != 2 || w[1].Name != "web-gone-default" || w[1].Action != change.Delete {
		t.Errorf("weight of a removed process: %+v", w)
	}
}

func TestDrift(t *testing.T) {
	t.Parallel()
	app := parseApp(t, shopSpec)
	desired := DesiredRoutes(app)
	svc := "web-shop-default"
	target := func(src, dst string, weight float64, canary bool, opts string) FabioTarget {
		tg := FabioTarget{Service: svc, Src: src, Dst: dst, Weight: weight, Opts: opts}
		if canary {
			tg.Tags = []string{CanaryTag}
		}
		return tg
	}
	fabio := []FabioTarget{
		target("shop.example.com/", "http://a/", 0.4, false, ""),
		target("shop.example.com/", "http://b/", 0.4, false, ""),
		target("shop.example.com/", "http://c/", 0.2, true, ""),
		target("/api", "http://a/", 0.5, false, ""), // strip missing
		target("/api", "http://b/", 0.5, false, ""),
		target("/old", "http://a/", 1, false, ""),
		{Service: "web-blog-default", Src: "/blog", Weight: 1}, // not in scope
	}
	stored := []StoredWeight{{Weight: Weight{Service: svc, Percent: 20, Canaries: 1, Srcs: []string{"shop.example.com/", "/api"}}}}
	states := Drift(desired, stored, fabio, map[string]bool{svc: true})
	want := map[string][]string{"shop.example.com/": nil, "/api": {DriftOpts}, "/old": {DriftExtra}}
	if len(states) != 3 {
		t.Fatalf("states %+v", states)
	}
	for _, s := range states {
		if !reflect.DeepEqual(s.Drift, want[s.Src]) {
			t.Errorf("%s: drift %v, want %v (%+v)", s.Src, s.Drift, want[s.Src], s)
		}
	}
	// The canary at 20% of 3 targets matches the weight; without the stored weight an even 1/3 is expected.
	states = Drift(desired[:1], nil, fabio[:3], map[string]bool{svc: true})
	if s := states[0]; !reflect.DeepEqual(s.Drift, []string{DriftWeight}) || s.WantShare < 0.33 || s.WantShare > 0.34 {
		t.Errorf("without a stored weight: %+v", s)
	}
	states = Drift(desired[:1], stored, nil, map[string]bool{svc: true})
	if s := states[0]; !reflect.DeepEqual(s.Drift, []string{DriftMissing}) {
		t.Errorf("nothing in Fabio: %+v", s)
	}
}

func TestRoutedServices(t *testing.T) {
	t.Parallel()
	app := parseApp(t, shopSpec)
	p := app.Process("web")
	meta := map[string]string{MetaApp: "shop", MetaNamespace: "default"}
	name := "web"
	job := &nomadapi.Job{TaskGroups: []*nomadapi.TaskGroup{{Name: &name, Services: []*nomadapi.Service{{
		Name: "web-shop-default", Tags: Tags(p.Routes), Meta: meta,
		CanaryTags: CanaryTags(p), CanaryMeta: CanaryMeta(p, meta),
	}}}}}
	got := routedServices(job)
	want := []routedService{{group: "web", service: "web-shop-default", namespace: "default", app: "shop", percent: 20,
		srcs: []string{"/api", "shop.example.com/"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("routedServices = %+v, want %+v", got, want)
	}
	job.TaskGroups[0].Services[0].CanaryTags = nil
	if got := routedServices(job); len(got) != 0 {
		t.Errorf("without canary tags: %+v", got)
	}
}

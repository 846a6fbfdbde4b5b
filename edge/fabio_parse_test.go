package edge

import (
	"bytes"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/fabiolb/fabio/route"

	"github.com/skiffpaas/skiff/jobspec"
)

// These tests hold skiff's tags and weight commands against Fabio 1.6.3's own parser and routing table
// (github.com/fabiolb/fabio/route), the code the running Fabio uses: a tag is turned into the `route add`
// text Fabio's Consul registry makes of it, parsed by route.Parse, and requests are looked up in the table.

const (
	svc      = "web-shop-default"
	stable1  = "127.0.0.1:20001"
	stable2  = "127.0.0.1:20002"
	stable3  = "127.0.0.1:20003"
	canary1  = "127.0.0.1:20011"
	lookupN  = 10000 // round-robin picks per share measurement
	shareTol = 0.002
)

// table builds Fabio's routing table from the commands its registry would make of tags registered by the
// instances at addrs (with extra non-route tags) followed by manual (KV) text, as Fabio's main loop does.
func table(t *testing.T, text string) route.Table {
	t.Helper()
	tbl, err := route.NewTable(bytes.NewBufferString(text))
	if err != nil {
		t.Fatalf("Fabio rejects the table: %v\n%s", err, text)
	}
	return tbl
}

func commands(tags []string, addr string, extra ...string) []string {
	var out []string
	for _, tag := range tags {
		r, ok := ParseTag(tag)
		if !ok {
			continue
		}
		out = append(out, r.Command(svc, addr, extra))
	}
	return out
}

func lookup(tbl route.Table, host, path string, header http.Header) *route.Target {
	req := httptest.NewRequest(http.MethodGet, "http://"+host+path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	return tbl.Lookup(req, "", route.Picker["rr"], route.Matcher["prefix"], route.NewGlobCache(100), false)
}

// TestTagsRoundTripThroughFabio parses the route add command of every route shape with Fabio's parser and
// checks what Fabio understood: service, source, destination, options.
func TestTagsRoundTripThroughFabio(t *testing.T) {
	t.Parallel()
	for _, tc := range routeCases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.route
			for _, tag := range RouteTags(&r) {
				parsed, ok := ParseTag(tag)
				if !ok {
					t.Fatalf("ParseTag(%q) failed", tag)
				}
				cmd := parsed.Command(svc, stable1, nil)
				defs, err := route.Parse(bytes.NewBufferString(cmd))
				if err != nil || len(defs) != 1 {
					t.Fatalf("route.Parse(%q) = %v, %v", cmd, defs, err)
				}
				d := defs[0]
				wantDst := "http://" + stable1 + "/"
				if parsed.IsRedirect() {
					wantDst = parsed.RedirectURL
				}
				if d.Cmd != route.RouteAddCmd || d.Service != svc || d.Src != parsed.Src || d.Dst != wantDst {
					t.Errorf("Fabio read %q as %+v", cmd, d)
				}
				wantOpts := map[string]string{}
				if s := parsed.Strip(); s != "" {
					wantOpts["strip"] = s
				}
				if parsed.IsRedirect() {
					wantOpts["redirect"] = strconv.Itoa(parsed.RedirectCode)
				}
				if len(d.Opts) == 0 {
					d.Opts = map[string]string{}
				}
				if !reflect.DeepEqual(d.Opts, wantOpts) {
					t.Errorf("opts of %q = %v, want %v", cmd, d.Opts, wantOpts)
				}
				// Fabio's table prints the route back in its own syntax; it must parse again to the same def.
				again, err := route.Parse(bytes.NewBufferString(table(t, cmd).String()))
				if err != nil || len(again) != 1 || again[0].Src != d.Src || again[0].Dst != d.Dst {
					t.Errorf("table text does not round-trip: %v %v", again, err)
				}
			}
		})
	}
}

// TestFabioServesRoutes looks requests up in the table made of one app's tags: host and path matching, strip,
// redirects, and https_only's host:80 redirect, which a request already forwarded as HTTPS skips.
func TestFabioServesRoutes(t *testing.T) {
	t.Parallel()
	routes := []*jobspec.Route{
		{Host: "shop.example.com", Path: "/api", Strip: true},
		{Host: "shop.example.com", Path: "/account", HTTPSOnly: true},
		{Host: "secure.example.com", Path: "/", HTTPSOnly: true},
		{Host: "secure.example.com", Path: "/hooks"},
		{Host: "old.example.com", Path: "/", Redirect: "https://new.example.com$path", RedirectCode: 308},
		{Path: "/status"},
	}
	tbl := table(t, strings.Join(commands(Tags(routes), stable1), "\n"))
	https := http.Header{"X-Forwarded-Proto": {"https"}}
	cases := []struct {
		name, host, path string
		header           http.Header
		dst, strip       string
		redirect         int
		location         string
	}{
		{name: "host and path, stripped", host: "shop.example.com", path: "/api/orders", header: https,
			dst: "http://" + stable1 + "/", strip: "/api"},
		{name: "plain HTTP is redirected to HTTPS", host: "shop.example.com", path: "/account/orders?id=1",
			redirect: 301, location: "https://shop.example.com/account/orders?id=1"},
		{name: "plain HTTP on an explicit :80", host: "shop.example.com:80", path: "/account",
			redirect: 301, location: "https://shop.example.com/account"},
		{name: "HTTPS (forwarded) is served", host: "shop.example.com", path: "/account", header: https,
			dst: "http://" + stable1 + "/"},
		{name: "a route without https_only is not redirected", host: "shop.example.com", path: "/api/x",
			dst: "http://" + stable1 + "/", strip: "/api"},
		// Fabio matches the host first: the host:80 table of secure.example.com has "/", which covers
		// "/hooks" too (the spec warns about this).
		{name: "https_only on a shorter path covers longer routes of the host", host: "secure.example.com", path: "/hooks/1",
			redirect: 301, location: "https://secure.example.com/hooks/1"},
		{name: "redirect route", host: "old.example.com", path: "/a/b",
			redirect: 308, location: "https://new.example.com/a/b"},
		{name: "any-host route", host: "whatever.test", path: "/status",
			dst: "http://" + stable1 + "/"},
		{name: "other host, unrouted path", host: "whatever.test", path: "/api"},
	}
	for _, tc := range cases {
		tg := lookup(tbl, tc.host, tc.path, tc.header)
		switch {
		case tc.dst == "" && tc.redirect == 0:
			if tg != nil {
				t.Errorf("%s: routed to %v, want no route", tc.name, tg.URL)
			}
		case tg == nil:
			t.Errorf("%s: no route", tc.name)
		case tc.redirect != 0:
			if tg.RedirectCode != tc.redirect || tg.RedirectURL == nil || tg.RedirectURL.String() != tc.location {
				t.Errorf("%s: redirect %d to %v, want %d to %s", tc.name, tg.RedirectCode, tg.RedirectURL, tc.redirect, tc.location)
			}
		default:
			if tg.RedirectCode != 0 || tg.URL.String() != tc.dst || tg.StripPath != tc.strip {
				t.Errorf("%s: target %v strip %q redirect %d, want %s strip %q", tc.name, tg.URL, tg.StripPath,
					tg.RedirectCode, tc.dst, tc.strip)
			}
		}
	}
}

// canaryShare measures the share of round-robin picks that land on canary targets of src.
func canaryShare(t *testing.T, tbl route.Table, host, path string) (weights, picks float64) {
	t.Helper()
	hits := 0
	for i := 0; i < lookupN; i++ {
		tg := lookup(tbl, host, path, nil)
		if tg == nil {
			t.Fatalf("no route for %s%s", host, path)
		}
		if hasTag(tg.Tags, CanaryTag) {
			hits++
		}
	}
	for _, r := range tbl[host] {
		if r.Path != path {
			continue
		}
		for _, tg := range r.Targets {
			if hasTag(tg.Tags, CanaryTag) {
				weights += tg.Weight
			}
			if hasTag(tg.Tags, WeightAnchorTag) {
				t.Errorf("the weight anchor is still in the table: %v", tg.URL)
			}
		}
	}
	return weights, float64(hits) / lookupN
}

// TestCanaryWeightInFabio reads the weight commands with Fabio's table after the service routes, as Fabio
// does with its KV path: the canaries get the configured share, and a weight whose canaries are gone leaves
// Fabio's table valid and the traffic spread evenly.
func TestCanaryWeightInFabio(t *testing.T) {
	t.Parallel()
	p := &jobspec.Process{Kind: jobspec.KindWeb, Routes: []*jobspec.Route{{Host: "shop.example.com", Path: "/"}, {Path: "/shop", Strip: true}},
		Rollout: &jobspec.Rollout{Canary: 1, CanaryWeight: 20}}
	stable := Tags(p.Routes)
	canary := CanaryTags(p)
	var services []string
	for _, addr := range []string{stable1, stable2, stable3} {
		services = append(services, commands(stable, addr)...)
	}
	canaryCmds := commands(canary, canary1, CanaryTag)
	w := Weight{Service: svc, Percent: 20, Canaries: 1, Srcs: []string{"shop.example.com/", "/shop"}, Deployment: "d1"}
	kv := w.Commands()

	for _, src := range []struct{ host, path string }{{"shop.example.com", "/"}, {"", "/shop"}} {
		tbl := table(t, strings.Join(append(append(services, canaryCmds...), kv), "\n"))
		weights, picks := canaryShare(t, tbl, src.host, src.path)
		if math.Abs(weights-0.20) > shareTol || math.Abs(picks-0.20) > shareTol {
			t.Errorf("%s%s: canary weight %.4f, picked %.4f, want 0.20", src.host, src.path, weights, picks)
		}
	}

	t.Run("two canaries split the weight", func(t *testing.T) {
		w2 := w
		w2.Canaries = 2
		two := append(commands(canary, canary1, CanaryTag), commands(canary, "127.0.0.1:20012", CanaryTag)...)
		tbl := table(t, strings.Join(append(append(services, two...), w2.Commands()), "\n"))
		if weights, picks := canaryShare(t, tbl, "", "/shop"); math.Abs(weights-0.20) > shareTol || math.Abs(picks-0.20) > shareTol {
			t.Errorf("canary weight %.4f, picked %.4f, want 0.20", weights, picks)
		}
		tbl = table(t, strings.Join(append(append(services, canaryCmds...), w2.Commands()), "\n"))
		if weights, _ := canaryShare(t, tbl, "", "/shop"); math.Abs(weights-w2.Share(1)) > 1e-9 {
			t.Errorf("one of two canaries healthy: weight %.4f, Share(1) %.4f", weights, w2.Share(1))
		}
	})

	t.Run("a weight without canaries is inert", func(t *testing.T) {
		// Promoted (the canary tag is gone) or failed (the canary is gone): the table must still build.
		promoted := commands(stable, canary1)
		tbl := table(t, strings.Join(append(append(services, promoted...), kv), "\n"))
		for _, r := range tbl[""] {
			for _, tg := range r.Targets {
				if tg.FixedWeight != 0 || math.Abs(tg.Weight-0.25) > 1e-9 {
					t.Errorf("%s: target %v has fixed weight %v, weight %v; want an even 0.25", r.Path, tg.URL, tg.FixedWeight, tg.Weight)
				}
			}
		}
		// Nothing but the weight: no route at all, and no error.
		if tbl := table(t, kv); len(tbl) != 0 {
			t.Errorf("a lone weight left routes: %s", tbl.String())
		}
	})

	t.Run("why the anchor: a bare weight that matches nothing breaks Fabio's whole table", func(t *testing.T) {
		bare := "route weight " + svc + " /shop weight 0.2 tags \"" + CanaryTag + "\""
		if _, err := route.NewTable(bytes.NewBufferString(strings.Join(append(services, bare), "\n"))); err == nil {
			t.Error("Fabio accepted a weight with no matching target; the anchor may be unnecessary now")
		}
	})
}

func TestWeightTextRoundTrip(t *testing.T) {
	t.Parallel()
	w := Weight{Service: svc, Percent: 10, Canaries: 2, Srcs: []string{"/shop", "shop.example.com/"}, Deployment: "0b5e"}
	got, err := ParseWeight(w.Commands())
	if err != nil || !reflect.DeepEqual(got, w) {
		t.Fatalf("ParseWeight = %+v, %v; want %+v", got, err, w)
	}
	defs, err := route.Parse(bytes.NewBufferString(w.Commands()))
	if err != nil || len(defs) != 6 {
		t.Fatalf("route.Parse: %d defs, %v", len(defs), err)
	}
	if d := defs[1]; d.Cmd != route.RouteWeightCmd || d.Service != svc || d.Src != "/shop" ||
		math.Abs(d.Weight-0.15) > 1e-9 || !reflect.DeepEqual(d.Tags, []string{CanaryTag}) {
		t.Errorf("Fabio read the weight as %+v", d)
	}
	if _, err := ParseWeight("route weight a /b weight 0.1"); err == nil {
		t.Error("text without a header parsed")
	}
}

package catalog

import (
	"strings"
	"testing"

	consulapi "github.com/hashicorp/consul/api"

	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner/change"
)

func TestServiceName(t *testing.T) {
	t.Parallel()
	if got := ServiceName("ledger", "default", "api"); got != "api-ledger-default" {
		t.Errorf("ServiceName = %q", got)
	}
	long := ServiceName(strings.Repeat("a", 40), "payments", strings.Repeat("p", 30))
	if len(long) != 63 || long != ServiceName(strings.Repeat("a", 40), "payments", strings.Repeat("p", 30)) {
		t.Errorf("long name %q (%d) is not a stable 63-char label", long, len(long))
	}
	if DNSName("ledger", "default", "api") != "api-ledger-default.service.consul" {
		t.Errorf("DNSName = %q", DNSName("ledger", "default", "api"))
	}
}

func TestNomadIDs(t *testing.T) {
	t.Parallel()
	const alloc = "0d5155c1-8804-40dc-3846-08d1c973839e"
	id := NomadServiceID(alloc, "api", "api-ledger-default", "main")
	if id != "_nomad-task-0d5155c1-8804-40dc-3846-08d1c973839e-group-api-api-ledger-default-main" {
		t.Fatalf("NomadServiceID = %q", id)
	}
	for _, tc := range []struct {
		id   string
		want string
		ok   bool
	}{
		{id, alloc, true},
		{id + SidecarSuffix, alloc, true},
		{"_nomad-task-short-group-x", "", false},
		{"_nomad-server-abc", "", false},
		{"_nomad-task-0d5155c1x8804-40dc-3846-08d1c973839e-group-a-b-c", "", false},
		{"api-ledger-default", "", false},
	} {
		got, ok := AllocIDOf(tc.id)
		if got != tc.want || ok != tc.ok {
			t.Errorf("AllocIDOf(%q) = %q, %v; want %q, %v", tc.id, got, ok, tc.want, tc.ok)
		}
	}
}

func parse(t *testing.T, src string) *jobspec.App {
	t.Helper()
	app, diags := jobspec.Parse("skiff.hcl", []byte(src), nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	return app
}

const storefront = `app "storefront" {
  image = "x:1"
  web "web" {
    port = 8080
    health { path = "/healthz" }
  }
  worker "jobs" {
    port = 9000
    health { path = "/healthz" }
  }
  worker "quiet" {}
  upstream "ledger" {
    destination = "api-ledger-default"
    local_port  = 9191
  }
  upstream "audit-log" {
    destination = "api-audit-default"
    local_port  = 9192
    processes   = ["jobs"]
  }
}
`

func TestDesired(t *testing.T) {
	t.Parallel()
	got := Desired(parse(t, storefront))
	want := map[string]map[string]consulapi.IntentionAction{
		"web-storefront-default":  {"*": "deny"},
		"jobs-storefront-default": {"*": "deny"},
		"api-ledger-default":      {"web-storefront-default": "allow", "jobs-storefront-default": "allow"},
		"api-audit-default":       {"jobs-storefront-default": "allow"},
	}
	if len(got) != len(want) {
		t.Fatalf("Desired = %v", got)
	}
	for dest, sources := range want {
		for src, a := range sources {
			if got[dest][src] != a || len(got[dest]) != len(sources) {
				t.Errorf("Desired[%s] = %v, want %v", dest, got[dest], sources)
			}
		}
	}
	name, value := UpstreamEnv(parse(t, storefront).Upstreams[1])
	if name != "AUDIT_LOG_ADDR" || value != "127.0.0.1:9192" {
		t.Errorf("UpstreamEnv = %s=%s", name, value)
	}
}

func TestMergeSources(t *testing.T) {
	t.Parallel()
	mine, theirs := Owner("default", "a"), Owner("default", "b")
	live := []*consulapi.SourceIntention{
		{Name: "*", Action: "deny", Description: theirs},
		{Name: "old-a-default", Action: "allow", Description: mine},
		{Name: "human", Action: "allow"},
	}
	got := mergeSources(live, mine, map[string]consulapi.IntentionAction{"web-a-default": "allow"})
	var names []string
	for _, s := range got {
		names = append(names, s.Name+":"+string(s.Action))
	}
	if strings.Join(names, ",") != "*:deny,human:allow,web-a-default:allow" {
		t.Errorf("merged %v", names)
	}
	if got[2].Description != mine || got[0].Description != theirs {
		t.Errorf("ownership lost: %+v", got)
	}
}

func TestEntryPlanChange(t *testing.T) {
	t.Parallel()
	mine := Owner("default", "a")
	entry := func(sources ...*consulapi.SourceIntention) *consulapi.ServiceIntentionsConfigEntry {
		return &consulapi.ServiceIntentionsConfigEntry{Name: "x", Sources: sources}
	}
	allow := map[string]consulapi.IntentionAction{"web-a-default": "allow"}
	for _, tc := range []struct {
		name  string
		p     entryPlan
		want  change.Action
		nodes int
	}{
		{"absent", entryPlan{want: allow, owned: map[string]consulapi.IntentionAction{}}, change.Create, 1},
		{"in sync", entryPlan{live: entry(&consulapi.SourceIntention{Name: "web-a-default", Description: mine}),
			want: allow, owned: allow}, change.None, 0},
		{"add beside others", entryPlan{live: entry(&consulapi.SourceIntention{Name: "*"}), want: allow,
			owned: map[string]consulapi.IntentionAction{}}, change.Update, 1},
		{"last source", entryPlan{live: entry(&consulapi.SourceIntention{Name: "web-a-default", Description: mine}),
			owned: allow}, change.Delete, 1},
		{"others stay", entryPlan{live: entry(&consulapi.SourceIntention{Name: "web-a-default", Description: mine},
			&consulapi.SourceIntention{Name: "*"}), owned: allow}, change.Update, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := tc.p.change("default")
			if ch.Action != tc.want || len(ch.Diff) != tc.nodes || ch.Resource != ResourceIntention {
				t.Errorf("change = %s with %d nodes, want %s with %d", ch.Action, len(ch.Diff), tc.want, tc.nodes)
			}
		})
	}
}

func TestAppProcessForm(t *testing.T) {
	t.Parallel()
	reg := map[string]bool{"api-ledger-default": true, "web-api-my-shop-default": true}
	for dest, want := range map[string]string{
		"ledger-api":      "api-ledger-default",
		"my-shop-web-api": "web-api-my-shop-default",
		"ledger":          "",
		"nothing-here":    "",
	} {
		if got := appProcessForm(dest, "default", reg); got != want {
			t.Errorf("appProcessForm(%q) = %q, want %q", dest, got, want)
		}
	}
}

func TestBuiltinProxy(t *testing.T) {
	t.Parallel()
	b := &BuiltinProxy{Launcher: "/d/meshproxy", Consul: "/d/consul", ConsulAddr: "127.0.0.1:8500"}
	got, err := ParseBuiltinProxy(b.String())
	if err != nil || *got != *b {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	for _, bad := range []string{"envoy", "consul-builtin", "consul-builtin,launcher=/x,consul=/y", "consul-builtin,foo=1"} {
		if _, err := ParseBuiltinProxy(bad); err == nil {
			t.Errorf("ParseBuiltinProxy(%q) accepted", bad)
		}
	}
	task := b.SidecarTask("_nomad-task-${NOMAD_ALLOC_ID}-group-g-s-p")
	if task.Driver != "raw_exec" || task.Config["command"] != "/d/meshproxy" {
		t.Errorf("task %+v", task)
	}
}

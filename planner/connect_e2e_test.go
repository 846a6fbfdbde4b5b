package planner_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/catalog"
	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
	"github.com/skiffpaas/skiff/planner"
	"github.com/skiffpaas/skiff/planner/compile"
)

const ledgerSpec = `app "ledger" {
  image = %q
  env   = { APP_NAME = "ledger" }
  worker "api" {
    command = ["/app"]
    count   = 2
    port    = 8080
    health {
      path     = "/healthz"
      interval = "1s"
      timeout  = "1s"
    }
    rollout {
      min_healthy_time  = "1s"
      healthy_deadline  = "45s"
      progress_deadline = "60s"
    }
    resources {
      cpu    = 50
      memory = 32
    }
  }
}
`

const storefrontSpec = `app "storefront" {
  image = %q
  env   = { APP_NAME = "storefront" }
  web "web" {
    command = ["/app"]
    port    = 8080
    route {
      path  = "/store"
      strip = true
    }
    health {
      path     = "/healthz"
      interval = "1s"
      timeout  = "1s"
    }
    rollout {
      min_healthy_time  = "1s"
      healthy_deadline  = "45s"
      progress_deadline = "60s"
    }
    resources {
      cpu    = 50
      memory = 32
    }
  }
  upstream "ledger" {
    destination = "api-ledger-default"
    local_port  = 9191
  }
}
`

// TestConnectMesh deploys two apps into the Connect mesh of the real stack — Consul's built-in proxy as the
// sidecar — and proves that the frontend's process reaches the backend through its upstream port only while
// the intention skiff wrote allows it; that the plan shows the intentions; that DNS SRV answers list exactly
// the healthy instances; and that Sweep finds and removes a registration whose allocation does not exist.
func TestConnectMesh(t *testing.T) {
	s := stack.Get(t)
	image, _ := devstacktest.DemoImage(t, "connect-e2e")
	st := newStack(t, s)
	st.Connect = compile.ConnectOptions{Mesh: true, Sidecar: s.ConnectSidecar()}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	ledger := parseSpec(t, fmt.Sprintf(ledgerSpec, image))
	storefront := parseSpec(t, fmt.Sprintf(storefrontSpec, image))
	const backend, frontend = "api-ledger-default", "web-storefront-default"

	t.Run("backend deploys into the mesh", func(t *testing.T) {
		if _, err := st.Deploy(ctx, ledger, logEvents(t)); err != nil {
			t.Fatal(err)
		}
		waitPassingN(t, st, backend, 2)
		waitPassingN(t, st, backend+"-sidecar-proxy", 2)
	})

	t.Run("status names the catalog service and DNS", func(t *testing.T) {
		status, err := st.Status(ctx, "default", "ledger")
		if err != nil {
			t.Fatal(err)
		}
		if len(status.Processes) != 1 {
			t.Fatalf("processes %+v", status.Processes)
		}
		p := status.Processes[0]
		if p.Service != catalog.ServiceName("ledger", "default", "api") || p.DNS != catalog.DNSName("ledger", "default", "api") ||
			p.Healthy != 2 {
			t.Fatalf("status of api: service %q dns %q healthy %d", p.Service, p.DNS, p.Healthy)
		}
	})

	t.Run("dns srv lists exactly the healthy instances", func(t *testing.T) {
		entries, _, err := st.Consul.Health().Service(backend, "", true, nil)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, e := range entries {
			want = append(want, fmt.Sprint(e.Service.Port))
		}
		sort.Strings(want)
		var got []string
		for _, rr := range devstacktest.SRV(t, s.Consul.DNSAddr, catalog.DNSName("ledger", "default", "api")+".") {
			got = append(got, fmt.Sprint(rr.Port))
		}
		sort.Strings(got)
		if len(want) != 2 || strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("SRV ports %v, healthy instances' ports %v", got, want)
		}
	})

	t.Run("plan shows the intentions", func(t *testing.T) {
		plan, err := st.Plan(ctx, storefront)
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]*planner.Change{}
		for _, c := range plan.Changes {
			if c.Resource == catalog.ResourceIntention {
				byName[c.Name] = c
			}
		}
		if c := byName[backend]; c == nil || c.Action != planner.ActionUpdate || !hasSource(c, frontend, "allow") ||
			len(c.Notes) > 0 {
			t.Errorf("intention on %s: %s", backend, jsonOf(c))
		}
		if c := byName[frontend]; c == nil || c.Action != planner.ActionCreate || !hasSource(c, "*", "deny") {
			t.Errorf("intention on %s: %s", frontend, jsonOf(c))
		}
	})

	var callURL string
	t.Run("frontend reaches the backend through its upstream", func(t *testing.T) {
		if _, err := st.Deploy(ctx, storefront, logEvents(t)); err != nil {
			t.Fatal(err)
		}
		addr := waitPassingN(t, st, frontend, 1)[0]
		callURL = "http://" + addr + "/upstream/ledger/"
		waitBody(t, callURL, "upstream ledger: hello from ledger", 60*time.Second)
		// Through Fabio too: a web process in the mesh keeps its route, to the app and not to its sidecar.
		for i := 0; i < 5; i++ {
			waitBody(t, "http://"+s.Fabio.ProxyAddr+"/store/upstream/ledger/", "upstream ledger: hello from ledger", 30*time.Second)
		}
		allowed, err := intentionAllows(st, frontend, backend)
		if err != nil || !allowed {
			t.Fatalf("intention check %s → %s: %v, %v", frontend, backend, allowed, err)
		}
	})

	t.Run("redeploying changes nothing", func(t *testing.T) {
		plan, err := st.Plan(ctx, storefront)
		if err != nil {
			t.Fatal(err)
		}
		if plan.HasChanges() {
			t.Fatalf("plan after deploy: %s", jsonOf(plan.Changes))
		}
	})

	t.Run("without the intention the call is refused", func(t *testing.T) {
		if callURL == "" {
			t.Fatal("frontend not deployed: an earlier step failed")
		}
		removeSource(t, st, backend, frontend)
		allowed, err := intentionAllows(st, frontend, backend)
		if err != nil || allowed {
			t.Fatalf("intention check after removing the source: %v, %v", allowed, err)
		}
		waitStatusNot200(t, callURL, 30*time.Second)
		// The refusal is the backend's sidecar enforcing the intention, not a broken path.
		waitSidecarLog(t, st, "ledger", "connect-proxy-"+backend, "authz call denied")
	})

	t.Run("deploy restores the intention", func(t *testing.T) {
		if callURL == "" {
			t.Fatal("frontend not deployed: an earlier step failed")
		}
		res, err := st.Deploy(ctx, storefront, logEvents(t))
		if err != nil {
			t.Fatal(err)
		}
		var restored bool
		for _, c := range res.Plan.Changes {
			restored = restored || (c.Resource == catalog.ResourceIntention && c.Name == backend && hasSource(c, frontend, "allow"))
		}
		if !restored {
			t.Fatalf("the plan does not restore the source: %s", jsonOf(res.Plan.Changes))
		}
		// The release is new, so is the allocation.
		callURL = "http://" + waitPassingN(t, st, frontend, 1)[0] + "/upstream/ledger/"
		waitBody(t, callURL, "upstream ledger: hello from ledger", 30*time.Second)
	})

	t.Run("sweep removes registrations of allocations that do not exist", func(t *testing.T) {
		fake := catalog.NomadServiceID("00000000-1111-2222-3333-444444444444", "web", "ghost-app-default", "http")
		if err := st.Consul.Agent().ServiceRegister(&consulapi.AgentServiceRegistration{ID: fake,
			Name: "ghost-app-default", Port: 1, Address: "127.0.0.1"}); err != nil {
			t.Fatal(err)
		}
		stale, err := catalog.Sweep(ctx, st.Consul, st.Nomad, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(stale) != 1 || stale[0].ID != fake || stale[0].Removed {
			t.Fatalf("sweep found %s, want only %s", jsonOf(stale), fake)
		}
		if stale, err = catalog.Sweep(ctx, st.Consul, st.Nomad, true); err != nil || len(stale) != 1 || !stale[0].Removed {
			t.Fatalf("sweep -remove: %s, %v", jsonOf(stale), err)
		}
		if stale, err = catalog.Sweep(ctx, st.Consul, st.Nomad, false); err != nil || len(stale) != 0 {
			t.Fatalf("sweep after -remove: %s, %v", jsonOf(stale), err)
		}
		waitPassingN(t, st, backend, 2)
		waitPassingN(t, st, frontend, 1)
	})

	t.Run("destroy removes the app's intentions", func(t *testing.T) {
		if _, err := st.Destroy(ctx, "default", "storefront", planner.DeployOptions{}); err != nil {
			t.Fatal(err)
		}
		entry, _, err := st.Consul.ConfigEntries().Get(consulapi.ServiceIntentions, backend, nil)
		if err != nil {
			t.Fatal(err)
		}
		sources := entry.(*consulapi.ServiceIntentionsConfigEntry).Sources
		if len(sources) != 1 || sources[0].Name != "*" {
			t.Fatalf("sources on %s after destroying storefront: %s", backend, jsonOf(sources))
		}
		if _, _, err := st.Consul.ConfigEntries().Get(consulapi.ServiceIntentions, frontend, nil); err == nil {
			t.Fatalf("the intentions of %s survived its app", frontend)
		}
	})
}

// waitPassingN waits until Consul lists n passing instances of service and returns their addresses.
func waitPassingN(t *testing.T, st *planner.Stack, service string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		entries, _, err := st.Consul.Health().Service(service, "", true, nil)
		if err == nil && len(entries) == n {
			var out []string
			for _, e := range entries {
				out = append(out, net.JoinHostPort(e.Service.Address, fmt.Sprint(e.Service.Port)))
			}
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d passing instances, want %d (err %v)", service, len(entries), n, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func hasSource(c *planner.Change, name, action string) bool {
	for _, n := range c.Diff {
		if n.Name == fmt.Sprintf("source %q", name) && n.Action == planner.ActionCreate && n.New == action {
			return true
		}
	}
	return false
}

func jsonOf(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// intentionAllows asks Consul whether src may connect to dst.
func intentionAllows(st *planner.Stack, src, dst string) (bool, error) {
	ok, _, err := st.Consul.Connect().IntentionCheck(&consulapi.IntentionCheck{Source: src, Destination: dst,
		SourceType: consulapi.IntentionSourceConsul}, nil)
	return ok, err
}

// removeSource deletes the source src from dst's intentions, behind skiff's back.
func removeSource(t *testing.T, st *planner.Stack, dst, src string) {
	t.Helper()
	raw, _, err := st.Consul.ConfigEntries().Get(consulapi.ServiceIntentions, dst, nil)
	if err != nil {
		t.Fatal(err)
	}
	entry := raw.(*consulapi.ServiceIntentionsConfigEntry)
	var kept []*consulapi.SourceIntention
	for _, s := range entry.Sources {
		if s.Name != src {
			kept = append(kept, s)
		}
	}
	entry.Sources = kept
	if ok, _, err := st.Consul.ConfigEntries().CAS(entry, entry.ModifyIndex, nil); err != nil || !ok {
		t.Fatalf("removing source %s from %s: %v, %v", src, dst, ok, err)
	}
}

// waitStatusNot200 polls url until it answers anything but 200.
func waitStatusNot200(t *testing.T, url string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err != nil {
			last = err.Error()
		} else {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			last = fmt.Sprintf("%s %q", resp.Status, b)
			if resp.StatusCode != http.StatusOK {
				t.Logf("refused as expected: %s", last)
				return
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("GET %s still succeeds after %s (last: %s)", url, timeout, last)
}

// TestCompileConnect checks the Connect part of compiled groups without a stack: upstreams, bridge mode, the
// local service port, the env var, Mesh and the sidecar override.
func TestCompileConnect(t *testing.T) {
	t.Parallel()
	app := parseSpec(t, fmt.Sprintf(storefrontSpec, "x:1"))
	group := func(opts compile.CompileOptions) *nomadapi.TaskGroup {
		d, err := compile.Compile(app, opts)
		if err != nil {
			t.Fatal(err)
		}
		return d.Jobs[0].TaskGroups[0]
	}
	g := group(compile.CompileOptions{})
	svc := g.Services[0]
	if g.Networks[0].Mode != "bridge" || svc.Connect == nil || svc.Connect.SidecarTask != nil {
		t.Fatalf("group %s: mode %q, connect %+v", *g.Name, g.Networks[0].Mode, svc.Connect)
	}
	proxy := svc.Connect.SidecarService.Proxy
	if len(proxy.Upstreams) != 1 || proxy.Upstreams[0].DestinationName != "api-ledger-default" ||
		proxy.Upstreams[0].LocalBindPort != 9191 || proxy.LocalServicePort != 8080 {
		t.Errorf("proxy %s", jsonOf(proxy))
	}
	if got := g.Tasks[0].Env["LEDGER_ADDR"]; got != "127.0.0.1:9191" {
		t.Errorf("LEDGER_ADDR = %q", got)
	}
	if tags := svc.Connect.SidecarService.Tags; len(tags) != 1 || tags[0] != compile.SidecarTag {
		t.Errorf("sidecar tags %v: without their own, sidecars inherit the route tags", tags)
	}
	if len(g.Networks[0].DynamicPorts) != 1 || g.Networks[0].DynamicPorts[0].To != 8080 {
		t.Errorf("ports %+v", g.Networks[0].DynamicPorts)
	}

	ledger := parseSpec(t, fmt.Sprintf(ledgerSpec, "x:1"))
	d, err := compile.Compile(ledger, compile.CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if lg := d.Jobs[0].TaskGroups[0]; lg.Networks[0].Mode != "" || lg.Services[0].Connect != nil {
		t.Errorf("a process without upstreams joined the mesh without Mesh")
	}
	sidecar := &catalog.BuiltinProxy{Launcher: "/l", Consul: "/c", ConsulAddr: "127.0.0.1:1"}
	d, err = compile.Compile(ledger, compile.CompileOptions{Connect: compile.ConnectOptions{Mesh: true, Sidecar: sidecar}})
	if err != nil {
		t.Fatal(err)
	}
	lsvc := d.Jobs[0].TaskGroups[0].Services[0]
	if lsvc.Connect == nil || lsvc.Connect.SidecarTask == nil {
		t.Fatalf("Mesh did not put the ledger in the mesh: %+v", lsvc.Connect)
	}
	args := lsvc.Connect.SidecarTask.Config["args"].([]string)
	if want := "_nomad-task-${NOMAD_ALLOC_ID}-group-api-api-ledger-default-main"; args[len(args)-1] != want {
		t.Errorf("sidecar args %v, want the service ID %s last", args, want)
	}
}

// waitSidecarLog waits until the stdout of the task in some running allocation of job contains want.
func waitSidecarLog(t *testing.T, st *planner.Stack, job, task, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		stubs, _, err := st.Nomad.Jobs().Allocations(job, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, stub := range stubs {
			if stub.ClientStatus != nomadapi.AllocClientStatusRunning {
				continue
			}
			alloc, _, err := st.Nomad.Allocations().Info(stub.ID, nil)
			if err != nil {
				t.Fatal(err)
			}
			r, err := st.Nomad.AllocFS().Cat(alloc, "alloc/logs/"+task+".stdout.0", nil)
			if err != nil {
				continue
			}
			b, _ := io.ReadAll(r)
			r.Close()
			if strings.Contains(string(b), want) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s log of job %s says %q", task, job, want)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

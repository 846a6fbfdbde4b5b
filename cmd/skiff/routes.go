package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/hashicorp/cli"
	consulapi "github.com/hashicorp/consul/api"

	"github.com/skiffpaas/skiff/catalog"
	"github.com/skiffpaas/skiff/edge"
	"github.com/skiffpaas/skiff/jobspec"
)

// routesCommand shows routes as Fabio serves them next to the desired ones.
type routesCommand struct{ ui cli.Ui }

func (c *routesCommand) Synopsis() string {
	return "Show an app's routes in Fabio next to the desired ones, with drift"
}
func (c *routesCommand) Help() string {
	return `Usage: skiff routes [-namespace NS] [-f FILE [-var name=value]...] [-json] [-detailed-exitcode] [APP]

  Lists Fabio's live routes (GET <ui_addr>/api/routes) next to the desired ones and marks the
  drift: "missing in Fabio" (desired, no healthy target), "extra in Fabio" (a target of the app that nothing
  desired explains), "weight differs" (the canaries' share is not the stored canary weight, or not an even
  share without one), "options differ" (strip or redirect).

  The desired routes come from the spec when -f is given, else from the tags the app's instances register in
  Consul. Without APP and -f, every skiff app's routes are listed (of -namespace, or of all namespaces).

  -json               Print the routes as JSON.
  -detailed-exitcode  Exit 0 without drift, 2 with drift, 1 on error.

  Fabio's UI address and KV path are the platform's (fabio { ui_addr, kv_path } in skiff-server.hcl,
  published in Consul KV; see docs/platform.md).`
}

func (c *routesCommand) Run(args []string) int {
	fl := flag.NewFlagSet("routes", flag.ContinueOnError)
	ns := fl.String("namespace", "", "Nomad namespace of the app (default: the spec's, else \"default\"; all without APP)")
	spec := &specFlags{file: fl.String("f", "", "read the desired routes from this spec"), vars: addVarFlags(fl)}
	asJSON := fl.Bool("json", false, "print JSON")
	detailed := fl.Bool("detailed-exitcode", false, "exit 2 when there is drift")
	if err := fl.Parse(args); err != nil {
		return 1
	}
	if err := needDirect(); err != nil {
		return reportError(c.ui, "routes", err)
	}
	if fl.NArg() > 1 {
		c.ui.Error("skiff routes takes at most one app name\n\n" + c.Help())
		return 1
	}
	consul, err := consulapi.NewClient(consulapi.DefaultConfig())
	if err != nil {
		return reportError(c.ui, "routes", err)
	}
	ctx, cancel := signalContext()
	defer cancel()
	cfg, err := platformConfig(ctx, consul)
	if err != nil {
		return reportError(c.ui, "routes", err)
	}

	live, err := edge.LiveRoutes(ctx, consul)
	if err != nil {
		return reportError(c.ui, "routes", err)
	}
	var desired []edge.DesiredRoute
	scope := map[string]bool{}
	namespace, app := *ns, fl.Arg(0)
	if *spec.file != "" {
		a := spec.load(c.ui)
		if a == nil {
			return 1
		}
		if app != "" && app != a.Name {
			return reportError(c.ui, "routes", fmt.Errorf("%s is the spec of app %q, not %q", *spec.file, a.Name, app))
		}
		namespace, app = a.Namespace, a.Name
		desired = edge.DesiredRoutes(a)
		for _, p := range a.ProcessesOf(jobspec.KindWeb) {
			scope[catalog.ServiceName(a.Name, a.Namespace, p.Name)] = true
		}
	} else {
		if app != "" && namespace == "" {
			namespace = "default"
		}
		desired = edge.DesiredFromLive(live, namespace, app)
	}
	for _, d := range desired {
		scope[d.Service] = true
	}
	for _, l := range live { // an app's services that register no desired route any more
		if l.App != "" && (app == "" || l.App == app) && (namespace == "" || l.Namespace == namespace) {
			scope[l.Service] = true
		}
	}
	weights, err := edge.NewWeightStore(consul.KV(), cfg.Fabio.KVPath).List(ctx, namespace, app)
	if err != nil {
		return reportError(c.ui, "routes", err)
	}
	targets, err := edge.NewFabioClient(cfg.Fabio.UIAddr).Routes(ctx)
	if err != nil {
		return reportError(c.ui, "routes", err)
	}
	states := edge.Drift(desired, weights, targets, scope)
	drifted := 0
	for _, s := range states {
		if len(s.Drift) > 0 {
			drifted++
		}
	}
	if *asJSON {
		b, _ := json.MarshalIndent(states, "", "  ")
		c.ui.Output(string(b))
	} else {
		c.ui.Output(renderRoutes(states, drifted))
		for _, note := range inertWeights(weights, states) {
			c.ui.Output(note)
		}
	}
	if *detailed && drifted > 0 {
		return 2
	}
	return 0
}

// renderRoutes prints one line per route: source, service, options, targets, the canaries' share, drift.
func renderRoutes(states []edge.RouteState, drifted int) string {
	if len(states) == 0 {
		return "No routes."
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tSERVICE\tOPTIONS\tTARGETS\tCANARY SHARE\tDRIFT")
	for _, s := range states {
		opts := "-"
		if d := s.Desired; d != nil {
			var o []string
			if st := d.Strip(); st != "" {
				o = append(o, "strip "+st)
			}
			if d.IsRedirect() {
				o = append(o, fmt.Sprintf("redirect %d %s", d.RedirectCode, d.RedirectURL))
			}
			if len(o) > 0 {
				opts = strings.Join(o, ", ")
			}
		}
		share := "-"
		if s.Canaries > 0 {
			share = fmt.Sprintf("%s of %d (want %s)", edge.FormatShare(s.CanaryShare), s.Canaries, edge.FormatShare(s.WantShare))
			if s.WeightPercent > 0 {
				share += fmt.Sprintf(", weight %d%%", s.WeightPercent)
			}
		}
		drift := "ok"
		if len(s.Drift) > 0 {
			drift = strings.Join(s.Drift, ", ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", s.Src, s.Service, opts, s.Targets, share, drift)
	}
	tw.Flush()
	fmt.Fprintf(&b, "\n%d route(s), %d with drift.", len(states), drifted)
	return b.String()
}

// inertWeights notes the stored weights that no canary in Fabio matches: their deployment ended outside
// skiff's watch (promoted with nomad), so Fabio ignores them until the next deploy removes them.
func inertWeights(weights []edge.StoredWeight, states []edge.RouteState) []string {
	canaries := map[string]bool{}
	for _, s := range states {
		if s.Canaries > 0 {
			canaries[s.Service] = true
		}
	}
	var out []string
	for _, w := range weights {
		if !canaries[w.Service] {
			out = append(out, fmt.Sprintf("Note: the canary weight of deployment %s for %s is left in Consul KV (%s); "+
				"no canary matches it, so Fabio ignores it, and the next deploy of the app removes it.",
				short(w.Deployment, 8), w.Service, w.Key))
		}
	}
	return out
}

package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"github.com/hashicorp/cli"
	"github.com/hashicorp/hcl/v2"

	"github.com/skiffpaas/skiff/jobspec"
)

// validateCommand implements `skiff validate`: it parses and checks spec files without contacting any server.
type validateCommand struct{ ui cli.Ui }

func (c *validateCommand) Synopsis() string {
	return "Check app spec files for errors"
}

func (c *validateCommand) Help() string {
	return `Usage: skiff validate [-json] [-var name=value]... [-var-file file]... FILE...

  Parses and checks each app spec file (skiff.hcl) offline: syntax, variables and their validation rules,
  names, ports, routes, schedules, durations, resources, rollout and autoscale settings. Each problem is
  printed as "file:line:col: Error: summary" with the source and a hint on how to fix it.

  Variable values come from SKIFF_VAR_<name> environment variables, *.auto.skiffvars.hcl files beside
  the spec, then -var and -var-file in the order given (later wins).

  Exit status: 0 when every file is valid (warnings allowed), 1 otherwise.

Options:

  -json            Print {"valid", "error_count", "warning_count", "diagnostics": [...]} on stdout.
  -var name=value  Set a variable (repeatable).
  -var-file FILE   Read variable values from FILE (repeatable).`
}

func (c *validateCommand) Run(args []string) int {
	fl := flag.NewFlagSet("validate", flag.ContinueOnError)
	fl.Usage = func() { c.ui.Error(c.Help()) }
	asJSON := fl.Bool("json", false, "print diagnostics as JSON")
	vars := addVarFlags(fl)
	if err := fl.Parse(args); err != nil {
		return 1
	}
	files := fl.Args()
	if len(files) == 0 {
		c.ui.Error("skiff validate: name at least one spec file, such as skiff.hcl\n\n" + c.Help())
		return 1
	}
	var all hcl.Diagnostics
	var summaries []string
	for _, f := range files {
		app, diags := jobspec.LoadFile(f, vars.options())
		all = append(all, diags...)
		if app != nil {
			summaries = append(summaries, summary(f, app, diags))
		}
	}
	if *asJSON {
		b, err := json.MarshalIndent(jobspec.DiagnosticsJSON(all), "", "  ")
		if err != nil {
			c.ui.Error("skiff validate: " + err.Error())
			return 1
		}
		c.ui.Output(string(b))
	} else {
		var buf strings.Builder
		newDiagPrinter(&buf).print(all)
		if buf.Len() > 0 {
			c.ui.Error(strings.TrimRight(buf.String(), "\n") + "\n")
		}
		for _, s := range summaries {
			c.ui.Output(s)
		}
	}
	if all.HasErrors() {
		return 1
	}
	return 0
}

// summary is the one-line success report of a file, such as
// `skiff.hcl: valid — app "shop": 1 web, 1 worker, 1 cron`.
func summary(file string, app *jobspec.App, diags hcl.Diagnostics) string {
	counts := map[jobspec.ProcessKind]int{}
	for _, p := range app.Processes {
		counts[p.Kind]++
	}
	var parts []string
	for _, k := range jobspec.ProcessKinds() {
		if counts[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
		}
	}
	s := fmt.Sprintf("%s: valid — app %q: %s", file, app.Name, strings.Join(parts, ", "))
	if n := len(app.Binds); n > 0 {
		s += fmt.Sprintf("; %d bind", n) + plural(n)
	}
	if n := len(app.Upstreams); n > 0 {
		s += fmt.Sprintf("; %d upstream", n) + plural(n)
	}
	if n := len(diags); n > 0 {
		s += fmt.Sprintf(" (%d warning%s)", n, plural(n))
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

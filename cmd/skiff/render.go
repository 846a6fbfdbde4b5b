package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"github.com/hashicorp/cli"

	"github.com/skiffpaas/skiff/planner/compile"
)

// renderCommand prints the Nomad jobs compiled from a spec.
type renderCommand struct{ ui cli.Ui }

func (c *renderCommand) Synopsis() string {
	return "Print the Nomad jobs a spec compiles to (JSON or HCL)"
}
func (c *renderCommand) Help() string {
	return `Usage: skiff render [-f skiff.hcl] [-hcl] [-var name=value]... [-var-file FILE]...

  Compiles the spec and prints the Nomad jobs, release tasks first: the JSON of Nomad's API (as
  'nomad job run -json' reads it; unset fields left out), or with -hcl Nomad job files that Nomad's own
  parser reads back to the same jobs. Nothing is sent to any server. Sensitive values are not in either:
  they live in Vault.`
}

func (c *renderCommand) Run(args []string) int {
	fl := flag.NewFlagSet("render", flag.ContinueOnError)
	spec := addSpecFlags(fl)
	asHCL := fl.Bool("hcl", false, "print Nomad HCL job files instead of JSON")
	if err := fl.Parse(args); err != nil {
		return 1
	}
	app := spec.load(c.ui)
	if app == nil {
		return 1
	}
	d, err := compile.Compile(app, compile.CompileOptions{})
	if err != nil {
		return reportError(c.ui, "render", err)
	}
	for _, w := range d.Warnings {
		c.ui.Warn("Warning: " + w)
	}
	if *asHCL {
		for i, job := range d.AllJobs() {
			b, err := compile.RenderHCL(job)
			if err != nil {
				return reportError(c.ui, "render", err)
			}
			if i > 0 {
				c.ui.Output("")
			}
			c.ui.Output(fmt.Sprintf("# %s.nomad.hcl", *job.ID))
			c.ui.Output(strings.TrimRight(string(b), "\n"))
		}
		return 0
	}
	out := make([]interface{}, 0, len(d.AllJobs()))
	for _, job := range d.AllJobs() {
		out = append(out, compile.CompactJSON(job))
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return reportError(c.ui, "render", err)
	}
	c.ui.Output(string(b))
	return 0
}

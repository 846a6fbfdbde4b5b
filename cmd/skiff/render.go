package main

import (
	"encoding/json"
	"flag"

	"github.com/hashicorp/cli"

	"github.com/skiffpaas/skiff/planner"
)

// renderCommand prints the Nomad jobs compiled from a spec.
type renderCommand struct{ ui cli.Ui }

func (c *renderCommand) Synopsis() string { return "Print the Nomad jobs a spec compiles to, as JSON" }
func (c *renderCommand) Help() string {
	return `Usage: skiff render [-f skiff.hcl] [-var name=value]... [-var-file FILE]...

  Compiles the spec and prints the Nomad jobs (the JSON of Nomad's API, as 'nomad job run -json' reads
  it), release tasks first. Nothing is sent to any server; unset fields are left out.`
}

func (c *renderCommand) Run(args []string) int {
	fl := flag.NewFlagSet("render", flag.ContinueOnError)
	spec := addSpecFlags(fl)
	if err := fl.Parse(args); err != nil {
		return 1
	}
	app := spec.load(c.ui)
	if app == nil {
		return 1
	}
	d, err := planner.Compile(app, planner.CompileOptions{})
	if err != nil {
		return reportError(c.ui, "render", err)
	}
	for _, w := range d.Warnings {
		c.ui.Warn("Warning: " + w)
	}
	out := make([]interface{}, 0, len(d.AllJobs()))
	for _, job := range d.AllJobs() {
		out = append(out, planner.CompactJSON(job))
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return reportError(c.ui, "render", err)
	}
	c.ui.Output(string(b))
	return 0
}

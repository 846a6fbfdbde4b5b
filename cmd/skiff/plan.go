package main

import (
	"encoding/json"
	"flag"

	"github.com/hashicorp/cli"
)

// planCommand shows what a deploy would change.
type planCommand struct{ ui cli.Ui }

func (c *planCommand) Synopsis() string { return "Show what deploying the spec would change" }
func (c *planCommand) Help() string {
	return `Usage: skiff plan [-f skiff.hcl] [-json] [-detailed-exitcode] [-var name=value]... [-var-file FILE]...

  Compiles the spec and diffs it against the live stack: every job through Nomad's plan API (field by
  field), jobs to create, and jobs to prune because the spec no longer has them. Nothing is changed.

  -json               Print the plan as JSON.
  -detailed-exitcode  Exit 0 when there are no changes, 2 when there are, 1 on error (like terraform).`
}

func (c *planCommand) Run(args []string) int {
	fl := flag.NewFlagSet("plan", flag.ContinueOnError)
	spec := addSpecFlags(fl)
	asJSON := fl.Bool("json", false, "print the plan as JSON")
	detailed := fl.Bool("detailed-exitcode", false, "exit 2 when there are changes")
	token := addTokenFlag(fl)
	if err := fl.Parse(args); err != nil {
		return 1
	}
	app := spec.loadSpec(c.ui)
	if app == nil {
		return 1
	}
	b, err := newBackend(token)
	if err != nil {
		return reportError(c.ui, "plan", err)
	}
	ctx, cancel := signalContext()
	defer cancel()
	plan, err := b.Plan(ctx, app)
	if err != nil {
		return reportError(c.ui, "plan", err)
	}
	if *asJSON {
		b, _ := json.MarshalIndent(plan, "", "  ")
		c.ui.Output(string(b))
	} else {
		c.ui.Output(renderPlan(plan))
	}
	if *detailed && plan.HasChanges() {
		return 2
	}
	return 0
}

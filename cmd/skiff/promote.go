package main

import (
	"flag"

	"github.com/hashicorp/cli"

	"github.com/skiffpaas/skiff/planner"
)

// promoteCommand promotes a deployment's canaries.
type promoteCommand struct{ ui cli.Ui }

func (c *promoteCommand) Synopsis() string {
	return "Promote the canaries of an app's running deployment"
}
func (c *promoteCommand) Help() string {
	return `Usage: skiff promote [-namespace NS] [APP]

  Promotes the canaries of the app's deployment that waits for manual promotion (a rollout with canaries and
  no auto_promote), then watches the rest of the rollout like a deploy and removes the canaries' traffic
  weight when it ends. Exit status 1 when the deployment then fails.`
}

func (c *promoteCommand) Run(args []string) int {
	fl := flag.NewFlagSet("promote", flag.ContinueOnError)
	ref := addAppFlags(fl)
	if err := fl.Parse(args); err != nil {
		return 1
	}
	ns, app, _, b, err := ref.connect(fl.Args())
	if err != nil {
		return reportError(c.ui, "promote", err)
	}
	ctx, cancel := signalContext()
	defer cancel()
	prog := newUIProgress(c.ui)
	if err := b.Promote(ctx, ns, app, planner.DeployOptions{Progress: prog.event}); err != nil {
		return reportError(c.ui, "promote", err)
	}
	c.ui.Output("Deployment of " + app + " is healthy.")
	return 0
}

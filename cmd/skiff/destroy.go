package main

import (
	"flag"
	"fmt"

	"github.com/hashicorp/cli"

	"github.com/skiffpaas/skiff/planner"
)

// destroyCommand removes an app.
type destroyCommand struct{ ui cli.Ui }

func (c *destroyCommand) Synopsis() string {
	return "Remove an app: jobs, intentions, routes, releases"
}
func (c *destroyCommand) Help() string {
	return `Usage: skiff destroy [-namespace NS] [-lock-timeout D] -yes [APP]

  Stops and purges every job of the app (with the runs of its cron and function jobs), removes its intentions,
  Vault roles, policies and config values, and canary weights, and then deletes its release history. A destroy
  that fails part-way keeps the history and can be run again to finish. There is no undo; -yes is required.

  -lock-timeout  Wait this long for a running deploy of the app to finish (default: fail at once).`
}

func (c *destroyCommand) Run(args []string) int {
	fl := flag.NewFlagSet("destroy", flag.ContinueOnError)
	ref := addAppFlags(fl)
	yes := fl.Bool("yes", false, "confirm")
	lockTimeout := fl.Duration("lock-timeout", 0, "wait this long for another deploy of the app to finish")
	if err := fl.Parse(args); err != nil {
		return 1
	}
	ns, app, _, err := ref.resolve(fl.Args())
	if err != nil {
		return reportError(c.ui, "destroy", err)
	}
	if !*yes {
		c.ui.Error(fmt.Sprintf("skiff destroy: this removes app %q (namespace %q) and its history; run again with -yes", app, ns))
		return 1
	}
	b, err := newBackend(ref.token)
	if err != nil {
		return reportError(c.ui, "destroy", err)
	}
	ctx, cancel := signalContext()
	defer cancel()
	ids, err := b.Destroy(ctx, ns, app, planner.DeployOptions{CreatedBy: whoami(), LockTimeout: *lockTimeout})
	for _, id := range ids {
		c.ui.Output("Removed job " + id)
	}
	if err != nil {
		return reportError(c.ui, "destroy", err)
	}
	c.ui.Output(fmt.Sprintf("App %q destroyed.", app))
	return 0
}

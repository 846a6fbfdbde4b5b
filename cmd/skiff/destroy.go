package main

import (
	"flag"
	"fmt"

	"github.com/hashicorp/cli"
)

// destroyCommand removes an app.
type destroyCommand struct{ ui cli.Ui }

func (c *destroyCommand) Synopsis() string {
	return "Remove an app: jobs, intentions, routes, releases"
}
func (c *destroyCommand) Help() string {
	return `Usage: skiff destroy [-namespace NS] -yes [APP]

  Stops and purges every job of the app, removes its intentions, routes and canary weights, and deletes its
  release history. There is no undo; -yes is required.`
}

func (c *destroyCommand) Run(args []string) int {
	fl := flag.NewFlagSet("destroy", flag.ContinueOnError)
	ref := addAppFlags(fl)
	yes := fl.Bool("yes", false, "confirm")
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
	st, err := newStack()
	if err != nil {
		return reportError(c.ui, "destroy", err)
	}
	ctx, cancel := signalContext()
	defer cancel()
	ids, err := st.Destroy(ctx, ns, app)
	for _, id := range ids {
		c.ui.Output("Removed job " + id)
	}
	if err != nil {
		return reportError(c.ui, "destroy", err)
	}
	c.ui.Output(fmt.Sprintf("App %q destroyed.", app))
	return 0
}

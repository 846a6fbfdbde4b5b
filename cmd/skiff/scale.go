package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/cli"
)

// scaleCommand sets process counts.
type scaleCommand struct{ ui cli.Ui }

func (c *scaleCommand) Synopsis() string { return "Set the instance count of web and worker processes" }
func (c *scaleCommand) Help() string {
	return `Usage: skiff scale [-namespace NS] [APP] PROCESS=COUNT...

  Scales the processes now and records the counts, so that later deploys keep them (like Heroku's
  formation) until the next scale. Autoscale bounds of the spec are enforced by Nomad.
  Example: skiff scale shop web=5 mailer=2`
}

func (c *scaleCommand) Run(args []string) int {
	fl := flag.NewFlagSet("scale", flag.ContinueOnError)
	ref := addAppFlags(fl)
	if err := fl.Parse(args); err != nil {
		return 1
	}
	ns, app, rest, err := ref.resolve(fl.Args())
	if err != nil {
		return reportError(c.ui, "scale", err)
	}
	if len(rest) == 0 {
		c.ui.Error("skiff scale: name at least one PROCESS=COUNT\n\n" + c.Help())
		return 1
	}
	counts := map[string]int{}
	for _, a := range rest {
		name, val, ok := strings.Cut(a, "=")
		n, err := strconv.Atoi(val)
		if !ok || err != nil || name == "" {
			c.ui.Error(fmt.Sprintf("skiff scale: %q is not PROCESS=COUNT (such as web=3)", a))
			return 1
		}
		counts[name] = n
	}
	b, err := newBackend(ref.token)
	if err != nil {
		return reportError(c.ui, "scale", err)
	}
	ctx, cancel := signalContext()
	defer cancel()
	if err := b.Scale(ctx, ns, app, counts); err != nil {
		return reportError(c.ui, "scale", err)
	}
	for _, a := range rest {
		c.ui.Output("Scaled " + app + " " + a)
	}
	return 0
}

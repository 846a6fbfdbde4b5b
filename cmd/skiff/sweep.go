package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/hashicorp/cli"

	"github.com/skiffpaas/skiff/catalog"
)

// sweepCommand finds and removes Consul registrations that outlived their Nomad allocations.
type sweepCommand struct{ ui cli.Ui }

func (c *sweepCommand) Synopsis() string {
	return "Find (and remove) Consul services whose Nomad allocation is gone"
}

func (c *sweepCommand) Help() string {
	return `Usage: skiff sweep [-remove] [-json]

  Lists the services in Consul's catalog that Nomad registered (IDs starting with "_nomad-task-") whose
  allocation Nomad no longer knows or that has completed, failed or been lost — left behind by a Nomad client
  that crashed or lost its state. Such registrations keep answering in DNS and routing. With -remove, each is
  deregistered (through the local Consul agent for its own node, through the catalog for other nodes).
  Registrations of running allocations are never touched.

  Exit status: 0 when nothing is stale or everything stale was removed, 2 when stale registrations were found
  and left in place, 1 on error.`
}

func (c *sweepCommand) Run(args []string) int {
	fl := flag.NewFlagSet("sweep", flag.ContinueOnError)
	remove := fl.Bool("remove", false, "deregister the stale services")
	asJSON := fl.Bool("json", false, "print JSON")
	if err := fl.Parse(args); err != nil {
		return 1
	}
	if err := needDirect(); err != nil {
		return reportError(c.ui, "sweep", err)
	}
	if fl.NArg() > 0 {
		c.ui.Error("skiff sweep takes no arguments")
		return 1
	}
	st, err := newStack()
	if err != nil {
		return reportError(c.ui, "sweep", err)
	}
	ctx, cancel := signalContext()
	defer cancel()
	stale, err := catalog.Sweep(ctx, st.Consul, st.Nomad, *remove)
	if *asJSON {
		if stale == nil {
			stale = []*catalog.StaleService{}
		}
		b, _ := json.MarshalIndent(stale, "", "  ")
		c.ui.Output(string(b))
	} else if len(stale) == 0 && err == nil {
		c.ui.Output("No stale registrations.")
	} else if len(stale) > 0 {
		tw := tabwriter.NewWriter(stdout(c.ui), 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NODE\tSERVICE\tID\tREASON\tREMOVED")
		for _, s := range stale {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\n", s.Node, s.Name, s.ID, s.Reason, s.Removed)
		}
		tw.Flush()
	}
	if err != nil {
		return reportError(c.ui, "sweep", err)
	}
	if len(stale) > 0 && !*remove {
		if !*asJSON {
			c.ui.Output(fmt.Sprintf("\n%d stale registration(s); run skiff sweep -remove to deregister them.", len(stale)))
		}
		return 2
	}
	return 0
}

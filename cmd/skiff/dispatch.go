package main

import (
	"flag"
	"io"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/cli"
)

// dispatchCommand runs a function (or a cron process now).
type dispatchCommand struct{ ui cli.Ui }

func (c *dispatchCommand) Synopsis() string {
	return "Run a function with a payload, or a cron process now"
}
func (c *dispatchCommand) Help() string {
	return `Usage: skiff dispatch [-namespace NS] [-meta k=v]... [-detach] [APP] PROCESS [PAYLOAD | -]

  For a function: dispatches one run with PAYLOAD (a literal, or - to read stdin) and the -meta values.
  For a cron process: starts a run now, outside its schedule. Waits for the run, prints its output and exits
  0 when it completed (-detach returns at once with the run's job ID).`
}

func (c *dispatchCommand) Run(args []string) int {
	fl := flag.NewFlagSet("dispatch", flag.ContinueOnError)
	ref := addAppFlags(fl)
	detach := fl.Bool("detach", false, "do not wait for the run")
	timeout := fl.Duration("timeout", 10*time.Minute, "how long to wait for the run")
	meta := map[string]string{}
	fl.Func("meta", "dispatch meta key=value (repeatable)", func(s string) error {
		k, v, _ := strings.Cut(s, "=")
		meta[k] = v
		return nil
	})
	if err := fl.Parse(args); err != nil {
		return 1
	}
	rest := fl.Args()
	// APP PROCESS [PAYLOAD] or PROCESS [PAYLOAD] with the app from skiff.hcl.
	var appArgsList []string
	if len(rest) >= 2 {
		appArgsList, rest = rest[:1], rest[1:]
	}
	ns, app, _, err := ref.resolve(appArgsList)
	if err != nil || len(rest) == 0 {
		c.ui.Error("skiff dispatch: name the process\n\n" + c.Help())
		return 1
	}
	process := rest[0]
	var payload []byte
	if len(rest) > 1 {
		if rest[1] == "-" {
			if payload, err = io.ReadAll(os.Stdin); err != nil {
				return reportError(c.ui, "dispatch", err)
			}
		} else {
			payload = []byte(rest[1])
		}
	}
	b, err := newBackend(ref.token)
	if err != nil {
		return reportError(c.ui, "dispatch", err)
	}
	ctx, cancel := signalContext()
	defer cancel()
	res, err := b.Dispatch(ctx, ns, app, process, payload, meta, *detach, *timeout,
		func(id string) { c.ui.Output("Started " + id) })
	if err != nil {
		return reportError(c.ui, "dispatch", err)
	}
	if res.Started {
		return 0
	}
	return finishBatch(c.ui, res)
}

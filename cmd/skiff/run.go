package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hashicorp/cli"
)

// runCommand runs a one-off command with the app's image and env.
type runCommand struct{ ui cli.Ui }

func (c *runCommand) Synopsis() string { return "Run a one-off command with the app's image and env" }
func (c *runCommand) Help() string {
	return `Usage: skiff run [-namespace NS] [-process NAME] [-timeout 10m] [APP] -- COMMAND [ARG]...

  Starts a one-off batch job with the image (or artifact), driver, env and resources of the app's process
  (default: its first web or worker process), waits for it, prints its output and exits with 0 when it
  completed, 1 when it failed. Like 'heroku run'.`
}

func (c *runCommand) Run(args []string) int {
	fl := flag.NewFlagSet("run", flag.ContinueOnError)
	ref := addAppFlags(fl)
	process := fl.String("process", "", "process whose image and env to use")
	timeout := fl.Duration("timeout", 10*time.Minute, "how long the command may run")
	if err := fl.Parse(args); err != nil {
		return 1
	}
	before, command := splitDashDash(fl.Args())
	if len(command) == 0 {
		c.ui.Error("skiff run: give the command after --\n\n" + c.Help())
		return 1
	}
	ns, app, _, b, err := ref.connect(before)
	if err != nil {
		return reportError(c.ui, "run", err)
	}
	ctx, cancel := signalContext()
	defer cancel()
	res, err := b.Run(ctx, ns, app, *process, command, *timeout)
	if err != nil {
		return reportError(c.ui, "run", err)
	}
	return finishBatch(c.ui, res)
}

// finishBatch prints a finished batch run's output and status and returns the exit status.
func finishBatch(ui cli.Ui, res *batchResult) int {
	_, _ = io.WriteString(stdout(ui), res.Stdout)
	_, _ = io.WriteString(stderr(ui), res.Stderr)
	if res.Status == "complete" {
		ui.Output(fmt.Sprintf("%s completed.", res.JobID))
		return 0
	}
	reason := ""
	if res.Status == "unplaceable" {
		reason = "(" + res.Reason + ")"
	}
	ui.Error(fmt.Sprintf("%s ended %s %s", res.JobID, res.Status, strings.TrimSpace(reason)))
	return 1
}

func splitDashDash(args []string) (before, after []string) {
	for i, a := range args {
		if a == "--" {
			return args[:i], args[i+1:]
		}
	}
	return args, nil
}

// firstProcess returns the name of the app's first process in status order.
func firstProcess(ctx context.Context, b backend, ns, app string) (string, error) {
	s, err := b.Status(ctx, ns, app)
	if err != nil {
		return "", err
	}
	if len(s.Processes) == 0 {
		return "", fmt.Errorf("app %q has no processes", app)
	}
	return s.Processes[0].Name, nil
}

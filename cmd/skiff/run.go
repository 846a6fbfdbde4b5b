package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hashicorp/cli"

	"github.com/skiffpaas/skiff/planner"
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
	ns, app, _, st, err := ref.connect(before)
	if err != nil {
		return reportError(c.ui, "run", err)
	}
	ctx, cancel := signalContext()
	defer cancel()
	res, err := st.Run(ctx, ns, app, *process, command, *timeout)
	if err != nil {
		return reportError(c.ui, "run", err)
	}
	return finishBatch(ctx, c.ui, st, ns, res.JobID, res.Status, res.AllocID)
}

// finishBatch prints a finished batch run's output and status and returns the exit status.
func finishBatch(ctx context.Context, ui cli.Ui, st *planner.Stack, ns, jobID, status, allocID string) int {
	if status != "unplaceable" && allocID != "" {
		out, errOut, err := st.RunLogs(ctx, ns, allocID)
		if err == nil {
			_, _ = io.WriteString(stdout(ui), out)
			_, _ = io.WriteString(stderr(ui), errOut)
		}
	}
	if status == "complete" {
		ui.Output(fmt.Sprintf("%s completed.", jobID))
		return 0
	}
	ui.Error(fmt.Sprintf("%s ended %s %s", jobID, status, strings.TrimSpace(reasonIfUnplaceable(status, allocID))))
	return 1
}

func reasonIfUnplaceable(status, reason string) string {
	if status == "unplaceable" {
		return "(" + reason + ")"
	}
	return ""
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
func firstProcess(ctx context.Context, st *planner.Stack, ns, app string) (string, error) {
	s, err := st.Status(ctx, ns, app)
	if err != nil {
		return "", err
	}
	if len(s.Processes) == 0 {
		return "", fmt.Errorf("app %q has no processes", app)
	}
	return s.Processes[0].Name, nil
}

package main

import (
	"flag"

	"github.com/hashicorp/cli"

	"github.com/skiffpaas/skiff/planner"
)

// logsCommand prints a process's logs.
type logsCommand struct{ ui cli.Ui }

func (c *logsCommand) Synopsis() string { return "Print or follow the logs of an app's process" }
func (c *logsCommand) Help() string {
	return `Usage: skiff logs [-namespace NS] [-f] [-stderr] [-tail BYTES] [APP] [PROCESS]

  Prints the logs of every running instance of PROCESS (default: the app's first process), each line
  prefixed with its allocation; for cron, function and release processes, the latest runs. -f follows.`
}

func (c *logsCommand) Run(args []string) int {
	fl := flag.NewFlagSet("logs", flag.ContinueOnError)
	ns := fl.String("namespace", "", "Nomad namespace of the app")
	file := fl.String("spec", defaultSpec, "spec file to read the app from when no app is named")
	follow := fl.Bool("f", false, "follow the logs")
	errStream := fl.Bool("stderr", false, "show stderr instead of stdout")
	tail := fl.Int64("tail", 4096, "bytes of each log to start from")
	ref := &appArgs{namespace: ns, file: file, token: addTokenFlag(fl)}
	if err := fl.Parse(args); err != nil {
		return 1
	}
	namespace, app, rest, b, err := ref.connect(fl.Args())
	if err != nil {
		return reportError(c.ui, "logs", err)
	}
	ctx, cancel := signalContext()
	defer cancel()
	process := ""
	if len(rest) > 0 {
		process = rest[0]
	} else if process, err = firstProcess(ctx, b, namespace, app); err != nil {
		return reportError(c.ui, "logs", err)
	}
	err = b.Logs(ctx, namespace, app, process, planner.LogsOptions{Follow: *follow, Stderr: *errStream, Tail: *tail}, stdout(c.ui))
	if err != nil {
		return reportError(c.ui, "logs", err)
	}
	return 0
}

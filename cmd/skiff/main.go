// Command skiff is the command-line front end of the skiff application platform.
//
// Every verb is a thin layer over the library packages (jobspec, planner, catalog, secrets, edge,
// internal/devstack): it parses flags, calls the library and renders the result. Verbs live one per file
// and are registered in commands().
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/hashicorp/cli"
)

// version is the skiff release, set at link time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the CLI with args and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	ui := &cli.BasicUi{Reader: os.Stdin, Writer: stdout, ErrorWriter: stderr}
	c := &cli.CLI{
		Name:         "skiff",
		Version:      version,
		Args:         args,
		Commands:     commands(ui),
		Autocomplete: false,
		HelpWriter:   stdout,
		ErrorWriter:  stderr,
	}
	code, err := c.Run()
	if err != nil {
		fmt.Fprintf(stderr, "skiff: %v\n", err)
		return 1
	}
	return code
}

// commands maps each verb to its factory. Keep one entry per line, sorted, so that
// parallel work adding verbs merges cleanly.
func commands(ui cli.Ui) map[string]cli.CommandFactory {
	return map[string]cli.CommandFactory{
		"deploy":             func() (cli.Command, error) { return &deployCommand{ui: ui}, nil },
		"destroy":            func() (cli.Command, error) { return &destroyCommand{ui: ui}, nil },
		"dev":                func() (cli.Command, error) { return &devCommand{ui: ui}, nil },
		"dev clean":          func() (cli.Command, error) { return &devCleanCommand{ui: ui}, nil },
		"dev down":           func() (cli.Command, error) { return &devDownCommand{ui: ui}, nil },
		"dev env":            func() (cli.Command, error) { return &devEnvCommand{ui: ui}, nil },
		"dev status":         func() (cli.Command, error) { return &devStatusCommand{ui: ui}, nil },
		"dev up":             func() (cli.Command, error) { return &devUpCommand{ui: ui}, nil },
		"dispatch":           func() (cli.Command, error) { return &dispatchCommand{ui: ui}, nil },
		"logs":               func() (cli.Command, error) { return &logsCommand{ui: ui}, nil },
		"offerings":          func() (cli.Command, error) { return &offeringsCommand{ui: ui}, nil },
		"offerings register": func() (cli.Command, error) { return &offeringsRegisterCommand{ui: ui}, nil },
		"plan":               func() (cli.Command, error) { return &planCommand{ui: ui}, nil },
		"promote":            func() (cli.Command, error) { return &promoteCommand{ui: ui}, nil },
		"releases":           func() (cli.Command, error) { return &releasesCommand{ui: ui}, nil },
		"render":             func() (cli.Command, error) { return &renderCommand{ui: ui}, nil },
		"rollback":           func() (cli.Command, error) { return &rollbackCommand{ui: ui}, nil },
		"routes":             func() (cli.Command, error) { return &routesCommand{ui: ui}, nil },
		"run":                func() (cli.Command, error) { return &runCommand{ui: ui}, nil },
		"scale":              func() (cli.Command, error) { return &scaleCommand{ui: ui}, nil },
		"serve":              func() (cli.Command, error) { return &serveCommand{ui: ui}, nil },
		"status":             func() (cli.Command, error) { return &statusCommand{ui: ui}, nil },
		"sweep":              func() (cli.Command, error) { return &sweepCommand{ui: ui}, nil },
		"validate":           func() (cli.Command, error) { return &validateCommand{ui: ui}, nil },
	}
}

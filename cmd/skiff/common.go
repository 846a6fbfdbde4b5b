package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"os/user"
	"strings"
	"syscall"

	"github.com/hashicorp/cli"
	consulapi "github.com/hashicorp/consul/api"
	"github.com/hashicorp/hcl/v2"

	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner"
	"github.com/skiffpaas/skiff/platform"
)

// defaultSpec is the spec file verbs read when none is named.
const defaultSpec = "skiff.hcl"

// specFlags are the flags of verbs that read a spec: -f FILE plus -var and -var-file.
type specFlags struct {
	file *string
	vars *varFlags
}

func addSpecFlags(fl *flag.FlagSet) *specFlags {
	return &specFlags{
		file: fl.String("f", defaultSpec, "the app spec file"),
		vars: addVarFlags(fl),
	}
}

// load reads and validates the spec; diagnostics go to ui's error stream with file:line:col and a snippet.
// It returns nil when the spec has errors.
func (s *specFlags) load(ui cli.Ui) *jobspec.App {
	app, diags := jobspec.LoadFile(*s.file, s.vars.options())
	if len(diags) > 0 {
		var buf strings.Builder
		newDiagPrinter(&buf).print(diags)
		ui.Error(strings.TrimRight(buf.String(), "\n") + "\n")
	}
	if diags.HasErrors() {
		return nil
	}
	return app
}

// appArgs resolves which app a day-2 verb acts on: the first positional argument, else the app of the spec
// file (-f, default skiff.hcl). The namespace is -namespace, else the spec's, else "default".
type appArgs struct {
	namespace *string
	file      *string
	token     *string
}

func addAppFlags(fl *flag.FlagSet) *appArgs {
	return &appArgs{
		namespace: fl.String("namespace", "", "Nomad namespace of the app (default: the spec's, else \"default\")"),
		file:      fl.String("f", defaultSpec, "spec file to read the app name from when no app is named"),
		token:     addTokenFlag(fl),
	}
}

// resolve returns namespace, app and the remaining arguments.
func (a *appArgs) resolve(args []string) (ns, app string, rest []string, err error) {
	ns = *a.namespace
	if len(args) > 0 && !strings.Contains(args[0], "=") && args[0] != "--" {
		app, rest = args[0], args[1:]
	} else {
		spec, diags := jobspec.LoadFile(*a.file, &jobspec.Options{Environ: os.Environ()})
		if diags.HasErrors() {
			return "", "", nil, fmt.Errorf("name the app, or run in a directory whose %s is valid (%s)", *a.file, diags.Error())
		}
		app, rest = spec.Name, args
		if ns == "" {
			ns = spec.Namespace
		}
	}
	if ns == "" {
		ns = "default"
	}
	return ns, app, rest, nil
}

// connect resolves the app like resolve and connects to the platform: the API with SKIFF_ADDR (token from
// -token, else SKIFF_TOKEN), else the stack itself.
func (a *appArgs) connect(args []string) (ns, app string, rest []string, b backend, err error) {
	if ns, app, rest, err = a.resolve(args); err != nil {
		return "", "", nil, nil, err
	}
	b, err = newBackend(a.token)
	return ns, app, rest, b, err
}

// newStack connects to Nomad and Consul (and Vault with VAULT_ADDR) from the environment (NOMAD_ADDR,
// CONSUL_HTTP_ADDR, VAULT_ADDR, their tokens), with the platform's settings: the config published in Consul KV,
// else the file named by SKIFF_PLATFORM_CONFIG, else the defaults (docs/platform.md). Stack.Platform holds them.
func newStack() (*planner.Stack, error) {
	return planner.NewStackFromEnv()
}

// platformConfig reads the platform's settings as newStack does, for verbs that need no stack. Errors in the
// config come back as a *planner.DiagnosticsError, which reportError prints with a snippet.
func platformConfig(ctx context.Context, consul *consulapi.Client) (*platform.Config, error) {
	cfg, err := platform.Load(ctx, consul.KV(), os.Getenv(planner.PlatformConfigEnv))
	var diags hcl.Diagnostics
	if errors.As(err, &diags) {
		return nil, &planner.DiagnosticsError{Diags: diags}
	}
	return cfg, err
}

// signalContext returns a context cancelled by Ctrl-C or SIGTERM.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// whoami names the user recorded on releases.
func whoami() string {
	if u := os.Getenv("SKIFF_USER"); u != "" {
		return u
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return ""
}

// reportError prints err for verb; a *planner.DeployError gets its per-allocation reasons.
func reportError(ui cli.Ui, verb string, err error) int {
	var de *planner.DeployError
	var failed *planner.ReleaseFailedError
	if errors.As(err, &de) {
		ui.Error(renderDeployError(de))
		if errors.As(err, &failed) {
			ui.Error(fmt.Sprintf("Release %d failed: %s.", failed.Release, failed.Outcome()))
		}
		return 1
	}
	var remote *remoteFailure
	if errors.As(err, &remote) {
		ui.Error(remote.render())
		return 1
	}
	var diagErr *planner.DiagnosticsError
	if errors.As(err, &diagErr) {
		var buf strings.Builder
		newDiagPrinter(&buf).print(diagErr.Diags)
		ui.Error(strings.TrimRight(buf.String(), "\n") + "\n")
		return 1
	}
	ui.Error("skiff " + verb + ": " + err.Error())
	return 1
}

// isTerminal reports whether f is a terminal (for redrawn progress).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// stdout returns the writer ui prints output to (os.Stdout outside tests).
func stdout(ui cli.Ui) io.Writer {
	if b, ok := ui.(*cli.BasicUi); ok && b.Writer != nil {
		return b.Writer
	}
	return os.Stdout
}

// stderr returns the writer ui prints errors to (os.Stderr outside tests).
func stderr(ui cli.Ui) io.Writer {
	if b, ok := ui.(*cli.BasicUi); ok && b.ErrorWriter != nil {
		return b.ErrorWriter
	}
	return os.Stderr
}

// newUIProgress returns a progress renderer on ui's output, redrawn when that is a terminal.
func newUIProgress(ui cli.Ui) *progress {
	w := stdout(ui)
	f, ok := w.(*os.File)
	return newProgress(w, ok && isTerminal(f))
}

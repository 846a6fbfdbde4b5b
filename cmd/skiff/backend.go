package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/skiffpaas/skiff/api"
	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner"
)

// backend is what the verbs that act on apps need from the platform. Two implementations give the same
// results: directBackend drives Nomad, Consul and Vault through planner.Stack (platform operators, no
// SKIFF_ADDR), remoteBackend drives the platform API through api.Client (SKIFF_ADDR set). Results are the
// planner's types in both modes, so that every verb renders (and encodes as JSON) one way.
type backend interface {
	// Plan diffs the spec against the live stack.
	Plan(ctx context.Context, spec *loadedSpec) (*planner.Plan, error)
	// Deploy applies the spec; opts.Progress, when set, receives the same events in both modes. withPlan asks
	// for Result.Plan (the remote side plans once more for it; it is only needed for -json).
	Deploy(ctx context.Context, spec *loadedSpec, opts planner.DeployOptions, withPlan bool) (*planner.Result, error)
	// Status returns the app's live status.
	Status(ctx context.Context, ns, app string) (*planner.AppStatus, error)
	// Releases returns the app's history, newest first.
	Releases(ctx context.Context, ns, app string) ([]*planner.Release, error)
	// Rollback restores release n (0: the newest succeeded release before the live one) as a new release.
	Rollback(ctx context.Context, ns, app string, n int, opts planner.DeployOptions) (*planner.Result, error)
	// Scale sets process counts.
	Scale(ctx context.Context, ns, app string, counts map[string]int) error
	// Promote promotes the canaries of the app's deployment that waits for it.
	Promote(ctx context.Context, ns, app string, opts planner.DeployOptions) error
	// Destroy removes the app and returns the IDs of the jobs it removed (also on a partial failure).
	Destroy(ctx context.Context, ns, app string, opts planner.DeployOptions) ([]string, error)
	// Logs writes the process's log lines to w (following with opts.Follow until ctx ends).
	Logs(ctx context.Context, ns, app, process string, opts planner.LogsOptions, w io.Writer) error
	// Run runs a one-off command and waits up to timeout for it.
	Run(ctx context.Context, ns, app, process string, command []string, timeout time.Duration) (*batchResult, error)
	// Dispatch runs a function (or a cron process now), calls started with the run's job ID and, unless
	// detach, waits up to timeout for the run.
	Dispatch(ctx context.Context, ns, app, process string, payload []byte, meta map[string]string,
		detach bool, timeout time.Duration, started func(id string)) (*batchResult, error)
	// URLs returns where the spec's web processes answer through Fabio.
	URLs(app *jobspec.App) []string
}

// batchResult is how a one-off run or a dispatched run ended. Status is "complete", "failed", "lost",
// "timeout" or "unplaceable" (with the reason in Reason); Started is true for a dispatch that was not waited
// for (-detach). Stdout and Stderr are the run's output when it was read.
type batchResult struct {
	JobID          string
	Status         string
	Reason         string
	Stdout, Stderr string
	Started        bool
}

// loadedSpec is a spec as a verb read it: the app (parsed locally, for its name, namespace and URLs) and, for
// the remote side, the text the server parses itself — the spec, its var files and -var values.
type loadedSpec struct {
	app    *jobspec.App
	remote *api.Spec
}

// remoteMode reports whether the CLI talks to the platform API: SKIFF_ADDR is set.
func remoteMode() bool { return strings.TrimSpace(os.Getenv(api.EnvAddress)) != "" }

// addTokenFlag registers -token, the platform API's bearer token in remote mode (default SKIFF_TOKEN).
func addTokenFlag(fl *flag.FlagSet) *string {
	return fl.String("token", "", "the platform API's token in remote mode (default: $SKIFF_TOKEN)")
}

// newBackend returns the remote backend when SKIFF_ADDR is set, else the direct one over newStack().
func newBackend(tok *string) (backend, error) {
	if remoteMode() {
		cfg := api.DefaultConfig()
		if tok != nil && *tok != "" {
			cfg.Token = *tok
		}
		c, err := api.NewClient(cfg)
		if err != nil {
			return nil, err
		}
		return &remoteBackend{client: c}, nil
	}
	st, err := newStack()
	if err != nil {
		return nil, err
	}
	return &directBackend{st: st}, nil
}

// needDirect returns an error when the CLI is in remote mode, for verbs that the platform API has no route for
// yet: they talk to Nomad, Consul and Vault directly only.
func needDirect() error {
	if !remoteMode() {
		return nil
	}
	return fmt.Errorf("this verb needs direct mode (the platform API has no route for it yet): unset %s and set "+
		"NOMAD_ADDR, CONSUL_HTTP_ADDR and VAULT_ADDR with their tokens", api.EnvAddress)
}

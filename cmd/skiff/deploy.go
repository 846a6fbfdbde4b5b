package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"

	"github.com/hashicorp/cli"

	"github.com/skiffpaas/skiff/planner"
)

// deployCommand applies a spec to the stack and watches it.
type deployCommand struct{ ui cli.Ui }

func (c *deployCommand) Synopsis() string { return "Deploy the spec: release task, jobs, watch, prune" }
func (c *deployCommand) Help() string {
	return `Usage: skiff deploy [-f skiff.hcl] [-detach] [-lock-timeout D] [-json] [-var name=value]... [-var-file FILE]...

  Validates and plans the spec, runs its release tasks (a failure aborts the deploy before anything else
  changes), registers the jobs, watches every deployment until it is healthy or failed, prunes jobs the
  spec no longer has, and records the release. Deploying an unchanged spec changes nothing.

  Every deploy that changes something is recorded as release N before anything changes, and moves through
  pending → deploying → succeeded | failed | superseded (see skiff releases). Only processes whose jobs
  changed are replaced. The app's deploy lock (in Consul) is held for the whole apply: a second deploy of the
  app fails at once naming the holder, or waits with -lock-timeout. When any job of the release fails, every
  job of the app returns to the previous release.

  Exit status: 0 when the release is healthy (or nothing changed), 1 when it failed — with the cause, each
  distinct allocation failure, and the release the app runs again.

  -detach        Return once the jobs are registered (release tasks are still waited for); the release
                 stays "deploying" until skiff releases or status resolves it from Nomad.
  -lock-timeout  Wait this long for another deploy of the app to finish (default 0: fail at once).
  -json          Print the result (or the failure) as JSON instead of progress.`
}

func (c *deployCommand) Run(args []string) int {
	fl := flag.NewFlagSet("deploy", flag.ContinueOnError)
	spec := addSpecFlags(fl)
	detach := fl.Bool("detach", false, "do not watch deployments")
	lockTimeout := fl.Duration("lock-timeout", 0, "wait this long for another deploy of the app to finish")
	asJSON := fl.Bool("json", false, "print the result as JSON")
	token := addTokenFlag(fl)
	if err := fl.Parse(args); err != nil {
		return 1
	}
	app := spec.loadSpec(c.ui)
	if app == nil {
		return 1
	}
	b, err := newBackend(token)
	if err != nil {
		return reportError(c.ui, "deploy", err)
	}
	ctx, cancel := signalContext()
	defer cancel()
	opts := planner.DeployOptions{Detach: *detach, CreatedBy: whoami(), LockTimeout: *lockTimeout}
	var prog *progress
	if !*asJSON {
		prog = newUIProgress(c.ui)
		opts.Progress = prog.event
	}
	res, err := b.Deploy(ctx, app, opts, *asJSON)
	if prog != nil {
		prog.done()
	}
	if *asJSON {
		return printJSONResult(c.ui, res, err)
	}
	if err != nil {
		return reportError(c.ui, "deploy", err)
	}
	printResult(c.ui, res)
	for _, u := range b.URLs(app.app) {
		c.ui.Output("URL: " + u)
	}
	return 0
}

// printResult prints the end of a successful deploy or rollback.
func printResult(ui cli.Ui, res *planner.Result) {
	for _, n := range res.Notes {
		ui.Warn("Note: " + n)
	}
	if res.Release != nil {
		if res.Release.State == planner.ReleaseSucceeded {
			ui.Output(fmt.Sprintf("Release %d of %s is live (%s).", res.Release.Number, appOf(res), res.Release.Description))
		} else {
			ui.Output(fmt.Sprintf("Release %d of %s is %s (%s).", res.Release.Number, appOf(res), res.Release.State, res.Release.Description))
		}
	}
}

// printJSONResult prints {"result": ..., "error": ...} and returns the exit status.
func printJSONResult(ui cli.Ui, res *planner.Result, err error) int {
	out := map[string]interface{}{"result": res}
	code := 0
	if err != nil {
		code = 1
		out["error"] = err.Error()
		var de *planner.DeployError
		if errors.As(err, &de) {
			out["failure"] = de
		}
	}
	b, _ := json.MarshalIndent(out, "", "  ")
	ui.Output(string(b))
	return code
}

// appOf names the app of a result: the plan's (a deploy), else the release's (a rollback, a remote deploy).
func appOf(res *planner.Result) string {
	switch {
	case res.Plan != nil:
		return res.Plan.App
	case res.Release != nil && res.Release.App != "":
		return res.Release.App
	}
	return "the app"
}

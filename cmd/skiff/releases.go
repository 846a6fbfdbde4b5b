package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/hashicorp/cli"

	"github.com/skiffpaas/skiff/planner"
)

// releasesCommand lists an app's releases.
type releasesCommand struct{ ui cli.Ui }

func (c *releasesCommand) Synopsis() string { return "List an app's releases, newest first" }
func (c *releasesCommand) Help() string {
	return `Usage: skiff releases [-namespace NS] [-json] [APP]

  Lists the app's releases (recorded in Consul KV before every deploy and rollback that changes something):
  number, state (pending, deploying, succeeded, failed, superseded), time, who, what, spec hash and job
  versions, and why a release failed. A release left deploying by a process that is gone (killed, or
  -detach) is resolved from Nomad's deployment state first. Without APP, the app of ./skiff.hcl (or -f FILE).`
}

func (c *releasesCommand) Run(args []string) int {
	fl := flag.NewFlagSet("releases", flag.ContinueOnError)
	ref := addAppFlags(fl)
	asJSON := fl.Bool("json", false, "print JSON")
	if err := fl.Parse(args); err != nil {
		return 1
	}
	ns, app, _, b, err := ref.connect(fl.Args())
	if err != nil {
		return reportError(c.ui, "releases", err)
	}
	ctx, cancel := signalContext()
	defer cancel()
	rs, err := b.Releases(ctx, ns, app)
	if err != nil {
		return reportError(c.ui, "releases", err)
	}
	if *asJSON {
		b, _ := json.MarshalIndent(rs, "", "  ")
		c.ui.Output(string(b))
		return 0
	}
	if len(rs) == 0 {
		c.ui.Output(fmt.Sprintf("App %q (namespace %q) has no releases.", app, ns))
		return 0
	}
	tw := tabwriter.NewWriter(stdout(c.ui), 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RELEASE\tSTATE\tCREATED\tBY\tDESCRIPTION\tSPEC\tJOBS")
	for _, r := range rs {
		fmt.Fprintf(tw, "v%d\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Number, r.State, r.CreatedAt.Local().Format("2006-01-02 15:04:05"),
			r.CreatedBy, r.Description, short(r.SpecHash, 12), jobVersions(r.Jobs))
	}
	tw.Flush()
	for _, r := range rs {
		if r.Reason != "" && r.State != planner.ReleaseSucceeded {
			c.ui.Output(fmt.Sprintf("v%d %s: %s", r.Number, r.State, r.Reason))
		}
	}
	return 0
}

func jobVersions(m map[string]uint64) string {
	var parts []string
	for id, v := range m {
		parts = append(parts, fmt.Sprintf("%s@%d", id, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

func short(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// rollbackCommand restores a previous release.
type rollbackCommand struct{ ui cli.Ui }

func (c *rollbackCommand) Synopsis() string { return "Roll an app back to a previous release" }
func (c *rollbackCommand) Help() string {
	return `Usage: skiff rollback [-namespace NS] [-detach] [-lock-timeout D] [APP] [RELEASE]

  Restores release RELEASE (default: the newest succeeded release before the live one) as a new release
  "rollback to release N": its jobs exactly as they were (code, env, routes, and the versions of config
  values they read), its Consul intentions and its Vault roles and policies (a bind removed since comes
  back); prunes jobs that release did not have and watches the deployments like a deploy. Counts stay as
  they are; only processes whose jobs differ are replaced; release tasks are not re-run. Without APP, the app
  of ./skiff.hcl.`
}

func (c *rollbackCommand) Run(args []string) int {
	fl := flag.NewFlagSet("rollback", flag.ContinueOnError)
	ref := addAppFlags(fl)
	detach := fl.Bool("detach", false, "do not watch deployments")
	lockTimeout := fl.Duration("lock-timeout", 0, "wait this long for another deploy of the app to finish")
	if err := fl.Parse(args); err != nil {
		return 1
	}
	rest := fl.Args()
	n := 0
	if len(rest) > 0 {
		if v, err := strconv.Atoi(strings.TrimPrefix(rest[len(rest)-1], "v")); err == nil {
			n, rest = v, rest[:len(rest)-1]
		}
	}
	ns, app, _, b, err := ref.connect(rest)
	if err != nil {
		return reportError(c.ui, "rollback", err)
	}
	ctx, cancel := signalContext()
	defer cancel()
	prog := newUIProgress(c.ui)
	res, err := b.Rollback(ctx, ns, app, n, planner.DeployOptions{Detach: *detach, CreatedBy: whoami(), Progress: prog.event, LockTimeout: *lockTimeout})
	if err != nil {
		return reportError(c.ui, "rollback", err)
	}
	printResult(c.ui, res)
	return 0
}

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

  Lists the app's releases (recorded in Consul KV by every successful deploy and rollback): number, time,
  who, what, spec hash and job versions. Without APP, the app of ./skiff.hcl (or -f FILE).`
}

func (c *releasesCommand) Run(args []string) int {
	fl := flag.NewFlagSet("releases", flag.ContinueOnError)
	ref := addAppFlags(fl)
	asJSON := fl.Bool("json", false, "print JSON")
	if err := fl.Parse(args); err != nil {
		return 1
	}
	ns, app, _, st, err := ref.connect(fl.Args())
	if err != nil {
		return reportError(c.ui, "releases", err)
	}
	ctx, cancel := signalContext()
	defer cancel()
	rs, err := st.Releases.List(ctx, ns, app)
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
	fmt.Fprintln(tw, "RELEASE\tCREATED\tBY\tDESCRIPTION\tSPEC\tJOBS")
	for _, r := range rs {
		fmt.Fprintf(tw, "v%d\t%s\t%s\t%s\t%s\t%s\n", r.Number, r.CreatedAt.Local().Format("2006-01-02 15:04:05"),
			r.CreatedBy, r.Description, short(r.SpecHash, 12), jobVersions(r.Jobs))
	}
	tw.Flush()
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
	return `Usage: skiff rollback [-namespace NS] [-detach] [APP] [RELEASE]

  Re-registers every job of the app exactly as release RELEASE had it (default: the release before the
  current one) — code, config and routes together — prunes jobs that release did not have, watches the
  deployments like a deploy, and records a new release "rollback to release N". Release tasks are not
  re-run. Without APP, the app of ./skiff.hcl.`
}

func (c *rollbackCommand) Run(args []string) int {
	fl := flag.NewFlagSet("rollback", flag.ContinueOnError)
	ref := addAppFlags(fl)
	detach := fl.Bool("detach", false, "do not watch deployments")
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
	ns, app, _, st, err := ref.connect(rest)
	if err != nil {
		return reportError(c.ui, "rollback", err)
	}
	ctx, cancel := signalContext()
	defer cancel()
	prog := newUIProgress(c.ui)
	res, err := st.Rollback(ctx, ns, app, n, planner.DeployOptions{Detach: *detach, CreatedBy: whoami(), Progress: prog.event})
	if err != nil {
		return reportError(c.ui, "rollback", err)
	}
	printResult(c.ui, res)
	return 0
}

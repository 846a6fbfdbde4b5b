package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/hashicorp/cli"
)

// statusCommand shows an app's live state.
type statusCommand struct{ ui cli.Ui }

func (c *statusCommand) Synopsis() string {
	return "Show an app's processes, health, deployment and release"
}
func (c *statusCommand) Help() string {
	return `Usage: skiff status [-namespace NS] [-json] [APP]

  Shows each process (kind, job, desired/running/failed, Consul DNS name and passing instances, next cron
  run), the latest deployment of each service job and the current release.`
}

func (c *statusCommand) Run(args []string) int {
	fl := flag.NewFlagSet("status", flag.ContinueOnError)
	ref := addAppFlags(fl)
	asJSON := fl.Bool("json", false, "print JSON")
	if err := fl.Parse(args); err != nil {
		return 1
	}
	ns, app, _, b, err := ref.connect(fl.Args())
	if err != nil {
		return reportError(c.ui, "status", err)
	}
	ctx, cancel := signalContext()
	defer cancel()
	s, err := b.Status(ctx, ns, app)
	if err != nil {
		return reportError(c.ui, "status", err)
	}
	if *asJSON {
		b, _ := json.MarshalIndent(s, "", "  ")
		c.ui.Output(string(b))
		return 0
	}
	rel := "none"
	if s.Release != nil {
		rel = fmt.Sprintf("v%d (%s, %s)", s.Release.Number, s.Release.Description,
			s.Release.CreatedAt.Local().Format(time.RFC3339))
	}
	c.ui.Output(fmt.Sprintf("App %s (namespace %s), release %s", s.App, s.Namespace, rel))
	if l := s.Latest; l != nil {
		line := fmt.Sprintf("Latest release v%d is %s (%s)", l.Number, l.State, l.Description)
		if l.Reason != "" {
			line += ": " + l.Reason
		}
		c.ui.Output(line)
	}
	c.ui.Output("")
	tw := tabwriter.NewWriter(stdout(c.ui), 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROCESS\tKIND\tJOB\tDESIRED\tRUNNING\tFAILED\tHEALTHY\tDNS\tNEXT RUN")
	for _, p := range s.Processes {
		next := ""
		if p.NextRun != nil {
			next = p.NextRun.Local().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\n", p.Name, p.Kind, p.JobID, p.Desired, p.Running,
			p.Failed, p.Healthy, p.DNS, next)
	}
	tw.Flush()
	for _, d := range s.Deployments {
		c.ui.Output(fmt.Sprintf("\nDeployment %s of %s (job version %d): %s — %s", short(d.ID, 8), d.JobID,
			d.JobVersion, d.Status, d.Description))
	}
	return 0
}

package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/skiffpaas/skiff/planner"
)

// progress renders deploy events: on a terminal the per-group table of the running deployment is redrawn in
// place; elsewhere (CI logs) every change is one plain line.
type progress struct {
	w     io.Writer
	tty   bool
	drawn int // lines of the table currently on screen (tty only)
}

func newProgress(w io.Writer, tty bool) *progress { return &progress{w: w, tty: tty} }

func (p *progress) event(e planner.Event) {
	switch e.Kind {
	case planner.EventProgress:
		lines := progressLines(e)
		if p.tty {
			p.clear()
			for _, l := range lines {
				fmt.Fprintln(p.w, l)
			}
			p.drawn = len(lines)
			return
		}
		fmt.Fprintf(p.w, "%s %s\n", e.Time.Format("15:04:05"), strings.Join(lines, " | "))
	case planner.EventProblem:
		if p.tty {
			p.drawn = 0 // keep the last table on screen above the problem
		}
		fmt.Fprintf(p.w, "%s %s\n", e.Time.Format("15:04:05"), problemLine(e))
	default:
		if p.tty {
			p.drawn = 0 // keep the last table on screen above the step
		}
		fmt.Fprintf(p.w, "%s %s\n", e.Time.Format("15:04:05"), e.Message)
	}
}

// problemLine renders a problem event as one plain line: "problem: shop (group web, alloc 1a2b3c4d): <cause>".
func problemLine(e planner.Event) string {
	var where []string
	if e.Group != "" {
		where = append(where, "group "+e.Group)
	}
	if e.Alloc != "" {
		where = append(where, "alloc "+e.Alloc)
	}
	l := "problem: " + e.Job
	if len(where) > 0 {
		l += " (" + strings.Join(where, ", ") + ")"
	}
	return l + ": " + e.Message
}

// clear moves the cursor up over the previous table and erases it.
func (p *progress) clear() {
	for i := 0; i < p.drawn; i++ {
		fmt.Fprint(p.w, "\x1b[1A\x1b[2K")
	}
	p.drawn = 0
}

func (p *progress) done() {}

// progressLines renders one deployment state: a header, then desired/placed/healthy/unhealthy per group.
func progressLines(e planner.Event) []string {
	lines := []string{fmt.Sprintf("deployment of %s: %s", e.Job, e.Message)}
	for _, g := range e.Groups {
		l := fmt.Sprintf("  %-12s desired %d  placed %d  healthy %d  unhealthy %d", g.Group, g.Desired, g.Placed,
			g.Healthy, g.Unhealthy)
		if g.DesiredCanaries > 0 {
			state := "awaiting promotion"
			if g.Promoted {
				state = "promoted"
			}
			l += fmt.Sprintf("  canaries %d (%s)", g.DesiredCanaries, state)
		}
		lines = append(lines, l)
	}
	return lines
}

// renderDeployError explains a failed deploy: what failed, the cause, the revert, and per distinct cause of the
// failed allocations one of them with its last task events and log lines (and how many more failed alike).
func renderDeployError(e *planner.DeployError) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Error: %s failed\n  %s\n", e.Step, e.Reason)
	if e.AutoReverted {
		fmt.Fprintf(&b, "  Nomad auto-reverted the job to its last stable version (now job version %d).\n", e.RevertedToVersion)
	}
	for _, a := range e.Allocs {
		fmt.Fprintf(&b, "\n  allocation %s (group %s): %s", a.ID, a.Group, a.Status)
		if len(a.Others) > 0 {
			fmt.Fprintf(&b, " (and %d more alike: %s)", len(a.Others), strings.Join(limitList(a.Others, 5), ", "))
		}
		b.WriteString("\n")
		if a.Cause != "" && !strings.Contains(e.Reason, a.Cause) {
			fmt.Fprintf(&b, "    cause: %s\n", a.Cause)
		}
		for _, ev := range a.Events {
			fmt.Fprintf(&b, "    %s\n", ev)
		}
		if a.LogTail != "" {
			b.WriteString("    last log lines:\n")
			for _, l := range lastLines(a.LogTail, 10) {
				fmt.Fprintf(&b, "      | %s\n", l)
			}
		}
	}
	return b.String()
}

func lastLines(s string, n int) []string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}

// limitList returns the first n of ss, with "…" when there are more.
func limitList(ss []string, n int) []string {
	if len(ss) <= n {
		return ss
	}
	return append(append([]string{}, ss[:n]...), "…")
}

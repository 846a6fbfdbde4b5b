package main

import (
	"fmt"
	"strings"

	"github.com/skiffpaas/skiff/planner"
)

var actionSymbol = map[planner.Action]string{
	planner.ActionCreate: "+",
	planner.ActionUpdate: "~",
	planner.ActionDelete: "-",
	planner.ActionNone:   " ",
}

// renderPlan renders a plan the way terraform users read them: + create, ~ update, - delete, with the
// field-level changes of updates nested under their object.
func renderPlan(p *planner.Plan) string {
	var b strings.Builder
	for _, w := range p.Warnings {
		fmt.Fprintf(&b, "Warning: %s\n\n", w)
	}
	if !p.HasChanges() {
		fmt.Fprintf(&b, "No changes. App %q (namespace %q) matches release %d.\n", p.App, p.Namespace, p.Release)
		return b.String()
	}
	fmt.Fprintf(&b, "skiff will perform the following actions for app %q (namespace %q), as release %d:\n\n",
		p.App, p.Namespace, p.Next)
	counts := map[planner.Action]int{}
	for _, c := range p.Changes {
		if c.Action == planner.ActionNone {
			continue
		}
		counts[c.Action]++
		fmt.Fprintf(&b, "  %s %s %q\n", actionSymbol[c.Action], c.Resource, c.Name)
		for _, n := range c.Diff {
			renderNode(&b, n, 6)
		}
		for _, note := range c.Notes {
			fmt.Fprintf(&b, "      # %s\n", note)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Plan: %d to create, %d to update, %d to delete.\n",
		counts[planner.ActionCreate], counts[planner.ActionUpdate], counts[planner.ActionDelete])
	return b.String()
}

func renderNode(b *strings.Builder, n *planner.DiffNode, indent int) {
	pad := strings.Repeat(" ", indent)
	sym := actionSymbol[n.Action]
	if len(n.Children) > 0 {
		fmt.Fprintf(b, "%s%s %s {\n", pad, sym, n.Name)
		for _, c := range n.Children {
			renderNode(b, c, indent+4)
		}
		fmt.Fprintf(b, "%s  }\n", pad)
		return
	}
	switch n.Action {
	case planner.ActionCreate:
		fmt.Fprintf(b, "%s%s %s: %q\n", pad, sym, n.Name, n.New)
	case planner.ActionDelete:
		fmt.Fprintf(b, "%s%s %s: %q\n", pad, sym, n.Name, n.Old)
	default:
		fmt.Fprintf(b, "%s%s %s: %q => %q\n", pad, sym, n.Name, n.Old, n.New)
	}
}

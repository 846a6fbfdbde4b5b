package jobspec

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// localValue is a named value from a locals block, usable as local.<Name> in the app body.
type localValue struct {
	// Name is the local's name; Expr its expression; DeclRange the range of its definition.
	Name      string
	Expr      hcl.Expression
	DeclRange hcl.Range
}

// decodeLocalsBlock decodes a locals block: any number of name = expression definitions.
func decodeLocalsBlock(block *hcl.Block) ([]*localValue, hcl.Diagnostics) {
	attrs, diags := block.Body.JustAttributes()
	var out []*localValue
	for _, name := range sortedKeys(attrs) {
		a := attrs[name]
		out = append(out, &localValue{Name: name, Expr: a.Expr, DeclRange: a.Range})
	}
	return out, diags
}

// evalLocals evaluates locals in dependency order against ctx (which holds var.* and the functions). It returns
// the local object's attributes; marks on values (sensitivity) are kept.
func evalLocals(locals []*localValue, ctx *hcl.EvalContext) (map[string]cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	byName := map[string]*localValue{}
	for _, l := range locals {
		if prev, ok := byName[l.Name]; ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate local value definition",
				Detail:   fmt.Sprintf("A local value named %q was already defined at %s. Local value names must be unique.", l.Name, prev.DeclRange),
				Subject:  l.DeclRange.Ptr(),
			})
			continue
		}
		byName[l.Name] = l
	}
	values := map[string]cty.Value{}
	state := map[string]int{} // 0 unvisited, 1 in progress, 2 done
	var visit func(l *localValue) bool
	visit = func(l *localValue) bool {
		switch state[l.Name] {
		case 1:
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Circular reference between locals",
				Detail:   fmt.Sprintf("The local value %q refers to itself, directly or through other locals. Break the cycle.", l.Name),
				Subject:  l.DeclRange.Ptr(),
			})
			return false
		case 2:
			_, ok := values[l.Name]
			return ok
		}
		state[l.Name] = 1
		ok := true
		for _, tr := range l.Expr.Variables() {
			if tr.RootName() != "local" || len(tr) < 2 {
				continue
			}
			step, isAttr := tr[1].(hcl.TraverseAttr)
			if !isAttr {
				continue
			}
			dep := byName[step.Name]
			if dep == nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Reference to undeclared local value",
					Detail:   fmt.Sprintf("No local value named %q is defined. Define it in a locals block.", step.Name),
					Subject:  tr.SourceRange().Ptr(),
				})
				ok = false
				continue
			}
			if !visit(dep) {
				ok = false
			}
		}
		state[l.Name] = 2
		if !ok {
			return false
		}
		local := *ctx
		local.Variables = map[string]cty.Value{"var": ctx.Variables["var"], "local": cty.ObjectVal(values)}
		v, ds := l.Expr.Value(&local)
		diags = append(diags, ds...)
		if ds.HasErrors() {
			return false
		}
		values[l.Name] = v
		return true
	}
	for _, l := range locals {
		if byName[l.Name] == l {
			visit(l)
		}
	}
	return values, diags
}

package jobspec

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// markKey is the type of skiff's cty marks, so they cannot collide with marks of other packages.
type markKey string

// sensitiveMark marks values that derive from sensitive variables (or the sensitive function).
const sensitiveMark = markKey("sensitive")

// resolveVariables checks declarations for duplicates, gathers values from every source and converts them.
func resolveVariables(vars []*Variable, opts *Options, autoFiles []string, readFile func(string) ([]byte, error)) hcl.Diagnostics {
	var diags hcl.Diagnostics
	decls := map[string]*Variable{}
	for _, v := range vars {
		if prev, ok := decls[v.Name]; ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate variable declaration",
				Detail:   fmt.Sprintf("A variable named %q was already declared at %s. Variable names must be unique.", v.Name, prev.DeclRange),
				Subject:  v.DeclRange.Ptr(),
			})
			continue
		}
		decls[v.Name] = v
	}
	if diags.HasErrors() {
		return diags
	}
	values, ds := collectValues(decls, opts, autoFiles, readFile)
	diags = append(diags, ds...)
	if diags.HasErrors() {
		return diags
	}
	for _, v := range vars {
		rv, given := values[v.Name]
		diags = append(diags, resolveVariable(v, rv, given)...)
	}
	return diags
}

// evalContext builds the context the app body (and locals) are evaluated in: var.*, local.* and the functions.
// Values of sensitive variables are marked.
func evalContext(vars []*Variable, locals map[string]cty.Value, baseDir string) *hcl.EvalContext {
	vals := map[string]cty.Value{}
	for _, v := range vars {
		if v.Value == cty.NilVal {
			continue
		}
		val := v.Value
		if v.Sensitive {
			val = val.Mark(sensitiveMark)
		}
		vals[v.Name] = val
	}
	if locals == nil {
		locals = map[string]cty.Value{}
	}
	return &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(vals), "local": cty.ObjectVal(locals)},
		Functions: functions(baseDir),
	}
}

// validateVariables runs the validation blocks of every variable. A condition sees only var.<name> and the
// functions; an error message that derives from a sensitive value is not shown.
func validateVariables(vars []*Variable, ctx *hcl.EvalContext) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, v := range vars {
		val := v.Value
		if v.Sensitive {
			val = val.Mark(sensitiveMark)
		}
		vctx := &hcl.EvalContext{
			Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{v.Name: val})},
			Functions: ctx.Functions,
		}
		for _, rule := range v.Validations {
			cond, ds := rule.Condition.Value(vctx)
			if ds.HasErrors() {
				diags = append(diags, redactIf(v, ds)...)
				continue
			}
			cond, _ = cond.UnmarkDeep()
			cond, err := convert.Convert(cond, cty.Bool)
			if err != nil || cond.IsNull() || !cond.IsKnown() {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid validation condition",
					Detail:   "The condition of a validation rule must produce true or false.",
					Subject:  rule.Condition.Range().Ptr(),
				})
				continue
			}
			if cond.True() {
				continue
			}
			msg := "The value is not valid."
			mv, ds := rule.ErrorMessage.Value(vctx)
			switch {
			case ds.HasErrors():
				diags = append(diags, ds...)
			case mv.ContainsMarked():
				msg = "(The error message is hidden because it refers to a sensitive value.)"
			default:
				if s, err := convert.Convert(mv, cty.String); err == nil && !s.IsNull() && s.IsKnown() {
					msg = s.AsString()
				}
			}
			subject := v.ValueRange
			if v.Sensitive || v.Source == "default" {
				subject = rule.DeclRange
			}
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid value for variable",
				Detail:   fmt.Sprintf("%s\n\nThis was checked by the validation rule at %s (value from %s).", msg, rule.DeclRange, v.Source),
				Subject:  subject.Ptr(),
			})
		}
	}
	return diags
}

// redactDiags removes every trace of sensitive variable values from diags: the string forms of their values
// are replaced in summaries and details, and expression contexts are dropped where an expression refers to a
// sensitive variable.
func redactDiags(diags hcl.Diagnostics, vars []*Variable) hcl.Diagnostics {
	var secrets []string
	found := false
	for _, v := range vars {
		if !v.Sensitive || v.Value == cty.NilVal {
			continue
		}
		found = true
		_ = cty.Walk(v.Value, func(_ cty.Path, val cty.Value) (bool, error) {
			if val.IsKnown() && !val.IsNull() && val.Type().IsPrimitiveType() {
				if s, err := convert.Convert(val, cty.String); err == nil && len(s.AsString()) >= 3 {
					secrets = append(secrets, s.AsString())
				}
			}
			return true, nil
		})
	}
	if !found {
		return diags
	}
	for _, d := range diags {
		for _, s := range secrets {
			d.Summary = strings.ReplaceAll(d.Summary, s, "(sensitive value)")
			d.Detail = strings.ReplaceAll(d.Detail, s, "(sensitive value)")
		}
		if d.Expression != nil && d.EvalContext != nil {
			for _, tr := range d.Expression.Variables() {
				v, ds := tr.TraverseAbs(d.EvalContext)
				if !ds.HasErrors() && v.ContainsMarked() {
					d.Expression, d.EvalContext = nil, nil
					break
				}
			}
		}
	}
	return diags
}

package jobspec

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// rawValue is a variable value as given by one source, before type conversion.
type rawValue struct {
	val    cty.Value
	rng    hcl.Range
	source string
}

// varSource names where a value came from, lowest precedence first.
const (
	sourceEnv      = "environment"
	sourceAutoFile = "auto var file"
	sourceVarFile  = "var file"
	sourceArg      = "-var"
)

// collectValues gathers raw values from every source in precedence order (later wins): SKIFF_VAR_* environment
// variables, auto var files, Options.VarFiles, Options.Vars, then Options.VarArgs in order. readFile is nil on
// the no-filesystem path; autoFiles are the auto var files found beside the spec.
func collectValues(decls map[string]*Variable, opts *Options, autoFiles []string, readFile func(string) ([]byte, error)) (map[string]rawValue, hcl.Diagnostics) {
	values := map[string]rawValue{}
	var diags hcl.Diagnostics
	set := func(name string, rv rawValue, undeclared hcl.DiagnosticSeverity) {
		if _, ok := decls[name]; !ok {
			if undeclared != hcl.DiagInvalid {
				diags = append(diags, &hcl.Diagnostic{
					Severity: undeclared,
					Summary:  "Value for undeclared variable",
					Detail:   fmt.Sprintf("No variable named %q is declared. Declare it with variable %q { ... } or remove the value.", name, name),
					Subject:  rv.rng.Ptr(),
				})
			}
			return
		}
		values[name] = rv
	}
	for _, kv := range opts.Environ {
		name, raw, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, "SKIFF_VAR_") {
			continue
		}
		name = strings.TrimPrefix(name, "SKIFF_VAR_")
		decl := decls[name]
		if decl == nil {
			continue // like Terraform: unrelated environment variables are ignored
		}
		rv, ds := parseRawValue(decl, raw, "<SKIFF_VAR_"+name+" environment variable>", sourceEnv)
		diags = append(diags, ds...)
		set(name, rv, hcl.DiagInvalid)
	}
	files := func(names []string, source string, undeclared hcl.DiagnosticSeverity) {
		for _, fn := range names {
			if readFile == nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Var files need filesystem access",
					Detail:   fmt.Sprintf("The var file %q cannot be read here: this spec is parsed without filesystem access. Pass the values as variables instead.", fn),
					Subject:  &hcl.Range{Filename: fn, Start: hcl.InitialPos, End: hcl.InitialPos},
				})
				continue
			}
			vals, ds := readVarFile(fn, readFile, source)
			diags = append(diags, ds...)
			for _, name := range sortedKeys(vals) {
				set(name, vals[name], undeclared)
			}
		}
	}
	files(autoFiles, sourceAutoFile, hcl.DiagWarning)
	files(opts.VarFiles, sourceVarFile, hcl.DiagWarning)
	arg := func(name, raw string) {
		rng := hcl.Range{Filename: "<value for var." + name + ">", Start: hcl.InitialPos,
			End: hcl.Pos{Line: 1, Column: len(raw) + 1, Byte: len(raw)}}
		decl := decls[name]
		if decl == nil {
			set(name, rawValue{rng: rng}, hcl.DiagError)
			return
		}
		rv, ds := parseRawValue(decl, raw, rng.Filename, sourceArg)
		diags = append(diags, ds...)
		set(name, rv, hcl.DiagError)
	}
	names := make([]string, 0, len(opts.Vars))
	for n := range opts.Vars {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		arg(n, opts.Vars[n])
	}
	for _, va := range opts.VarArgs {
		if va.File != "" {
			files([]string{va.File}, sourceVarFile, hcl.DiagWarning)
			continue
		}
		arg(va.Name, va.Value)
	}
	return values, diags
}

// parseRawValue turns a string from -var or the environment into a value: a literal string for variables of
// type string (or no type), an HCL expression otherwise.
func parseRawValue(decl *Variable, raw, filename, source string) (rawValue, hcl.Diagnostics) {
	rng := hcl.Range{Filename: filename, Start: hcl.InitialPos, End: hcl.Pos{Line: 1, Column: len(raw) + 1, Byte: len(raw)}}
	if decl.literal {
		return rawValue{val: cty.StringVal(raw), rng: rng, source: source}, nil
	}
	expr, diags := hclsyntax.ParseExpression([]byte(raw), filename, hcl.InitialPos)
	if diags.HasErrors() {
		return rawValue{val: cty.DynamicVal, rng: rng, source: source}, redactIf(decl, diags)
	}
	val, ds := expr.Value(nil)
	if ds.HasErrors() {
		return rawValue{val: cty.DynamicVal, rng: rng, source: source}, redactIf(decl, ds)
	}
	return rawValue{val: val, rng: expr.Range(), source: source}, nil
}

// readVarFile reads a var file: attributes only, constant expressions only.
func readVarFile(fn string, readFile func(string) ([]byte, error), source string) (map[string]rawValue, hcl.Diagnostics) {
	src, err := readFile(fn)
	if err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read var file",
			Detail:   fmt.Sprintf("The var file %q could not be read: %s. Check the path.", fn, err),
			Subject:  &hcl.Range{Filename: fn, Start: hcl.InitialPos, End: hcl.InitialPos},
		}}
	}
	f, diags := parseHCLOrJSON(fn, src)
	if diags.HasErrors() {
		return nil, diags
	}
	attrs, ds := f.Body.JustAttributes()
	diags = append(diags, ds...)
	out := map[string]rawValue{}
	for name, a := range attrs {
		val, ds := a.Expr.Value(nil)
		diags = append(diags, ds...)
		if ds.HasErrors() {
			continue
		}
		out[name] = rawValue{val: val, rng: a.Expr.Range(), source: source}
	}
	return out, diags
}

// resolveVariable picks the value for decl (the raw value or the default), applies type defaults and converts it
// to the type constraint.
func resolveVariable(decl *Variable, rv rawValue, given bool) hcl.Diagnostics {
	if !given {
		if decl.Default == cty.NilVal {
			return hcl.Diagnostics{{
				Severity: hcl.DiagError,
				Summary:  "No value for required variable",
				Detail: fmt.Sprintf("The variable %q has no default, so a value is required. Set it with -var '%s=...', a -var-file, "+
					"a *.auto.skiffvars.hcl file beside the spec or the SKIFF_VAR_%s environment variable.", decl.Name, decl.Name, decl.Name),
				Subject: decl.DeclRange.Ptr(),
			}}
		}
		decl.Value, decl.Source, decl.ValueRange = decl.Default, "default", decl.DeclRange
		return nil
	}
	val := rv.val
	if val.IsNull() && !decl.Nullable {
		if decl.Default != cty.NilVal {
			decl.Value, decl.Source, decl.ValueRange = decl.Default, "default", decl.DeclRange
			return nil
		}
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Required variable set to null",
			Detail:   fmt.Sprintf("The variable %q is not nullable: give it a non-null value.", decl.Name),
			Subject:  rv.rng.Ptr(),
		}}
	}
	if decl.typeDefaults != nil && !val.IsNull() {
		val = decl.typeDefaults.Apply(val)
	}
	conv, err := convert.Convert(val, decl.Type)
	if err != nil {
		detail := fmt.Sprintf("The value given for variable %q is not compatible with its type constraint: %s.", decl.Name, convertErrString(err))
		subject := rv.rng
		if decl.Sensitive {
			// Point at the declaration: a snippet of the value's source would print the secret.
			detail = fmt.Sprintf("The value given for the sensitive variable %q (from %s, %s) is not compatible with its type constraint.",
				decl.Name, rv.source, rv.rng.String())
			subject = decl.DeclRange
		}
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid value for variable", Detail: detail, Subject: subject.Ptr()}}
	}
	decl.Value, decl.Source, decl.ValueRange = conv, rv.source, rv.rng
	return nil
}

// redactIf blanks the details of diagnostics about a sensitive variable's raw value.
func redactIf(decl *Variable, diags hcl.Diagnostics) hcl.Diagnostics {
	if !decl.Sensitive {
		return diags
	}
	for _, d := range diags {
		d.Detail = fmt.Sprintf("Evaluating the value of the sensitive variable %q failed (%s); the details are hidden because they could reveal the value.", decl.Name, d.Summary)
		d.Subject = decl.DeclRange.Ptr()
		d.Context = nil
	}
	return diags
}

package server

import (
	"sort"

	"github.com/skiffpaas/skiff/jobspec"
)

// VarFile is one var file sent with a spec.
type VarFile struct {
	Name    string `json:"name" doc:"The file's name, as diagnostics show it (e.g. prod.skiffvars.hcl)"`
	Content string `json:"content" doc:"The file's HCL (or JSON, for names ending in .json) text"`
}

// SpecBody is a spec as the CLI reads it: the skiff.hcl text, var files and -var values. file() and
// templatefile() are refused on this path: the server reads no file system.
type SpecBody struct {
	Spec     string `json:"spec" minLength:"1" doc:"The text of skiff.hcl"`
	Filename string `json:"filename,omitempty" doc:"The spec's file name in diagnostics (default skiff.hcl)"`
	// VarFiles are applied in order, then Vars (later wins), like -var-file and -var on the command line.
	VarFiles []VarFile         `json:"var_files,omitempty" doc:"Var files, applied in order before vars"`
	Vars     map[string]string `json:"vars,omitempty" doc:"Variable values as -var name=value gives them"`
}

// parse decodes the spec; diagnostics with errors become a 422 spec_invalid with file, line, column and
// snippet. The returned warnings are the spec's warning diagnostics.
func (b *SpecBody) parse() (*jobspec.App, []Diagnostic, error) {
	name := b.Filename
	if name == "" {
		name = "skiff.hcl"
	}
	sources := map[string][]byte{name: []byte(b.Spec)}
	files := map[string][]byte{}
	opts := &jobspec.Options{}
	for _, f := range b.VarFiles {
		files[f.Name] = []byte(f.Content)
		sources[f.Name] = []byte(f.Content)
		opts.VarArgs = append(opts.VarArgs, jobspec.VarArg{File: f.Name})
	}
	names := make([]string, 0, len(b.Vars))
	for k := range b.Vars {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		opts.VarArgs = append(opts.VarArgs, jobspec.VarArg{Name: k, Value: b.Vars[k]})
	}
	app, diags := jobspec.ParseRemote(name, []byte(b.Spec), files, opts)
	if diags.HasErrors() {
		return nil, nil, specError(diags, sources)
	}
	var warnings []Diagnostic
	for _, d := range diagnostics(diags, sources) {
		if d.Severity == "warning" {
			warnings = append(warnings, d)
		}
	}
	return app, warnings, nil
}

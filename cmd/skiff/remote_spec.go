package main

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/cli"

	"github.com/skiffpaas/skiff/api"
	"github.com/skiffpaas/skiff/jobspec"
)

// loadSpec reads and validates the spec like load (diagnostics printed the same way) and, in remote mode,
// collects what the server needs to parse it again: the spec's text, its var files' contents (the
// *.auto.skiffvars.hcl files beside it, then -var-file in order) and the -var values. It returns nil when the
// spec has errors or a file cannot be read.
func (s *specFlags) loadSpec(ui cli.Ui) *loadedSpec {
	app := s.load(ui)
	if app == nil {
		return nil
	}
	out := &loadedSpec{app: app}
	if !remoteMode() {
		return out
	}
	spec, err := remoteSpec(*s.file, app, s.vars.args, os.Environ())
	if err != nil {
		ui.Error("skiff: " + err.Error())
		return nil
	}
	out.remote = spec
	return out
}

// remoteSpec builds the API's spec body. File names are the paths as the CLI names them, so that the server's
// diagnostics point at files the CLI can show snippets of.
//
// The API applies var files, then vars: a -var given before a -var-file that sets the same variable wins
// remotely but not locally, and SKIFF_VAR_* values of declared variables (sent as vars, below -var) win over
// var files remotely.
func remoteSpec(path string, app *jobspec.App, args []jobspec.VarArg, environ []string) (*api.Spec, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	spec := &api.Spec{Source: string(src), Filename: path, Vars: map[string]string{}}
	dir := filepath.Dir(path)
	entries, _ := os.ReadDir(dir)
	var files []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), jobspec.AutoVarFileSuffix) {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(files)
	declared := map[string]bool{}
	for _, v := range app.Variables {
		declared[v.Name] = true
	}
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if name = strings.TrimPrefix(name, "SKIFF_VAR_"); ok && declared[name] && strings.HasPrefix(kv, "SKIFF_VAR_") {
			spec.Vars[name] = value // unrelated SKIFF_VAR_* are ignored, as jobspec does
		}
	}
	for _, a := range args {
		if a.File != "" {
			files = append(files, a.File)
		} else {
			spec.Vars[a.Name] = a.Value
		}
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		spec.VarFiles = append(spec.VarFiles, api.VarFile{Name: f, Content: string(b)})
	}
	if len(spec.Vars) == 0 {
		spec.Vars = nil
	}
	return spec, nil
}

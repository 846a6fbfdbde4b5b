package compile_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner/compile"
	"github.com/skiffpaas/skiff/secrets"
)

// TestRenderHCLRoundTrip renders every compiled example job as Nomad HCL, parses it back with the real nomad
// binary (`nomad job run -output`, see nomadCLI), and checks that Nomad reads the very job skiff submits (after
// both are canonicalized).
func TestRenderHCLRoundTrip(t *testing.T) {
	nomad := findNomad(t)
	files, _ := filepath.Glob("../../examples/*/skiff.hcl")
	valid, _ := filepath.Glob("../../jobspec/testdata/valid/*.hcl")
	if len(files) == 0 || len(valid) == 0 {
		t.Fatalf("found %d examples and %d valid jobspec test files, want some of each", len(files), len(valid))
	}
	files = append(files, valid...)
	offerings := map[string]*secrets.Offering{"postgres": {Name: "postgres", Kind: "postgres", Host: "127.0.0.1",
		Port: 5432, Database: "app", VaultMount: "database", VaultConnection: "postgres"}}
	for _, f := range files {
		name := filepath.Base(filepath.Dir(f)) // examples/<name>/skiff.hcl
		if name == "valid" {
			name = "valid/" + strings.TrimSuffix(filepath.Base(f), ".hcl")
		}
		app, diags := jobspec.LoadFile(f, nil)
		if diags.HasErrors() {
			t.Fatalf("%s: %s", f, diags.Error())
		}
		d, err := compile.Compile(app, compile.CompileOptions{Offerings: offerings})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, want := range d.AllJobs() {
			t.Run(name+"/"+*want.ID, func(t *testing.T) {
				t.Parallel()
				src, err := compile.RenderHCL(want)
				if err != nil {
					t.Fatal(err)
				}
				got, err := nomad.parseSource(src)
				if err != nil {
					t.Fatalf("Nomad cannot parse the rendered HCL: %v\n%s", err, src)
				}
				w := canonical(t, want)
				got.Canonicalize()
				if diff := jsonDiff("job", compile.CompactJSON(w), compile.CompactJSON(got)); diff != "" {
					t.Fatalf("Nomad reads the rendered HCL differently: %s\n%s", diff, src)
				}
			})
		}
	}
}

// jsonDiff returns the first difference between two generic JSON values, as "path: want X, got Y".
func jsonDiff(path string, want, got interface{}) string {
	wm, wok := want.(map[string]interface{})
	gm, gok := got.(map[string]interface{})
	if wok && gok {
		keys := map[string]bool{}
		for k := range wm {
			keys[k] = true
		}
		for k := range gm {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			if d := jsonDiff(path+"."+k, wm[k], gm[k]); d != "" {
				return d
			}
		}
		return ""
	}
	wl, wok := want.([]interface{})
	gl, gok := got.([]interface{})
	if wok && gok && len(wl) == len(gl) {
		for i := range wl {
			if d := jsonDiff(fmt.Sprintf("%s[%d]", path, i), wl[i], gl[i]); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(want, got) {
		return fmt.Sprintf("%s: want %v, got %v", path, want, got)
	}
	return ""
}

// canonical returns a canonicalized deep copy of job.
func canonical(t *testing.T, job *nomadapi.Job) *nomadapi.Job {
	t.Helper()
	cp := &nomadapi.Job{}
	if err := jsonCopy(job, cp); err != nil {
		t.Fatal(err)
	}
	cp.Canonicalize()
	return cp
}

// jsonCopy deep-copies src into dst through JSON.
func jsonCopy(src, dst interface{}) error {
	b, err := json.Marshal(src)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}

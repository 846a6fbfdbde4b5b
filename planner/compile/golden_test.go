package compile_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner/compile"
	"github.com/skiffpaas/skiff/secrets"
)

// update rewrites the golden files: go test ./planner -run Golden -update
var update = flag.Bool("update", false, "rewrite planner/testdata/golden/*.golden.json from the compiler's output")

// testOfferings is the offerings catalog the corpus compiles against: the dev stack's Postgres, as
// internal/devstack registers it, at a fixed address.
var testOfferings = map[string]*secrets.Offering{
	"postgres": {Name: "postgres", Kind: "postgres", Host: "127.0.0.1", Port: 5432, Database: "postgres",
		VaultMount: "database", VaultConnection: "postgres"},
}

// corpusOptions returns the compile options of the corpus: release 1 and testOfferings.
func corpusOptions() compile.CompileOptions {
	return compile.CompileOptions{Offerings: testOfferings}
}

// exampleVars gives the examples' variables that have no default a deterministic value (-var name=value), keyed
// by example directory. Every variable of today's examples has a default.
var exampleVars = map[string]map[string]string{}

// example is one spec of the compiler's test corpus: examples/<name>/skiff.hcl, or testdata/specs/<name>.hcl
// for the paths the examples do not reach.
type example struct {
	Name string // directory name under examples/, or file name under testdata/specs without .hcl
	Path string // path of the spec
}

// examples returns the corpus, examples first, each part sorted by name; it fails the test when there are no
// examples or two specs share a name.
func examples(tb testing.TB) []example {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "..", "examples", "*", "skiff.hcl"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(paths) == 0 {
		tb.Fatal("no examples/*/skiff.hcl found")
	}
	specs, err := filepath.Glob(filepath.Join("testdata", "specs", "*.hcl"))
	if err != nil {
		tb.Fatal(err)
	}
	sort.Strings(paths)
	sort.Strings(specs)
	var out []example
	seen := map[string]bool{}
	add := func(name, path string) {
		if seen[name] {
			tb.Fatalf("two specs named %q in the test corpus", name)
		}
		seen[name] = true
		out = append(out, example{Name: name, Path: path})
	}
	for _, p := range paths {
		add(filepath.Base(filepath.Dir(p)), p)
	}
	for _, p := range specs {
		add(strings.TrimSuffix(filepath.Base(p), ".hcl"), p)
	}
	return out
}

// options returns the jobspec options of an example: its exampleVars, and no environment.
func (e example) options() *jobspec.Options {
	return &jobspec.Options{Vars: exampleVars[e.Name], Environ: []string{}}
}

// load reads and validates the example's spec from disk.
func (e example) load(tb testing.TB) *jobspec.App {
	tb.Helper()
	app, diags := jobspec.LoadFile(e.Path, e.options())
	if diags.HasErrors() {
		tb.Fatalf("%s: %s (add missing variables to exampleVars)", e.Path, diags.Error())
	}
	return app
}

// compile loads the example and compiles it with corpusOptions.
func (e example) compile(tb testing.TB) (*jobspec.App, *compile.Desired) {
	tb.Helper()
	app := e.load(tb)
	d, err := compile.Compile(app, corpusOptions())
	if err != nil {
		tb.Fatalf("%s: Compile: %v", e.Path, err)
	}
	return app, d
}

// TestGolden compiles every spec of the corpus and compares the JSON of its jobs with
// testdata/golden/<example>.golden.json.
func TestGolden(t *testing.T) {
	for _, e := range examples(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			_, d := e.compile(t)
			for _, j := range d.AllJobs() {
				for k := range j.Meta {
					if k == "skiff.release" || k == "skiff.spec-hash" {
						t.Errorf("job %q carries %s in its meta: a change there would replace every allocation", *j.ID, k)
					}
				}
			}
			got, err := jobsJSON(d.AllJobs())
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "golden", e.Name+".golden.json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./planner -run Golden -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("compiled jobs differ from %s (run with -update if the change is intended):\n%s",
					path, lineDiff(string(want), string(got)))
			}
		})
	}
}

// TestGoldenFilesHaveExamples fails on golden files left behind by a removed example.
func TestGoldenFilesHaveExamples(t *testing.T) {
	names := map[string]bool{}
	for _, e := range examples(t) {
		names[e.Name] = true
	}
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if name := filepath.Base(f[:len(f)-len(".golden.json")]); !names[name] {
			t.Errorf("%s belongs to no spec of the corpus (examples/%s/skiff.hcl or testdata/specs/%s.hcl); delete it", f, name, name)
		}
	}
}

// jobsJSON renders jobs as indented JSON without null fields, with a trailing newline.
func jobsJSON(jobs []*nomadapi.Job) ([]byte, error) {
	raw, err := json.Marshal(jobs)
	if err != nil {
		return nil, err
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	out, err := json.MarshalIndent(dropNulls(doc), "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// dropNulls removes null members from the objects in v, recursively. Nulls inside arrays are kept, since
// removing them would shift the other elements.
func dropNulls(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if e == nil {
				delete(v, k)
				continue
			}
			v[k] = dropNulls(e)
		}
		return v
	case []any:
		for i, e := range v {
			v[i] = dropNulls(e)
		}
		return v
	default:
		return v
	}
}

// lineDiff returns the lines of want and got that differ, with their line numbers, at most 40 of them: enough
// to see what changed without a diff library.
func lineDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w == g {
			continue
		}
		if shown == 40 {
			b.WriteString("...\n")
			break
		}
		shown++
		fmt.Fprintf(&b, "%d - %s\n%d + %s\n", i+1, w, i+1, g)
	}
	return b.String()
}

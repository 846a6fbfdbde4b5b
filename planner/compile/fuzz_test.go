package compile_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner/compile"
	"github.com/skiffpaas/skiff/secrets"
)

// FuzzCompile feeds specs to jobspec.Parse (no filesystem, as the API server parses) and every spec that
// parses without errors to Compile, which must not panic, may fail only on a patch, on a sensitive value
// outside env or on a bind to an offering missing from testOfferings, and must emit jobs that survive a JSON round trip unchanged and Nomad's Canonicalize with their
// structure intact.
//
//	go test ./planner -run '^$' -fuzz FuzzCompile -fuzztime 3m -parallel 1
func FuzzCompile(f *testing.F) {
	var seeds []string
	for _, pattern := range []string{
		filepath.Join("..", "..", "examples", "*", "skiff.hcl"),
		filepath.Join("..", "..", "jobspec", "testdata", "valid", "*.hcl"),
		filepath.Join("testdata", "specs", "*.hcl"),
	} {
		paths, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, paths...)
	}
	if len(seeds) == 0 {
		f.Fatal("no seed specs found")
	}
	for _, p := range seeds {
		src, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		app, diags := jobspec.Parse("fuzz.hcl", src, nil)
		if diags.HasErrors() {
			return
		}
		opts := corpusOptions()
		opts.Counts = map[string]int{"web": 2}
		d, err := compile.Compile(app, opts)
		if err != nil {
			if !hasPatch(app) && !hasUnsupportedSecret(app) && !hasUnknownOffering(app) {
				t.Fatalf("Compile failed on a spec without patches, misplaced secrets or unknown offerings: %v", err)
			}
			return
		}
		ids := map[string]bool{}
		for _, j := range d.AllJobs() {
			if ids[*j.ID] {
				t.Fatalf("two jobs with ID %q", *j.ID)
			}
			ids[*j.ID] = true
			checkJob(t, j)
		}
	})
}

func hasPatch(app *jobspec.App) bool {
	if app.Patch != nil {
		return true
	}
	for _, p := range app.Processes {
		if p.Patch != nil {
			return true
		}
	}
	return false
}

func hasUnsupportedSecret(app *jobspec.App) bool {
	for _, p := range app.Processes {
		if len(secrets.Unsupported(app, p)) > 0 {
			return true
		}
	}
	return false
}

func hasUnknownOffering(app *jobspec.App) bool {
	for _, b := range app.Binds {
		if testOfferings[b.Offering] == nil {
			return true
		}
	}
	return false
}

// checkJob fails t unless j round-trips through JSON unchanged and keeps its identity and shape through
// Canonicalize.
func checkJob(t *testing.T, j *nomadapi.Job) {
	t.Helper()
	b1, err := json.Marshal(j)
	if err != nil {
		t.Fatalf("job %q does not encode: %v", *j.ID, err)
	}
	var back nomadapi.Job
	if err := json.Unmarshal(b1, &back); err != nil {
		t.Fatalf("job %q does not decode: %v", *j.ID, err)
	}
	b2, err := json.Marshal(&back)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b1, b2) {
		t.Fatalf("job %q changes in a JSON round trip:\n%s", *j.ID, lineDiff(string(b1), string(b2)))
	}
	back.Canonicalize()
	if back.ID == nil || *back.ID == "" || *back.ID != *j.ID {
		t.Fatalf("job %q: ID lost in Canonicalize", *j.ID)
	}
	switch *back.Type {
	case nomadapi.JobTypeService, nomadapi.JobTypeBatch, nomadapi.JobTypeSystem:
	default:
		t.Fatalf("job %q: type %q", *j.ID, *back.Type)
	}
	if len(back.TaskGroups) == 0 {
		t.Fatalf("job %q has no task group", *j.ID)
	}
	groups := map[string]bool{}
	for _, g := range back.TaskGroups {
		if g == nil || g.Name == nil || *g.Name == "" || groups[*g.Name] {
			t.Fatalf("job %q: missing, unnamed or duplicate group", *j.ID)
		}
		groups[*g.Name] = true
		if g.Count == nil || *g.Count < 0 {
			t.Fatalf("job %q group %q: count %v", *j.ID, *g.Name, g.Count)
		}
		if len(g.Tasks) != 1 || g.Tasks[0] == nil || g.Tasks[0].Name == "" || g.Tasks[0].Driver == "" {
			t.Fatalf("job %q group %q: want one named task with a driver", *j.ID, *g.Name)
		}
	}
}

package jobspec

import (
	"path/filepath"
	"testing"
)

// TestExamples checks that every examples/*/skiff.hcl validates without any diagnostic: users copy them.
func TestExamples(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("..", "examples", "*", "skiff.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 5 {
		t.Fatalf("found %d examples, want at least 5", len(files))
	}
	for _, fn := range files {
		t.Run(filepath.Base(filepath.Dir(fn)), func(t *testing.T) {
			t.Parallel()
			app, diags := LoadFile(fn, nil)
			for _, d := range diags {
				t.Errorf("%s: %s: %s", d.Subject, d.Summary, d.Detail)
			}
			if app == nil || app.SpecHash == "" {
				t.Fatalf("no app")
			}
		})
	}
}

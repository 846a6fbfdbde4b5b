package jobspec

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse runs the whole parser and validator on arbitrary input, seeded from the testdata corpus and the
// examples. It checks the package's contracts: no panic, every diagnostic has a Subject, an App exactly when there
// is no error, a SpecHash on every App, and diagnostics that encode as JSON.
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"testdata/*/*.hcl", "../examples/*/skiff.hcl"} {
		files, _ := filepath.Glob(pattern)
		for _, fn := range files {
			src, err := os.ReadFile(fn)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(src, "1")
		}
	}
	f.Add([]byte(`app "a" { image = "x" }`), `["a", {b = 1}]`)
	f.Fuzz(func(t *testing.T, src []byte, raw string) {
		opts := &Options{Environ: []string{"SKIFF_VAR_version=" + raw, "SKIFF_VAR_replicas=" + raw, "SKIFF_VAR_hosts=" + raw}}
		app, diags := Parse("fuzz.hcl", src, opts)
		for _, d := range diags {
			if d.Subject == nil {
				t.Fatalf("diagnostic without Subject: %q", d.Summary)
			}
		}
		if diags.HasErrors() != (app == nil) {
			t.Fatalf("app = %v with errors = %v", app != nil, diags.HasErrors())
		}
		if app != nil && len(app.SpecHash) != 64 {
			t.Fatalf("app without SpecHash")
		}
		if _, err := json.Marshal(DiagnosticsJSON(diags)); err != nil {
			t.Fatalf("diagnostics do not encode: %v", err)
		}
	})
}

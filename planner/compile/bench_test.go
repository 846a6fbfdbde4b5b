package compile_test

import (
	"os"
	"strings"
	"testing"

	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner/compile"
)

// BenchmarkCompile measures the whole cost of going from a spec file to Nomad jobs: jobspec.Parse of the
// source (held in memory, as the API server gets it) and compile.Compile. scripts/bench-compile compares it
// with BenchmarkNomadParse.
func BenchmarkCompile(b *testing.B) {
	for _, e := range examples(b) {
		src, err := os.ReadFile(e.Path)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(e.Name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				app, diags := jobspec.Parse(e.Path, src, e.options())
				if diags.HasErrors() {
					b.Fatal(diags.Error())
				}
				if _, err := compile.Compile(app, corpusOptions()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkNomadParse measures Nomad's own parser (jobspec2, as `nomad job run` and the HTTP parse endpoint
// use it) on the hand-written jobs of the same app: the cost of the equivalent Nomad files.
func BenchmarkNomadParse(b *testing.B) {
	hash := strings.Repeat("0", 64)
	for _, e := range examples(b) {
		files := nomadFiles(b, e.Name)
		if len(files) == 0 {
			b.Fatalf("testdata/nomad/%s holds no jobs", e.Name)
		}
		b.Run(e.Name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, f := range files {
					if _, err := parseNomad(f, hash); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

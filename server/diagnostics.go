package server

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/skiffpaas/skiff/jobspec"
)

// Diagnostic is one problem in a spec, with where it is: file, line, column and the source line.
type Diagnostic struct {
	Severity string             `json:"severity" enum:"error,warning"`
	Summary  string             `json:"summary"`
	Detail   string             `json:"detail,omitempty"`
	Range    *jobspec.RangeJSON `json:"range,omitempty"`
	// Snippet is the source line the range starts on, when the spec's text is known.
	Snippet string `json:"snippet,omitempty"`
}

// String renders the diagnostic as the CLI does: file:line:col: Summary.
func (d Diagnostic) String() string {
	msg := d.Summary
	if d.Detail != "" {
		msg += ": " + d.Detail
	}
	if d.Range == nil {
		return msg
	}
	return fmt.Sprintf("%s:%d:%d: %s", d.Range.Filename, d.Range.Start.Line, d.Range.Start.Column, msg)
}

// diagnostics converts diags; sources maps file names to their text for snippets (may be nil).
func diagnostics(diags hcl.Diagnostics, sources map[string][]byte) []Diagnostic {
	report := jobspec.DiagnosticsJSON(diags)
	out := make([]Diagnostic, 0, len(report.Diagnostics))
	for _, j := range report.Diagnostics {
		d := Diagnostic{Severity: j.Severity, Summary: j.Summary, Detail: j.Detail, Range: j.Range}
		if r := j.Range; r != nil {
			if src, ok := sources[r.Filename]; ok {
				lines := strings.Split(string(src), "\n")
				if r.Start.Line >= 1 && r.Start.Line <= len(lines) {
					d.Snippet = lines[r.Start.Line-1]
				}
			}
		}
		out = append(out, d)
	}
	return out
}

// specError is a 422 spec_invalid with one item per error diagnostic.
func specError(diags hcl.Diagnostics, sources map[string][]byte) *Error {
	e := apiError(422, CodeSpecInvalid, "the spec has errors")
	e.Errors = nil
	for _, d := range diagnostics(diags, sources) {
		if d.Severity != "error" {
			continue
		}
		d := d
		e.Errors = append(e.Errors, ErrorItem{Code: CodeSpecInvalid, Detail: d.String(), Diagnostic: &d})
	}
	return e
}

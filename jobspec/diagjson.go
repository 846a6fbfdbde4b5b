package jobspec

import (
	"github.com/hashicorp/hcl/v2"
)

// DiagnosticsReport is the JSON form of a set of diagnostics, shared by `skiff validate -json` and the REST
// server:
//
//	{"valid": bool, "error_count": n, "warning_count": n, "diagnostics": [{"severity", "summary", "detail", "range"}]}
type DiagnosticsReport struct {
	Valid        bool             `json:"valid"`
	ErrorCount   int              `json:"error_count"`
	WarningCount int              `json:"warning_count"`
	Diagnostics  []DiagnosticJSON `json:"diagnostics"`
}

// DiagnosticJSON is one diagnostic. Severity is "error" or "warning"; Range is nil only for diagnostics without a
// Subject, which this package never produces.
type DiagnosticJSON struct {
	Severity string     `json:"severity"`
	Summary  string     `json:"summary"`
	Detail   string     `json:"detail,omitempty"`
	Range    *RangeJSON `json:"range,omitempty"`
}

// RangeJSON is a source range: the file name and the start and end positions.
type RangeJSON struct {
	Filename string  `json:"filename"`
	Start    PosJSON `json:"start"`
	End      PosJSON `json:"end"`
}

// PosJSON is a source position: 1-based line and column (in characters), 0-based byte offset.
type PosJSON struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// DiagnosticsJSON converts diags into a report ready for encoding/json. Valid is true when there is no error.
// Diagnostics is never nil, so it encodes as [] rather than null.
func DiagnosticsJSON(diags hcl.Diagnostics) *DiagnosticsReport {
	r := &DiagnosticsReport{Diagnostics: []DiagnosticJSON{}}
	for _, d := range diags {
		j := DiagnosticJSON{Severity: "warning", Summary: d.Summary, Detail: d.Detail}
		if d.Severity == hcl.DiagError {
			j.Severity = "error"
			r.ErrorCount++
		} else {
			r.WarningCount++
		}
		if s := d.Subject; s != nil {
			j.Range = &RangeJSON{
				Filename: s.Filename,
				Start:    PosJSON{Line: s.Start.Line, Column: s.Start.Column, Byte: s.Start.Byte},
				End:      PosJSON{Line: s.End.Line, Column: s.End.Column, Byte: s.End.Byte},
			}
		}
		r.Diagnostics = append(r.Diagnostics, j)
	}
	r.Valid = r.ErrorCount == 0
	return r
}

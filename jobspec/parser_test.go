package jobspec

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// expectation is one "# ERROR: summary" or "# WARNING: summary" comment of a testdata file.
type expectation struct {
	line     int
	severity hcl.DiagnosticSeverity
	summary  string
}

func (e expectation) String() string {
	sev := "ERROR"
	if e.severity == hcl.DiagWarning {
		sev = "WARNING"
	}
	return fmt.Sprintf("line %d: %s: %s", e.line, sev, e.summary)
}

var expectComment = regexp.MustCompile(`#\s*(ERROR|WARNING):\s*(.+?)\s*$`)

// expectations reads the ERROR and WARNING comments of src.
func expectations(src []byte) []expectation {
	var out []expectation
	sc := bufio.NewScanner(bytes.NewReader(src))
	for n := 1; sc.Scan(); n++ {
		m := expectComment.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		sev := hcl.DiagError
		if m[1] == "WARNING" {
			sev = hcl.DiagWarning
		}
		out = append(out, expectation{line: n, severity: sev, summary: m[2]})
	}
	return out
}

func diagExpectations(diags hcl.Diagnostics) []expectation {
	var out []expectation
	for _, d := range diags {
		out = append(out, expectation{line: d.Subject.Start.Line, severity: d.Severity, summary: d.Summary})
	}
	return out
}

func sortedStrings(es []expectation) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.String())
	}
	sort.Strings(out)
	return out
}

// TestTestdata parses every file under testdata/{valid,invalid,warning} and checks its diagnostics against the
// file's comments: valid files have none, the others have exactly the annotated ones (line and summary).
func TestTestdata(t *testing.T) {
	for _, dir := range []string{"valid", "invalid", "warning"} {
		files, err := filepath.Glob(filepath.Join("testdata", dir, "*.hcl"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no testdata in %s: %v", dir, err)
		}
		for _, fn := range files {
			t.Run(dir+"/"+filepath.Base(fn), func(t *testing.T) {
				t.Parallel()
				src, err := os.ReadFile(fn)
				if err != nil {
					t.Fatal(err)
				}
				app, diags := LoadFile(fn, nil)
				for _, d := range diags {
					if d.Subject == nil {
						t.Errorf("diagnostic without Subject: %s", d.Summary)
						return
					}
					if d.Detail == "" {
						t.Errorf("diagnostic without Detail: %s", d.Summary)
					}
				}
				want := expectations(src)
				got := diagExpectations(diags)
				switch dir {
				case "valid":
					if len(diags) > 0 {
						t.Errorf("valid file has diagnostics:\n%s", strings.Join(sortedStrings(got), "\n"))
					}
				case "invalid":
					if app != nil {
						t.Errorf("invalid file returned an App")
					}
					if !hasError(want) {
						t.Fatalf("invalid file has no # ERROR: comment")
					}
				case "warning":
					if diags.HasErrors() || app == nil {
						t.Errorf("warning file has errors")
					}
				}
				if g, w := strings.Join(sortedStrings(got), "\n"), strings.Join(sortedStrings(want), "\n"); g != w {
					t.Errorf("diagnostics differ\n got:\n%s\nwant:\n%s", g, w)
					for _, d := range diags {
						t.Logf("%s: %s — %s", d.Subject, d.Summary, d.Detail)
					}
				}
			})
		}
	}
}

func hasError(es []expectation) bool {
	for _, e := range es {
		if e.severity == hcl.DiagError {
			return true
		}
	}
	return false
}

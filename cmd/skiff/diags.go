package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// diagPrinter renders diagnostics as text: a "file:line:col: Error: Summary" line (the form editors and CI
// annotate), the source snippet with the range underlined, then the detail. Sources are read from disk on
// first use; ranges in files that cannot be read (such as "<value for var.x>") get no snippet.
type diagPrinter struct {
	w       io.Writer
	sources map[string][]byte
}

func newDiagPrinter(w io.Writer) *diagPrinter {
	return &diagPrinter{w: w, sources: map[string][]byte{}}
}

// print writes every diagnostic in diags.
func (p *diagPrinter) print(diags hcl.Diagnostics) {
	for _, d := range diags {
		p.printOne(d)
	}
}

func (p *diagPrinter) printOne(d *hcl.Diagnostic) {
	sev := "Warning"
	if d.Severity == hcl.DiagError {
		sev = "Error"
	}
	if d.Subject == nil {
		fmt.Fprintf(p.w, "%s: %s\n", sev, d.Summary)
	} else {
		fmt.Fprintf(p.w, "%s:%d:%d: %s: %s\n", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column, sev, d.Summary)
		p.snippet(*d.Subject)
	}
	if d.Detail != "" {
		for _, line := range strings.Split(d.Detail, "\n") {
			fmt.Fprintf(p.w, "  %s\n", line)
		}
	}
	fmt.Fprintln(p.w)
}

// snippet prints the lines of rng (at most three) with line numbers and underlines the range on its first line.
func (p *diagPrinter) snippet(rng hcl.Range) {
	src, ok := p.sources[rng.Filename]
	if !ok {
		src, _ = os.ReadFile(rng.Filename)
		p.sources[rng.Filename] = src
	}
	if len(src) == 0 {
		return
	}
	last := rng.End.Line
	if last < rng.Start.Line {
		last = rng.Start.Line
	}
	if last > rng.Start.Line+2 {
		last = rng.Start.Line + 2
	}
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	width := len(fmt.Sprint(last))
	for n := 1; sc.Scan() && n <= last; n++ {
		if n < rng.Start.Line {
			continue
		}
		line := strings.ReplaceAll(sc.Text(), "\t", " ")
		fmt.Fprintf(p.w, "  %*d | %s\n", width, n, line)
		if n != rng.Start.Line {
			continue
		}
		start := rng.Start.Column - 1
		end := utf8.RuneCountInString(line)
		if rng.End.Line == rng.Start.Line {
			end = rng.End.Column - 1
		}
		if start < 0 || start > utf8.RuneCountInString(line) {
			continue
		}
		if end <= start {
			end = start + 1
		}
		fmt.Fprintf(p.w, "  %*s | %s%s\n", width, "", strings.Repeat(" ", start), strings.Repeat("^", end-start))
	}
}

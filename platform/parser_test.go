package platform

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

var expectComment = regexp.MustCompile(`#\s*ERROR:\s*(.+?)\s*$`)

// expectations returns the "line N: summary" of every "# ERROR: summary" comment of src, sorted.
func expectations(src []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(src))
	for n := 1; sc.Scan(); n++ {
		if m := expectComment.FindStringSubmatch(sc.Text()); m != nil {
			out = append(out, fmt.Sprintf("line %d: %s", n, m[1]))
		}
	}
	sort.Strings(out)
	return out
}

// got returns the "line N: summary" of every diagnostic, sorted.
func got(diags hcl.Diagnostics) []string {
	var out []string
	for _, d := range diags {
		line := 0
		if d.Subject != nil {
			line = d.Subject.Start.Line
		}
		out = append(out, fmt.Sprintf("line %d: %s", line, d.Summary))
	}
	sort.Strings(out)
	return out
}

// TestTestdata parses every file under testdata/valid and testdata/invalid: valid files have no diagnostics,
// invalid ones exactly the diagnostics their "# ERROR: summary" comments announce, on those lines, each with a
// source range and a detail.
func TestTestdata(t *testing.T) {
	for _, dir := range []string{"valid", "invalid"} {
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
				cfg, diags := ParseFile(fn)
				for _, d := range diags {
					if d.Subject == nil || d.Detail == "" {
						t.Errorf("diagnostic without a range or a detail: %s (%v)", d.Summary, d.Subject)
					}
				}
				want := expectations(src)
				if dir == "valid" && len(want) > 0 || dir == "invalid" && len(want) == 0 {
					t.Fatalf("%s file with %d # ERROR: comments", dir, len(want))
				}
				if (cfg == nil) != (dir == "invalid") {
					t.Errorf("config %v for a file in %s", cfg, dir)
				}
				if g, w := strings.Join(got(diags), "\n"), strings.Join(want, "\n"); g != w {
					t.Errorf("diagnostics differ\n got:\n%s\nwant:\n%s", g, w)
					for _, d := range diags {
						t.Logf("%s: %s — %s", d.Subject, d.Summary, d.Detail)
					}
				}
			})
		}
	}
}

// TestRoundTrip checks that every valid file's config survives the two textual forms: the JSON that Publish
// writes, read back through HCL's JSON syntax, and the file that HCL writes.
func TestRoundTrip(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "valid", "*.hcl"))
	for _, fn := range files {
		t.Run(filepath.Base(fn), func(t *testing.T) {
			t.Parallel()
			cfg, diags := ParseFile(fn)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			want := mustJSON(t, cfg)
			fromJSON, diags := parseJSON([]byte(want), "published.json")
			if diags.HasErrors() {
				t.Fatalf("published JSON does not parse: %s\n%s", diags, want)
			}
			if g := mustJSON(t, fromJSON); g != want {
				t.Errorf("through JSON:\n got %s\nwant %s", g, want)
			}
			text := cfg.HCL()
			fromHCL, diags := Parse(text, "written.hcl")
			if diags.HasErrors() {
				t.Fatalf("written file does not parse: %s\n%s", diags, text)
			}
			if g := mustJSON(t, fromHCL); g != want {
				t.Errorf("through HCL:\n got %s\nwant %s\nfile:\n%s", g, want, text)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

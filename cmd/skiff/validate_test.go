package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func writeSpec(t *testing.T, name, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const validSpec = `
variable "version" {
  type = string
}
app "shop" {
  image = "shop:${var.version}"
  web "api" {
    port = 8080
    route {
      host = "shop.example.com"
    }
  }
  worker "mailer" {}
  cron "report" {
    schedule = "0 3 * * *"
  }
}
`

const invalidSpec = `app "shop" {
  image = "shop:1"
  worker "mailer" {
    route {
      host = "x.example.com"
    }
  }
}
`

func TestValidateText(t *testing.T) {
	valid := writeSpec(t, "skiff.hcl", validSpec)
	invalid := writeSpec(t, "bad.hcl", invalidSpec)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		stdout   string
		stderr   *regexp.Regexp
	}{
		{"valid", []string{"validate", "-var", "version=1.0", valid}, 0,
			valid + `: valid — app "shop": 1 web, 1 worker, 1 cron`, nil},
		{"missing variable", []string{"validate", valid}, 1, "",
			regexp.MustCompile(regexp.QuoteMeta(valid) + `:2:1: Error: No value for required variable\n`)},
		{"invalid", []string{"validate", invalid}, 1, "",
			regexp.MustCompile(regexp.QuoteMeta(invalid) + `:4:5: Error: Block not valid for a worker process\n\s+4 \|     route \{\n\s+\|     \^\^\^\^\^\n`)},
		{"no files", []string{"validate"}, 1, "", regexp.MustCompile(`name at least one spec file`)},
		{"bad -var", []string{"validate", "-var", "novalue", valid}, 1, "", regexp.MustCompile(`name=value`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, stdout.String(), stderr.String())
			}
			if tt.stdout != "" && strings.TrimSpace(stdout.String()) != tt.stdout {
				t.Errorf("stdout = %q, want %q", stdout.String(), tt.stdout)
			}
			if tt.stderr != nil && !tt.stderr.MatchString(stderr.String()) {
				t.Errorf("stderr does not match %s:\n%s", tt.stderr, stderr.String())
			}
		})
	}
}

func TestValidateJSON(t *testing.T) {
	invalid := writeSpec(t, "bad.hcl", invalidSpec)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"validate", "-json", invalid}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	var got struct {
		Valid        bool `json:"valid"`
		ErrorCount   int  `json:"error_count"`
		WarningCount int  `json:"warning_count"`
		Diagnostics  []struct {
			Severity, Summary, Detail string
			Range                     struct {
				Filename   string
				Start, End struct{ Line, Column, Byte int }
			}
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout.String())
	}
	if got.Valid || got.ErrorCount != 1 || got.WarningCount != 0 || len(got.Diagnostics) != 1 {
		t.Fatalf("unexpected report: %+v", got)
	}
	d := got.Diagnostics[0]
	if d.Severity != "error" || d.Summary != "Block not valid for a worker process" || d.Detail == "" ||
		d.Range.Filename != invalid || d.Range.Start.Line != 4 || d.Range.Start.Column != 5 || d.Range.End.Column != 10 {
		t.Errorf("unexpected diagnostic: %+v", d)
	}

	stdout.Reset()
	valid := writeSpec(t, "skiff.hcl", validSpec)
	if code := run([]string{"validate", "-json", "-var", "version=2", valid}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d, want 0: %s", code, stdout.String())
	}
	if !strings.Contains(stdout.String(), `"valid": true`) || !strings.Contains(stdout.String(), `"diagnostics": []`) {
		t.Errorf("unexpected JSON: %s", stdout.String())
	}
}

func TestValidateVarOrder(t *testing.T) {
	spec := writeSpec(t, "skiff.hcl", validSpec)
	varFile := filepath.Join(filepath.Dir(spec), "v.hcl")
	if err := os.WriteFile(varFile, []byte(`version = "bad version"`), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	// -var after -var-file wins: the valid value is used.
	if code := run([]string{"validate", "-var-file", varFile, "-var", "version=1", spec}, &stdout, &stderr); code != 0 {
		t.Errorf("exit code %d, want 0: %s", code, stderr.String())
	}
	// -var-file after -var wins: the image with a space is rejected.
	if code := run([]string{"validate", "-var", "version=1", "-var-file", varFile, spec}, &stdout, &stderr); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
}

package jobspec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// writeFiles creates files (name → content) in a new temporary directory and returns its path.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const varSpec = `
variable "v" {
  type    = string
  default = "default"
}
app "shop" {
  image = "shop:${var.v}"
  worker "w" {}
}
`

func TestVariablePrecedence(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		opts  Options
		want  string
	}{
		{"default", nil, Options{}, "default"},
		{"env", nil, Options{Environ: []string{"SKIFF_VAR_v=env"}}, "env"},
		{"auto file beats env", map[string]string{"a.auto.skiffvars.hcl": `v = "auto"`},
			Options{Environ: []string{"SKIFF_VAR_v=env"}}, "auto"},
		{"later auto file wins", map[string]string{"a.auto.skiffvars.hcl": `v = "a"`, "b.auto.skiffvars.hcl": `v = "b"`},
			Options{}, "b"},
		{"var file beats auto file", map[string]string{"a.auto.skiffvars.hcl": `v = "auto"`, "x.hcl": `v = "file"`},
			Options{VarFiles: []string{"x.hcl"}}, "file"},
		{"-var beats var file", map[string]string{"x.hcl": `v = "file"`},
			Options{VarFiles: []string{"x.hcl"}, Vars: map[string]string{"v": "arg"}}, "arg"},
		{"VarArgs in order: file last", map[string]string{"x.hcl": `v = "file"`},
			Options{VarArgs: []VarArg{{Name: "v", Value: "arg"}, {File: "x.hcl"}}}, "file"},
		{"VarArgs in order: var last", map[string]string{"x.hcl": `v = "file"`},
			Options{VarArgs: []VarArg{{File: "x.hcl"}, {Name: "v", Value: "arg"}}}, "arg"},
		{"json var file", map[string]string{"x.json": `{"v": "json"}`},
			Options{VarFiles: []string{"x.json"}}, "json"},
		{"literal string keeps quotes", nil, Options{Vars: map[string]string{"v": `"q"`}}, `"q"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			files := map[string]string{"skiff.hcl": varSpec}
			for k, v := range tt.files {
				files[k] = v
			}
			dir := writeFiles(t, files)
			opts := tt.opts
			for i, f := range opts.VarFiles {
				opts.VarFiles[i] = filepath.Join(dir, f)
			}
			for i, a := range opts.VarArgs {
				if a.File != "" {
					opts.VarArgs[i].File = filepath.Join(dir, a.File)
				}
			}
			app, diags := LoadFile(filepath.Join(dir, "skiff.hcl"), &opts)
			if diags.HasErrors() {
				t.Fatalf("diagnostics: %s", diags.Error())
			}
			if got, want := app.Image, "shop:"+tt.want; got != want {
				t.Errorf("image = %q, want %q", got, want)
			}
		})
	}
}

func TestVariableErrors(t *testing.T) {
	t.Parallel()
	spec := `
variable "n" {
  type    = number
  default = 1
}
variable "l" {
  type    = list(string)
  default = []
}
variable "secret" {
  type      = string
  default   = "s3cr3t-default"
  sensitive = true
  validation {
    condition     = length(var.secret) > 8
    error_message = "Too short: ${var.secret}."
  }
}
variable "strict" {
  type     = string
  default  = "x"
  nullable = false
}
app "shop" {
  image = "shop:${var.n}"
  env   = { S = var.secret, L = join(",", var.l) }
  worker "w" {}
}
`
	tests := []struct {
		name         string
		opts         Options
		wantSummary  string
		wantFilename string
		notContains  string
	}{
		{"number from -var", Options{Vars: map[string]string{"n": "abc"}}, "Variables not allowed", "<value for var.n>", ""},
		{"number conversion", Options{Vars: map[string]string{"n": `"abc"`}}, "Invalid value for variable", "<value for var.n>", ""},
		{"list from env", Options{Environ: []string{`SKIFF_VAR_l=[1, {}]`}}, "Invalid value for variable", "<SKIFF_VAR_l environment variable>", ""},
		{"undeclared -var", Options{Vars: map[string]string{"nope": "1"}}, "Value for undeclared variable", "<value for var.nope>", ""},
		{"sensitive validation", Options{Vars: map[string]string{"secret": "short"}}, "Invalid value for variable", "spec.hcl", "short"},
		{"sensitive bad expression", Options{Vars: map[string]string{"n": "1"}, VarArgs: []VarArg{{Name: "secret", Value: "hunter2-pw"}}}, "", "", "hunter2-pw"},
		{"not nullable", Options{Vars: map[string]string{"l": "null"}}, "", "", ""},
		{"var file without FS", Options{VarFiles: []string{"x.hcl"}}, "Var files need filesystem access", "x.hcl", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := tt.opts
			_, diags := Parse("spec.hcl", []byte(spec), &opts)
			for _, d := range diags {
				if tt.notContains != "" && (strings.Contains(d.Summary, tt.notContains) || strings.Contains(d.Detail, tt.notContains)) {
					t.Errorf("diagnostic leaks the sensitive value: %s: %s", d.Summary, d.Detail)
				}
			}
			if tt.wantSummary == "" {
				return
			}
			if !diags.HasErrors() {
				t.Fatalf("no errors")
			}
			d := diags[0]
			if d.Summary != tt.wantSummary || d.Subject.Filename != tt.wantFilename {
				t.Errorf("got %q at %s, want %q in %s", d.Summary, d.Subject, tt.wantSummary, tt.wantFilename)
			}
		})
	}
}

func TestVariableTypesFromStrings(t *testing.T) {
	t.Parallel()
	spec := `
variable "hosts" { type = list(string) }
variable "n"     { type = number }
variable "b"     { type = bool }
variable "m"     { type = map(string) }
variable "any"   {}
app "shop" {
  image = "shop:1"
  env   = { H = join(",", var.hosts), N = var.n * 2, B = var.b, M = var.m.k, A = var.any }
  worker "w" {}
}
`
	app, diags := Parse("spec.hcl", []byte(spec), &Options{
		Vars:    map[string]string{"hosts": `["a", "b"]`, "n": "21", "m": `{ k = "v" }`, "any": "[1]"},
		Environ: []string{"SKIFF_VAR_b=true", "OTHER=1", "SKIFF_VAR_undeclared=x"},
	})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	want := map[string]string{"H": "a,b", "N": "42", "B": "true", "M": "v", "A": "[1]"}
	for k, w := range want {
		if got := app.Env[k]; got != w {
			t.Errorf("env %s = %q, want %q", k, got, w)
		}
	}
}

func TestSensitiveRecorded(t *testing.T) {
	t.Parallel()
	spec := `
variable "token" {
  sensitive = true
}
locals {
  auth = "Bearer ${var.token}"
}
app "shop" {
  image = "shop:1"
  env   = { PLAIN = "x", AUTH = local.auth }
  worker "w" {
    command = ["/run", var.token]
    env     = { T = sensitive("literal") }
  }
}
`
	app, diags := Parse("spec.hcl", []byte(spec), &Options{Vars: map[string]string{"token": "tok"}})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	got := strings.Join(app.Sensitive, " ")
	if want := "env.AUTH worker.w.command[1] worker.w.env.T"; got != want {
		t.Errorf("Sensitive = %q, want %q", got, want)
	}
	if !app.IsSensitive("worker.w.env.T") || !app.IsSensitive("env.AUTH") || app.IsSensitive("env.PLAIN") {
		t.Errorf("IsSensitive wrong for %v", app.Sensitive)
	}
	if !app.Variables[0].Sensitive {
		t.Errorf("variable not marked sensitive")
	}
}

func TestUndeclaredInVarFileWarns(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"skiff.hcl": varSpec, "x.auto.skiffvars.hcl": "v = \"a\"\nother = 1\n"})
	app, diags := LoadFile(filepath.Join(dir, "skiff.hcl"), nil)
	if app == nil || len(diags) != 1 || diags[0].Severity != hcl.DiagWarning || diags[0].Subject.Start.Line != 2 {
		t.Fatalf("want one warning on line 2, got %v", diags)
	}
}

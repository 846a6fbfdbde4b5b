package jobspec

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

func TestFunctions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr, want, wantErr string
	}{
		{`upper("shop")`, "SHOP", ""},
		{`format("%s-%03d", "a", 7)`, "a-007", ""},
		{`join(",", ["a", "b"])`, "a,b", ""},
		{`jsonencode({ a = 1 })`, `{"a":1}`, ""},
		{`jsondecode("{\"a\": \"b\"}").a`, "b", ""},
		{`base64encode("hi")`, "aGk=", ""},
		{`base64decode("aGk=")`, "hi", ""},
		{`base64decode("!!")`, "", "invalid base64"},
		{`sha256("")`, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ""},
		{`urlencode("a b&c")`, "a+b%26c", ""},
		{`length("héllo")`, "5", ""},
		{`length([1, 2, 3])`, "3", ""},
		{`merge({ a = "1" }, { b = "2" }).b`, "2", ""},
		{`try(local.missing, "fallback")`, "fallback", ""},
		{`can(parseint("x", 10))`, "false", ""},
		{`max(3, 7, 1)`, "7", ""},
		{`tostring(12)`, "12", ""},
		{`replace("a-b-c", "-", "_")`, "a_b_c", ""},
		{`regex("v([0-9]+)", "v42")[0]`, "42", ""},
		{`trimprefix("v1.2", "v")`, "1.2", ""},
		{`length(range(5))`, "5", ""},
		{`length(range(100000))`, "", "more than 1024"},
		{`formatdate("YYYY", "2024-05-01T00:00:00Z")`, "2024", ""},
		{`nonsensitive(sensitive("x"))`, "x", ""},
		{`file("x.txt")`, "", "without filesystem access"},
		{`templatefile("x.tpl", {})`, "", "without filesystem access"},
	}
	fns := functions("")
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			expr, diags := hclsyntax.ParseExpression([]byte(tt.expr), "t.hcl", hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			ctx := &hcl.EvalContext{Functions: fns, Variables: map[string]cty.Value{"local": cty.EmptyObjectVal}}
			v, diags := expr.Value(ctx)
			if tt.wantErr != "" {
				if !diags.HasErrors() || !strings.Contains(diags.Error(), tt.wantErr) {
					t.Fatalf("want error containing %q, got %v", tt.wantErr, diags)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			s, err := convert.Convert(v, cty.String)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.AsString(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFileFunctionsFromDisk(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"skiff.hcl": `
app "shop" {
  image = trimspace(file("version.txt"))
  worker "w" {
    env = { GREETING = templatefile("greet.tpl", { name = "skiff" }) }
  }
}
`,
		"version.txt": "shop:9\n",
		"greet.tpl":   "hello ${upper(name)}",
	})
	app, diags := LoadFile(filepath.Join(dir, "skiff.hcl"), nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if app.Image != "shop:9" || app.Processes[0].Env["GREETING"] != "hello SKIFF" {
		t.Errorf("image %q, env %v", app.Image, app.Processes[0].Env)
	}
	// The same spec through Parse (the server path) must fail clearly.
	_, diags = Parse("skiff.hcl", []byte(`app "shop" {
  image = file("version.txt")
  worker "w" {}
}`), nil)
	if !diags.HasErrors() || !strings.Contains(diags[0].Detail, "without filesystem access") || diags[0].Subject.Start.Line != 2 {
		t.Errorf("want a filesystem error on line 2, got %v", diags)
	}
}

func TestFunctionLimits(t *testing.T) {
	t.Parallel()
	for _, src := range []string{
		`format("%0999999999d", 1)`,
		`formatlist("%99999s", ["a"])`,
		`setproduct(range(1000), range(1000))`,
	} {
		expr, diags := hclsyntax.ParseExpression([]byte(src), "t.hcl", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		if _, diags := expr.Value(&hcl.EvalContext{Functions: functions("")}); !diags.HasErrors() {
			t.Errorf("%s: want an error", src)
		}
	}
}

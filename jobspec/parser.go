package jobspec

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
)

// AutoVarFileSuffix is the suffix of var files LoadFile reads automatically from the spec's directory.
const AutoVarFileSuffix = ".auto.skiffvars.hcl"

// Options carries variable values and settings for Parse and LoadFile. A nil *Options is the same as a zero one.
//
// Values are applied in this order, later sources winning (as in Terraform): SKIFF_VAR_<name> entries of
// Environ, *.auto.skiffvars.hcl files beside the spec (LoadFile only, in lexical order), VarFiles in order, Vars,
// then VarArgs in order.
type Options struct {
	// Vars maps variable names to raw values as given with -var name=value: a literal string for variables of
	// type string (or without a type), an HCL expression (such as ["a", "b"] or { x = 1 }) otherwise.
	Vars map[string]string
	// VarFiles names var files (HCL, or JSON when the name ends in .json) to read. LoadFile only: Parse reports
	// an error when any is given, since it has no filesystem access.
	VarFiles []string
	// VarArgs are -var and -var-file arguments in command-line order; front ends that keep the order use these
	// instead of Vars and VarFiles.
	VarArgs []VarArg
	// Environ is the environment to read SKIFF_VAR_<name> values from, as from os.Environ(). Parse and LoadFile
	// never read the process environment themselves.
	Environ []string
}

// VarArg is one -var (Name and Value) or -var-file (File) command-line argument.
type VarArg struct {
	Name, Value string
	File        string
}

// Parse decodes the spec in src (named filename in diagnostics) without any filesystem access: no auto var
// files, no var files, and file/templatefile report an error. It is safe for the REST server. The returned App
// is nil when diags has errors.
func Parse(filename string, src []byte, opts *Options) (*App, hcl.Diagnostics) {
	return parse(filename, src, opts, "", nil, nil)
}

// LoadFile reads and decodes the spec at path. It also reads the *.auto.skiffvars.hcl files in the spec's
// directory and opts.VarFiles, and enables file and templatefile relative to the spec's directory. The returned
// App is nil when diags has errors.
func LoadFile(path string, opts *Options) (*App, hcl.Diagnostics) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read spec file",
			Detail:   fmt.Sprintf("The spec file %q could not be read: %s. Check the path.", path, err),
			Subject:  &hcl.Range{Filename: path, Start: hcl.InitialPos, End: hcl.InitialPos},
		}}
	}
	dir := filepath.Dir(path)
	entries, _ := os.ReadDir(dir)
	var auto []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), AutoVarFileSuffix) {
			auto = append(auto, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(auto)
	absDir, err := filepath.Abs(dir)
	if err != nil {
		absDir = dir
	}
	return parse(path, src, opts, absDir, auto, os.ReadFile)
}

var fileSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "app", LabelNames: []string{"name"}},
	},
}

// parse runs the phases described in the package documentation. baseDir and readFile are empty on the
// no-filesystem path.
func parse(filename string, src []byte, opts *Options, baseDir string, autoFiles []string, readFile func(string) ([]byte, error)) (app *App, diags hcl.Diagnostics) {
	if opts == nil {
		opts = &Options{}
	}
	fileRange := hcl.Range{Filename: filename, Start: hcl.InitialPos, End: hcl.InitialPos}
	var vars []*Variable
	defer func() {
		diags = redactDiags(diags, vars)
		ensureSubjects(diags, fileRange)
		sortDiags(diags)
		if diags.HasErrors() {
			app = nil
		}
	}()

	// Phase 1: syntax and top-level structure.
	if len(src) > maxSpecSize {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Spec file too large",
			Detail:   fmt.Sprintf("The spec is %d bytes; the limit is %d. Move large content out of the spec.", len(src), maxSpecSize),
			Subject:  fileRange.Ptr(),
		}}
	}
	f, diags := parseHCLOrJSON(filename, src)
	if diags.HasErrors() {
		return nil, diags
	}
	c, ds := content(f.Body, fileSchema, "file")
	diags = append(diags, ds...)
	if c == nil || diags.HasErrors() {
		return nil, diags
	}
	var appBlock *hcl.Block
	var locals []*localValue
	for _, b := range c.Blocks {
		switch b.Type {
		case "variable":
			v, ds := decodeVariableBlock(b)
			diags = append(diags, ds...)
			vars = append(vars, v)
		case "locals":
			ls, ds := decodeLocalsBlock(b)
			diags = append(diags, ds...)
			locals = append(locals, ls...)
		case "app":
			if appBlock != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Duplicate app block",
					Detail:   fmt.Sprintf("A spec file declares exactly one app; the first is at %s. Put the second app in its own skiff.hcl.", appBlock.DefRange),
					Subject:  b.DefRange.Ptr(),
				})
				continue
			}
			appBlock = b
		}
	}
	if appBlock == nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing app block",
			Detail:   "A spec file must declare one app: app \"name\" { web \"api\" { ... } }.",
			Subject:  f.Body.MissingItemRange().Ptr(),
		})
	}
	if diags.HasErrors() {
		return nil, diags
	}

	// Phase 2: variables.
	ds = resolveVariables(vars, opts, autoFiles, readFile)
	diags = append(diags, ds...)
	if diags.HasErrors() {
		return nil, diags
	}
	ctx := evalContext(vars, nil, baseDir)
	ds = validateVariables(vars, ctx)
	diags = append(diags, ds...)
	if diags.HasErrors() {
		return nil, diags
	}

	// Phase 3: locals.
	localValues, ds := evalLocals(locals, ctx)
	diags = append(diags, ds...)
	if diags.HasErrors() {
		return nil, diags
	}
	ctx = evalContext(vars, localValues, baseDir)

	// Phase 4: the app body.
	d := newDecoder(ctx)
	in, ds := decodeAppBlock(d, appBlock)
	diags = append(diags, ds...)
	if diags.HasErrors() {
		return nil, diags
	}

	// Phase 5: normalize, build, validate.
	normalizeApp(in)
	diags = append(diags, validateApp(in)...)
	if diags.HasErrors() {
		return nil, diags
	}
	app = buildApp(in)
	app.Variables = vars
	app.Sensitive = sortedKeys(d.sensitive)
	app.SpecHash = specHash(app)
	return app, diags
}

// parseHCLOrJSON parses native HCL, or HCL's JSON syntax when filename ends in .json.
func parseHCLOrJSON(filename string, src []byte) (*hcl.File, hcl.Diagnostics) {
	if strings.HasSuffix(filename, ".json") {
		return hcljson.Parse(src, filename)
	}
	return hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
}

// ParseRemote decodes a spec sent to the platform API: like Parse it has no filesystem access (no auto var
// files; file and templatefile report an error), but var files come by content: the File of each opts.VarArgs
// entry (and each opts.VarFiles name) is a key of varFiles. The returned App is nil when diags has errors.
func ParseRemote(filename string, src []byte, varFiles map[string][]byte, opts *Options) (*App, hcl.Diagnostics) {
	read := func(name string) ([]byte, error) {
		b, ok := varFiles[name]
		if !ok {
			return nil, fmt.Errorf("var file %q was not sent with the spec", name)
		}
		return b, nil
	}
	return parse(filename, src, opts, "", nil, read)
}

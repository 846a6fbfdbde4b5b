package jobspec

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// Limits that keep a spec from making the parser allocate without bound (specs reach the API server).
const (
	maxRangeLen      = 1024    // elements of range()
	maxSetProductLen = 100_000 // elements of setproduct()
	maxSpecSize      = 1 << 20 // bytes of a spec file
)

// bigFormatWidth matches a format verb with a width or precision of five digits or more.
var bigFormatWidth = regexp.MustCompile(`%[^a-zA-Z%]*[0-9]{5}`)

// functions returns the function library available in specs. baseDir is the spec's directory when the spec was
// loaded from disk; it is empty on the no-filesystem path, where file and templatefile report a clear error.
// The library is deterministic on purpose (no timestamp, uuid or env): identical inputs give identical specs.
func functions(baseDir string) map[string]function.Function {
	fns := map[string]function.Function{
		// numeric
		"abs": stdlib.AbsoluteFunc, "ceil": stdlib.CeilFunc, "floor": stdlib.FloorFunc, "log": stdlib.LogFunc,
		"max": stdlib.MaxFunc, "min": stdlib.MinFunc, "parseint": stdlib.ParseIntFunc, "pow": stdlib.PowFunc,
		"signum": stdlib.SignumFunc,
		// string
		"chomp": stdlib.ChompFunc, "format": limitedFormat(stdlib.FormatFunc), "formatlist": limitedFormat(stdlib.FormatListFunc),
		"indent": stdlib.IndentFunc, "join": stdlib.JoinFunc, "lower": stdlib.LowerFunc, "regex": stdlib.RegexFunc,
		"regexall": stdlib.RegexAllFunc, "replace": stdlib.ReplaceFunc, "split": stdlib.SplitFunc,
		"strrev": stdlib.ReverseFunc, "substr": stdlib.SubstrFunc, "title": stdlib.TitleFunc, "trim": stdlib.TrimFunc,
		"trimprefix": stdlib.TrimPrefixFunc, "trimsuffix": stdlib.TrimSuffixFunc, "trimspace": stdlib.TrimSpaceFunc,
		"upper": stdlib.UpperFunc, "strlen": stdlib.StrlenFunc,
		// collection
		"chunklist": stdlib.ChunklistFunc, "coalesce": stdlib.CoalesceFunc, "coalescelist": stdlib.CoalesceListFunc,
		"compact": stdlib.CompactFunc, "concat": stdlib.ConcatFunc, "contains": stdlib.ContainsFunc,
		"distinct": stdlib.DistinctFunc, "element": stdlib.ElementFunc, "flatten": stdlib.FlattenFunc,
		"keys": stdlib.KeysFunc, "length": lengthFunc(), "lookup": stdlib.LookupFunc, "merge": stdlib.MergeFunc,
		"range": limitedRange(), "reverse": stdlib.ReverseListFunc, "setintersection": stdlib.SetIntersectionFunc,
		"setproduct": limitedSetProduct(), "setsubtract": stdlib.SetSubtractFunc, "setunion": stdlib.SetUnionFunc,
		"slice": stdlib.SliceFunc, "sort": stdlib.SortFunc, "values": stdlib.ValuesFunc, "zipmap": stdlib.ZipmapFunc,
		// encoding
		"jsonencode": stdlib.JSONEncodeFunc, "jsondecode": stdlib.JSONDecodeFunc, "csvdecode": stdlib.CSVDecodeFunc,
		"base64encode": stringFunc(func(s string) (string, error) { return base64.StdEncoding.EncodeToString([]byte(s)), nil }),
		"base64decode": stringFunc(decodeBase64),
		"urlencode":    stringFunc(func(s string) (string, error) { return url.QueryEscape(s), nil }),
		"sha256": stringFunc(func(s string) (string, error) {
			sum := sha256.Sum256([]byte(s))
			return hex.EncodeToString(sum[:]), nil
		}),
		// time (pure)
		"formatdate": stdlib.FormatDateFunc, "timeadd": stdlib.TimeAddFunc,
		// type conversion
		"tostring": stdlib.MakeToFunc(cty.String), "tonumber": stdlib.MakeToFunc(cty.Number),
		"tobool": stdlib.MakeToFunc(cty.Bool), "tolist": stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"toset": stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)), "tomap": stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		// control
		"try": tryfunc.TryFunc, "can": tryfunc.CanFunc,
		"sensitive": sensitiveFunc(), "nonsensitive": nonsensitiveFunc(),
	}
	fns["file"], fns["templatefile"] = fileFuncs(baseDir, fns)
	return fns
}

func decodeBase64(s string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return "", fmt.Errorf("invalid base64 data")
	}
	if !utf8.Valid(b) {
		return "", fmt.Errorf("the decoded data is not valid UTF-8")
	}
	return string(b), nil
}

// stringFunc wraps a string → string Go function.
func stringFunc(f func(string) (string, error)) function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "str", Type: cty.String}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			out, err := f(args[0].AsString())
			if err != nil {
				return cty.UnknownVal(cty.String), err
			}
			return cty.StringVal(out), nil
		},
	})
}

// limitedRange is stdlib's range with a cap on the number of elements.
func limitedRange() function.Function {
	return function.New(&function.Spec{
		VarParam: &function.Parameter{Name: "params", Type: cty.Number},
		Type:     function.StaticReturnType(cty.List(cty.Number)),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			nums := make([]float64, len(args))
			for i, a := range args {
				nums[i], _ = a.AsBigFloat().Float64()
			}
			var start, end, step float64 = 0, 0, 1
			switch len(nums) {
			case 1:
				end = nums[0]
			case 2:
				start, end = nums[0], nums[1]
			case 3:
				start, end, step = nums[0], nums[1], nums[2]
			}
			if step != 0 && (end-start)/step > maxRangeLen {
				return cty.NilVal, fmt.Errorf("range would produce more than %d elements", maxRangeLen)
			}
			return stdlib.RangeFunc.Call(args)
		},
	})
}

func sensitiveFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowMarked: true, AllowNull: true}},
		Type:   func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return args[0].Mark(sensitiveMark), nil
		},
	})
}

func nonsensitiveFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowMarked: true, AllowNull: true}},
		Type:   func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			v, _ := args[0].Unmark()
			return v, nil
		},
	})
}

// fileFuncs returns file and templatefile reading relative to baseDir, or, when baseDir is empty, versions that
// fail with an explanation (the no-filesystem path). templatefile templates see only the vars passed to them and
// the function library without templatefile itself.
func fileFuncs(baseDir string, lib map[string]function.Function) (function.Function, function.Function) {
	noFS := func(name string) function.Function {
		return function.New(&function.Spec{
			VarParam: &function.Parameter{Name: "args", Type: cty.DynamicPseudoType, AllowNull: true},
			Type:     function.StaticReturnType(cty.String),
			Impl: func([]cty.Value, cty.Type) (cty.Value, error) {
				return cty.NilVal, fmt.Errorf("%s() is not available here: this spec is parsed without filesystem access "+
					"(for example by the API server); inline the content or pass it in a variable", name)
			},
		})
	}
	if baseDir == "" {
		return noFS("file"), noFS("templatefile")
	}
	read := func(p string) (string, error) {
		if !filepath.IsAbs(p) {
			p = filepath.Join(baseDir, p)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return "", fmt.Errorf("cannot read %s: %w", p, err)
		}
		if !utf8.Valid(b) {
			return "", fmt.Errorf("%s is not valid UTF-8", p)
		}
		return string(b), nil
	}
	file := stringFunc(read)
	tmpl := function.New(&function.Spec{
		Params: []function.Parameter{
			{Name: "path", Type: cty.String},
			{Name: "vars", Type: cty.DynamicPseudoType, AllowMarked: true},
		},
		Type: function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			src, err := read(args[0].AsString())
			if err != nil {
				return cty.NilVal, err
			}
			vars, marks := args[1].UnmarkDeep()
			if vars.IsNull() || !vars.IsWhollyKnown() || (!vars.Type().IsObjectType() && !vars.Type().IsMapType()) {
				return cty.NilVal, fmt.Errorf("the vars argument must be an object or map")
			}
			expr, diags := hclsyntax.ParseTemplate([]byte(src), args[0].AsString(), hcl.InitialPos)
			if diags.HasErrors() {
				return cty.NilVal, diags
			}
			ctx := &hcl.EvalContext{Variables: vars.AsValueMap(), Functions: map[string]function.Function{}}
			for k, f := range lib {
				ctx.Functions[k] = f
			}
			out, diags := expr.Value(ctx)
			if diags.HasErrors() {
				return cty.NilVal, diags
			}
			str, err := convert.Convert(out, cty.String)
			if err != nil || str.IsNull() {
				return cty.NilVal, fmt.Errorf("the template must produce a string")
			}
			return str.WithMarks(marks), nil
		},
	})
	return file, tmpl
}

// lengthFunc is Terraform's length: the number of characters of a string, or of elements of a collection.
func lengthFunc() function.Function {
	return function.New(&function.Spec{
		Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowDynamicType: true, AllowUnknown: true, AllowMarked: true}},
		Type:   function.StaticReturnType(cty.Number),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			v, marks := args[0].Unmark()
			if v.Type() == cty.String {
				n, err := stdlib.StrlenFunc.Call([]cty.Value{v})
				return n.WithMarks(marks), err
			}
			n, err := stdlib.LengthFunc.Call([]cty.Value{v})
			return n.WithMarks(marks), err
		},
	})
}

// limitedFormat wraps format or formatlist, rejecting huge widths and precisions ("%0999999999d").
func limitedFormat(f function.Function) function.Function {
	return function.New(&function.Spec{
		Params:   []function.Parameter{{Name: "format", Type: cty.String}},
		VarParam: &function.Parameter{Name: "args", Type: cty.DynamicPseudoType, AllowNull: true, AllowUnknown: true},
		Type: func(args []cty.Value) (cty.Type, error) {
			return f.ReturnType(typesOf(args))
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if bigFormatWidth.MatchString(args[0].AsString()) {
				return cty.NilVal, fmt.Errorf("format widths and precisions above 9999 are not supported")
			}
			return f.Call(args)
		},
	})
}

// limitedSetProduct is setproduct with a cap on the size of the result.
func limitedSetProduct() function.Function {
	return function.New(&function.Spec{
		VarParam: &function.Parameter{Name: "sets", Type: cty.DynamicPseudoType},
		Type: func(args []cty.Value) (cty.Type, error) {
			return stdlib.SetProductFunc.ReturnType(typesOf(args))
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			total := 1
			for _, a := range args {
				if a.IsKnown() && !a.IsNull() && a.CanIterateElements() {
					total *= a.LengthInt()
				}
				if total > maxSetProductLen {
					return cty.NilVal, fmt.Errorf("setproduct would produce more than %d elements", maxSetProductLen)
				}
			}
			return stdlib.SetProductFunc.Call(args)
		},
	})
}

func typesOf(args []cty.Value) []cty.Type {
	out := make([]cty.Type, len(args))
	for i, a := range args {
		out[i] = a.Type()
	}
	return out
}

package compile

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	nomadapi "github.com/hashicorp/nomad/api"
	"github.com/zclconf/go-cty/cty"
)

// RenderHCL writes job as a Nomad HCL job file — the way out for a team that wants to run a job without skiff.
// It follows the hcl struct tags of Nomad's API types, which are what Nomad's own HCL parser decodes, so the
// file parses back to the same job. A set field that has no HCL form is an error naming it: the output is never
// silently incomplete.
func RenderHCL(job *nomadapi.Job) ([]byte, error) {
	if job.ID == nil {
		return nil, fmt.Errorf("job has no ID")
	}
	// The job block's label is its ID (and name); Nomad's parser fills both from it.
	j := *job
	if j.Name != nil && *j.Name == *j.ID {
		j.Name = nil
	}
	id := *j.ID
	j.ID = nil
	f := hclwrite.NewEmptyFile()
	if err := writeStruct(f.Body(), "job", []string{id}, reflect.ValueOf(&j).Elem(), "job"); err != nil {
		return nil, err
	}
	return hclwrite.Format(f.Bytes()), nil
}

// implied lists fields without an HCL form whose value Nomad's parser sets itself.
var implied = map[string]func(reflect.Value) bool{
	"SpecType": func(v reflect.Value) bool { return deref(v).String() == nomadapi.PeriodicSpecCron },
}

var durationType = reflect.TypeOf(time.Duration(0))

// hclField is one struct field with its hcl tag.
type hclField struct {
	name, kind string
	value      reflect.Value
	goName     string
}

func hclFields(v reflect.Value) []hclField {
	var out []hclField
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		tag, ok := t.Field(i).Tag.Lookup("hcl")
		name, kind, _ := strings.Cut(tag, ",")
		if !ok {
			name, kind = "", "-"
		}
		out = append(out, hclField{name: name, kind: kind, value: v.Field(i), goName: t.Field(i).Name})
	}
	return out
}

// writeStruct appends block typ for struct v to body, labelled with labels and v's label fields.
func writeStruct(body *hclwrite.Body, typ string, labels []string, v reflect.Value, path string) error {
	for _, f := range hclFields(v) {
		if f.kind == "label" {
			labels = append(labels, deref(f.value).String())
		}
	}
	blk := body.AppendNewBlock(typ, labels)
	var blocks []hclField
	for _, f := range hclFields(v) {
		if isEmpty(f.value) || f.kind == "label" {
			continue
		}
		switch f.kind {
		case "block":
			blocks = append(blocks, f)
		case "optional", "attr", "":
			val, err := toCty(f.value)
			if err != nil {
				return fmt.Errorf("%s.%s: %w", path, f.goName, err)
			}
			blk.Body().SetAttributeValue(f.name, val)
		default:
			if ok := implied[f.goName]; ok != nil && ok(f.value) {
				continue
			}
			return fmt.Errorf("%s.%s has no Nomad HCL form; use `skiff render` (JSON) for this job", path, f.goName)
		}
	}
	for _, f := range blocks {
		if err := writeBlockField(blk.Body(), f, path+"."+f.goName); err != nil {
			return err
		}
	}
	return nil
}

// writeBlockField writes a block-tagged field: a struct, a list of structs, a map of structs (labelled by key)
// or a map of values (the block's attributes).
func writeBlockField(body *hclwrite.Body, f hclField, path string) error {
	v := deref(f.value)
	switch v.Kind() {
	case reflect.Struct:
		return writeStruct(body, f.name, nil, v, path)
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			if err := writeStruct(body, f.name, nil, deref(v.Index(i)), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		if e := v.Type().Elem(); e.Kind() == reflect.Pointer && e.Elem().Kind() == reflect.Struct {
			for _, k := range keys {
				if err := writeStruct(body, f.name, nil, deref(v.MapIndex(k)), path+"["+k.String()+"]"); err != nil {
					return err
				}
			}
			return nil
		}
		val, err := toCty(v)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if f.name == "meta" && !allIdentifiers(keys) {
			// Nomad also reads meta as an attribute, which admits keys such as "skiff.app".
			body.SetAttributeValue(f.name, val)
			return nil
		}
		if !allIdentifiers(keys) {
			return fmt.Errorf("%s has keys that are not HCL identifiers", path)
		}
		blk := body.AppendNewBlock(f.name, nil)
		for _, k := range keys {
			ev, err := toCty(v.MapIndex(k))
			if err != nil {
				return fmt.Errorf("%s[%s]: %w", path, k, err)
			}
			blk.Body().SetAttributeValue(k.String(), ev)
		}
		return nil
	}
	return fmt.Errorf("%s: unsupported block value %s", path, v.Kind())
}

// toCty converts an API value to a cty value; durations become Go duration strings.
func toCty(v reflect.Value) (cty.Value, error) {
	v = deref(v)
	if !v.IsValid() {
		return cty.NullVal(cty.DynamicPseudoType), nil
	}
	if v.Type() == durationType {
		return cty.StringVal(time.Duration(v.Int()).String()), nil
	}
	switch v.Kind() {
	case reflect.String:
		return cty.StringVal(v.String()), nil
	case reflect.Bool:
		return cty.BoolVal(v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return cty.NumberIntVal(v.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return cty.NumberUIntVal(v.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return cty.NumberFloatVal(v.Float()), nil
	case reflect.Slice:
		if v.Len() == 0 {
			return cty.EmptyTupleVal, nil
		}
		vals := make([]cty.Value, v.Len())
		for i := range vals {
			ev, err := toCty(v.Index(i))
			if err != nil {
				return cty.NilVal, err
			}
			vals[i] = ev
		}
		return cty.TupleVal(vals), nil
	case reflect.Map:
		vals := map[string]cty.Value{}
		for _, k := range v.MapKeys() {
			ev, err := toCty(v.MapIndex(k))
			if err != nil {
				return cty.NilVal, err
			}
			vals[k.String()] = ev
		}
		return cty.ObjectVal(vals), nil
	}
	return cty.NilVal, fmt.Errorf("a %s value has no HCL form", v.Kind())
}

func deref(v reflect.Value) reflect.Value {
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	return v
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	case reflect.Map, reflect.Slice:
		return v.Len() == 0
	}
	return v.IsZero()
}

func allIdentifiers(keys []reflect.Value) bool {
	for _, k := range keys {
		if !hclsyntax.ValidIdentifier(k.String()) {
			return false
		}
	}
	return true
}

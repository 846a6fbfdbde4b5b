package hclhint

import (
	"sort"

	"github.com/hashicorp/hcl/v2"
)

// NamedSchema is the schema of one context of a language: "file" for the top level, else a block type.
type NamedSchema struct {
	Name   string
	Schema *hcl.BodySchema
}

// Places lists, sorted, the block types among index whose schema accepts name as an attribute or a block —
// where a misplaced name belongs. The top level ("file") is never listed.
func Places(index []NamedSchema, name string) []string {
	var out []string
	for _, s := range index {
		if s.Name == "file" {
			continue
		}
		for _, a := range s.Schema.Attributes {
			if a.Name == name {
				out = append(out, s.Name)
			}
		}
		for _, b := range s.Schema.Blocks {
			if b.Type == name {
				out = append(out, s.Name)
			}
		}
	}
	sort.Strings(out)
	return out
}

// ContextName names a context in a diagnostic: "the top level of the file" or "a <where> block".
func ContextName(where string) string {
	if where == "file" {
		return "the top level of the file"
	}
	return "a " + where + " block"
}

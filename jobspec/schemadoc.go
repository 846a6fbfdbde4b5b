package jobspec

import "github.com/skiffpaas/skiff/internal/hclhint"

// namedSchema is the schema of one context (block type) of the language.
type namedSchema = hclhint.NamedSchema

// schemaIndex lists the schema of every context, top level ("file") first. Process kinds share one schema.
func schemaIndex() []namedSchema {
	out := []namedSchema{
		{Name: "file", Schema: fileSchema},
		{Name: "variable", Schema: variableBlockSchema},
		{Name: "validation", Schema: validationBlockSchema},
		{Name: "app", Schema: appBlockSchema},
	}
	for _, k := range ProcessKinds() {
		out = append(out, namedSchema{Name: string(k), Schema: processBlockSchema})
	}
	return append(out,
		namedSchema{Name: "route", Schema: routeBlockSchema},
		namedSchema{Name: "health", Schema: healthBlockSchema},
		namedSchema{Name: "check_restart", Schema: checkRestartBlockSchema},
		namedSchema{Name: "resources", Schema: resourcesBlockSchema},
		namedSchema{Name: "rollout", Schema: rolloutBlockSchema},
		namedSchema{Name: "autoscale", Schema: autoscaleBlockSchema},
		namedSchema{Name: "volume", Schema: volumeBlockSchema},
		namedSchema{Name: "constraint", Schema: constraintBlockSchema},
		namedSchema{Name: "bind", Schema: bindBlockSchema},
		namedSchema{Name: "upstream", Schema: upstreamBlockSchema},
		namedSchema{Name: "patch", Schema: patchBlockSchema},
	)
}

// SchemaEntry describes the arguments and nested blocks one block type accepts. For process kinds, arguments
// and blocks that the kind rejects (see docs/spec.md) are left out.
type SchemaEntry struct {
	// Block is the block type ("file" for the top level of a spec file).
	Block string
	// Attributes and Blocks list the accepted argument names and nested block types, in schema order.
	Attributes []string
	Blocks     []string
}

// SchemaDoc returns the language's schema as names, for documentation and documentation tests. The result is
// freshly allocated on every call.
func SchemaDoc() []SchemaEntry {
	var out []SchemaEntry
	for _, s := range schemaIndex() {
		e := SchemaEntry{Block: s.Name}
		kind := ProcessKind(s.Name)
		isProcess := s.Schema == processBlockSchema
		for _, a := range s.Schema.Attributes {
			if ok, _ := kindAllows(kind, a.Name); !isProcess || ok {
				e.Attributes = append(e.Attributes, a.Name)
			}
		}
		for _, b := range s.Schema.Blocks {
			if ok, _ := kindAllows(kind, b.Type); !isProcess || ok {
				e.Blocks = append(e.Blocks, b.Type)
			}
		}
		out = append(out, e)
	}
	return out
}

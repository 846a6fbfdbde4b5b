package jobspec

import "github.com/hashicorp/hcl/v2"

// namedSchema is the schema of one context (block type) of the language.
type namedSchema struct {
	Name   string
	Schema *hcl.BodySchema
}

// schemaIndex lists the schema of every context, top level ("file") first. Process kinds share one schema.
func schemaIndex() []namedSchema {
	out := []namedSchema{
		{"file", fileSchema},
		{"variable", variableBlockSchema},
		{"validation", validationBlockSchema},
		{"app", appBlockSchema},
	}
	for _, k := range ProcessKinds() {
		out = append(out, namedSchema{string(k), processBlockSchema})
	}
	return append(out,
		namedSchema{"route", routeBlockSchema},
		namedSchema{"health", healthBlockSchema},
		namedSchema{"check_restart", checkRestartBlockSchema},
		namedSchema{"resources", resourcesBlockSchema},
		namedSchema{"rollout", rolloutBlockSchema},
		namedSchema{"autoscale", autoscaleBlockSchema},
		namedSchema{"volume", volumeBlockSchema},
		namedSchema{"constraint", constraintBlockSchema},
		namedSchema{"bind", bindBlockSchema},
		namedSchema{"upstream", upstreamBlockSchema},
		namedSchema{"patch", patchBlockSchema},
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

package jobspec

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// content decodes body against schema like hcl.Body.Content, but reports unknown arguments and block types
// itself, with the hints of hints.go for the context named by where (for example "app" or "web"). Every such
// diagnostic points at the name of the offending argument or block.
func content(body hcl.Body, schema *hcl.BodySchema, where string) (*hcl.BodyContent, hcl.Diagnostics) {
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		// JSON and other syntaxes: HCL's own messages already point at the item.
		return body.Content(schema)
	}
	attrs := map[string]bool{}
	for _, a := range schema.Attributes {
		attrs[a.Name] = true
	}
	blocks := map[string]bool{}
	for _, b := range schema.Blocks {
		blocks[b.Type] = true
	}
	var diags hcl.Diagnostics
	names := sortedKeys(sb.Attributes)
	for _, name := range names {
		if attrs[name] {
			continue
		}
		a := sb.Attributes[name]
		summary, detail := unsupportedHint(where, name, false, attrs, blocks)
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: a.NameRange.Ptr(),
		})
	}
	for _, b := range sb.Blocks {
		if blocks[b.Type] {
			continue
		}
		summary, detail := unsupportedHint(where, b.Type, true, attrs, blocks)
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: b.TypeRange.Ptr(),
		})
	}
	c, _, more := body.PartialContent(schema)
	diags = append(diags, more...)
	return c, diags
}

// singleBlock reports every block of typ in c after the first as a duplicate and returns the first (or nil).
func singleBlock(c *hcl.BodyContent, typ string) (*hcl.Block, hcl.Diagnostics) {
	var first *hcl.Block
	var diags hcl.Diagnostics
	for _, b := range c.Blocks {
		if b.Type != typ {
			continue
		}
		if first == nil {
			first = b
			continue
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Duplicate %s block", typ),
			Detail:   fmt.Sprintf("Only one %s block is allowed here; the first one is at %s. Merge the two blocks.", typ, first.DefRange),
			Subject:  b.DefRange.Ptr(),
		})
	}
	return first, diags
}

// sortDiags orders diagnostics by file and position so that output is stable.
func sortDiags(diags hcl.Diagnostics) {
	sort.SliceStable(diags, func(i, j int) bool {
		a, b := diags[i].Subject, diags[j].Subject
		if a == nil || b == nil {
			return a != nil && b == nil
		}
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		return a.Start.Byte < b.Start.Byte
	})
}

// ensureSubjects gives every diagnostic without a Subject the fallback range, so that the contract "every
// diagnostic has a Subject" holds even for messages produced inside HCL itself.
func ensureSubjects(diags hcl.Diagnostics, fallback hcl.Range) {
	for _, d := range diags {
		if d.Subject == nil {
			r := fallback
			d.Subject = &r
		}
	}
}

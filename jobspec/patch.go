package jobspec

import (
	"encoding/json"
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Patch is the escape hatch for what the language does not model: JSON merge patches (RFC 7396) that the
// compiler merges onto the generated Nomad job (in the JSON form of the Nomad API's Job type, such as
// {"Priority": 70} or {"Meta": {"team": "payments"}}).
//
// In the app block, Job applies to every generated job, Group to every task group and Task to every main task.
// In a process block they apply to that process's job, group and task only, after the app-level patch.
type Patch struct {
	// Job, Group and Task are the merge patch objects (nil when not set).
	Job   json.RawMessage `json:"job,omitempty"`
	Group json.RawMessage `json:"group,omitempty"`
	Task  json.RawMessage `json:"task,omitempty"`
	// DeclRange is the patch block header.
	DeclRange hcl.Range `json:"-"`
}

var patchBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "job"},
		{Name: "group"},
		{Name: "task"},
	},
}

// patchIdentityKeys are the job keys skiff owns: changing them would detach the job from its app.
func patchIdentityKeys() []string {
	return []string{"ID", "Name", "Namespace", "Type", "ParentID", "Periodic", "ParameterizedJob"}
}

// decodePatchBlock decodes a patch block. Patches have no defaults, so the model type is used directly.
func decodePatchBlock(d *decoder, block *hcl.Block, path string) (*Patch, hcl.Diagnostics) {
	p := &Patch{DeclRange: block.DefRange}
	c, diags := content(block.Body, patchBlockSchema, "patch")
	if c == nil {
		return p, diags
	}
	var ds hcl.Diagnostics
	if a := c.Attributes["job"]; a != nil {
		p.Job, ds = d.object(a, path+".job")
		diags = append(diags, ds...)
		var top map[string]json.RawMessage
		if p.Job != nil && json.Unmarshal(p.Job, &top) == nil {
			for _, k := range patchIdentityKeys() {
				if _, ok := top[k]; ok {
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Patch changes job identity",
						Detail:   fmt.Sprintf("A patch cannot set %q: skiff derives it from the app and process, and changing it would detach the job from the app. Use the matching spec argument or process kind instead.", k),
						Subject:  itemRange(a.Expr, k).Ptr(),
					})
				}
			}
		}
	}
	if a := c.Attributes["group"]; a != nil {
		p.Group, ds = d.object(a, path+".group")
		diags = append(diags, ds...)
	}
	if a := c.Attributes["task"]; a != nil {
		p.Task, ds = d.object(a, path+".task")
		diags = append(diags, ds...)
	}
	return p, diags
}

// ctyToJSON encodes an unmarked, known value as plain JSON.
func ctyToJSON(v cty.Value) (json.RawMessage, error) {
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return nil, err
	}
	return json.RawMessage(b), nil
}

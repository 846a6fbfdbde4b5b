package compile

import (
	"encoding/json"
	"sort"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/jobspec"
)

// scaling maps an autoscale block to a Nomad scaling policy for the Nomad Autoscaler (nomad-apm checks).
//
// The policy is in the shape Nomad's HCL parser gives policy blocks, which is the only one the Autoscaler
// accepts: every block is a list of objects, and a labelled block `check "cpu" { ... }` is
// {"check": [{"cpu": [{...}]}]}. A raw policy from the spec may be written naturally ({"check": {"cpu": {...}}});
// its check, strategy and target blocks are converted before it is merged over the generated policy.
func scaling(a *jobspec.Autoscale) *nomadapi.ScalingPolicy {
	target := func(query string, pct int) []interface{} {
		return block(map[string]interface{}{
			"source":   "nomad-apm",
			"query":    query,
			"strategy": labelled("target-value", map[string]interface{}{"target": pct}),
		})
	}
	var checks []interface{}
	if a.CPU > 0 {
		checks = append(checks, map[string]interface{}{"cpu": target("avg_cpu-allocated", a.CPU)})
	}
	if a.Memory > 0 {
		checks = append(checks, map[string]interface{}{"memory": target("avg_memory-allocated", a.Memory)})
	}
	policy := map[string]interface{}{"cooldown": "1m", "evaluation_interval": "10s"}
	if len(checks) > 0 {
		policy["check"] = checks
	}
	if len(a.Policy) > 0 {
		var raw map[string]interface{}
		if json.Unmarshal(a.Policy, &raw) == nil {
			b, _ := json.Marshal(asBlocks(raw))
			policy = mergeRaw(policy, b)
		}
	}
	return &nomadapi.ScalingPolicy{Min: ptr(int64(a.Min)), Max: ptr(int64(a.Max)), Enabled: ptr(true), Policy: policy}
}

// block returns the parsed form of an unlabelled block with the given body.
func block(body map[string]interface{}) []interface{} { return []interface{}{body} }

// labelled returns the parsed form of one labelled block.
func labelled(label string, body map[string]interface{}) []interface{} {
	return []interface{}{map[string]interface{}{label: block(body)}}
}

// policyBlocks are the Autoscaler policy's labelled block types.
var policyBlocks = map[string]bool{"check": true, "strategy": true, "target": true}

// asBlocks converts the labelled blocks of a naturally written policy ({"check": {"cpu": {...}}}) to the
// parsed form; values already in that form (lists) are kept.
func asBlocks(m map[string]interface{}) map[string]interface{} {
	out := map[string]interface{}{}
	for k, v := range m {
		byLabel, isMap := v.(map[string]interface{})
		if !policyBlocks[k] || !isMap {
			out[k] = v
			continue
		}
		labels := make([]string, 0, len(byLabel))
		for l := range byLabel {
			labels = append(labels, l)
		}
		sort.Strings(labels)
		var list []interface{}
		for _, l := range labels {
			body, _ := byLabel[l].(map[string]interface{})
			list = append(list, labelled(l, asBlocks(body))...)
		}
		out[k] = list
	}
	return out
}

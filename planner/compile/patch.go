package compile

import (
	"encoding/json"
	"fmt"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/jobspec"
)

// patchJob applies the escape-hatch patches (JSON merge patches, RFC 7396) onto job: the app's and each given
// process's, job-level onto the job, group-level onto that process's group, task-level onto its task. App-level
// patches go first, so a process can override them.
func (c *compiler) patchJob(job *nomadapi.Job, procs ...*jobspec.Process) error {
	var patches []*jobspec.Patch
	if c.app.Patch != nil {
		patches = append(patches, c.app.Patch)
	}
	for _, p := range procs {
		if p.Patch != nil {
			patches = append(patches, p.Patch)
		}
	}
	if len(patches) == 0 {
		return nil
	}
	b, err := json.Marshal(job)
	if err != nil {
		return err
	}
	var doc map[string]interface{}
	if err := json.Unmarshal(b, &doc); err != nil {
		return err
	}
	groups, _ := doc["TaskGroups"].([]interface{})
	for gi, g := range groups {
		gm, _ := g.(map[string]interface{})
		name, _ := gm["Name"].(string)
		for _, patch := range c.patchesFor(name, procs) {
			if len(patch.Group) > 0 {
				gm = mergeRaw(gm, patch.Group)
			}
			if tasks, _ := gm["Tasks"].([]interface{}); len(tasks) > 0 && len(patch.Task) > 0 {
				tm, _ := tasks[0].(map[string]interface{})
				tasks[0] = mergeRaw(tm, patch.Task)
			}
		}
		groups[gi] = gm
	}
	for _, patch := range patches {
		if len(patch.Job) > 0 {
			doc = mergeRaw(doc, patch.Job)
		}
	}
	b, err = json.Marshal(doc)
	if err != nil {
		return err
	}
	var out nomadapi.Job
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Errorf("patch block: the patched job is not a valid Nomad job: %w", err)
	}
	*job = out
	return nil
}

// patchesFor returns the patches that apply to the group of the named process: the app's, then the process's.
func (c *compiler) patchesFor(group string, procs []*jobspec.Process) []*jobspec.Patch {
	var out []*jobspec.Patch
	if c.app.Patch != nil {
		out = append(out, c.app.Patch)
	}
	for _, p := range procs {
		if p.Name == group && p.Patch != nil {
			out = append(out, p.Patch)
		}
	}
	return out
}

// mergeRaw applies the JSON merge patch raw to target and returns the result. A patch that is not an object
// replaces nothing (jobspec only admits objects).
func mergeRaw(target map[string]interface{}, raw json.RawMessage) map[string]interface{} {
	var patch interface{}
	if err := json.Unmarshal(raw, &patch); err != nil {
		return target
	}
	merged, _ := mergePatch(target, patch).(map[string]interface{})
	return merged
}

// mergePatch implements RFC 7396: objects merge recursively, null deletes, anything else replaces.
func mergePatch(target, patch interface{}) interface{} {
	pm, ok := patch.(map[string]interface{})
	if !ok {
		return patch
	}
	tm, ok := target.(map[string]interface{})
	if !ok || tm == nil {
		tm = map[string]interface{}{}
	}
	for k, v := range pm {
		if v == nil {
			delete(tm, k)
			continue
		}
		tm[k] = mergePatch(tm[k], v)
	}
	return tm
}

package planner

import (
	nomadapi "github.com/hashicorp/nomad/api"
)

// jobDiffNodes converts Nomad's job diff into the plan's generic tree, dropping unchanged parts.
func jobDiffNodes(d *nomadapi.JobDiff) []*DiffNode {
	out := fieldNodes(d.Fields)
	out = append(out, objectNodes(d.Objects)...)
	for _, tg := range d.TaskGroups {
		if n := groupNode(tg); n != nil {
			out = append(out, n)
		}
	}
	return out
}

func groupNode(tg *nomadapi.TaskGroupDiff) *DiffNode {
	if tg.Type == "None" {
		return nil
	}
	n := &DiffNode{Action: diffAction(tg.Type), Name: "group \"" + tg.Name + "\""}
	n.Children = append(fieldNodes(tg.Fields), objectNodes(tg.Objects)...)
	for _, t := range tg.Tasks {
		if t.Type == "None" {
			continue
		}
		tn := &DiffNode{Action: diffAction(t.Type), Name: "task \"" + t.Name + "\""}
		tn.Children = append(fieldNodes(t.Fields), objectNodes(t.Objects)...)
		if tn.Action != ActionUpdate || len(tn.Children) > 0 {
			n.Children = append(n.Children, tn)
		}
	}
	if n.Action == ActionUpdate && len(n.Children) == 0 {
		return nil
	}
	return n
}

func fieldNodes(fs []*nomadapi.FieldDiff) []*DiffNode {
	var out []*DiffNode
	for _, f := range fs {
		if f.Type == "None" {
			continue
		}
		out = append(out, &DiffNode{Action: diffAction(f.Type), Name: f.Name, Old: f.Old, New: f.New})
	}
	return out
}

func objectNodes(os []*nomadapi.ObjectDiff) []*DiffNode {
	var out []*DiffNode
	for _, o := range os {
		if o.Type == "None" {
			continue
		}
		n := &DiffNode{Action: diffAction(o.Type), Name: o.Name}
		n.Children = append(fieldNodes(o.Fields), objectNodes(o.Objects)...)
		if n.Action == ActionUpdate && len(n.Children) == 0 {
			// Nomad reports a scaling policy as edited when only the JSON number types of its policy map
			// differ (float64 from the request, int64 from the state store): no field changed, so no change.
			continue
		}
		out = append(out, n)
	}
	return out
}

func diffAction(t string) Action {
	switch t {
	case "Added":
		return ActionCreate
	case "Deleted":
		return ActionDelete
	case "Edited":
		return ActionUpdate
	}
	return ActionNone
}

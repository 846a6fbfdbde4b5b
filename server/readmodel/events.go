package readmodel

import (
	"encoding/json"
	"fmt"

	nomadapi "github.com/hashicorp/nomad/api"
)

// streamTopics are the topics the model subscribes to. Node events change nothing in the model: they make the
// stream's first response arrive early (Nomad writes no response header before the first matching batch or a
// 30 s heartbeat) and keep the model's index moving on a quiet cluster.
func streamTopics() map[nomadapi.Topic][]string {
	return map[nomadapi.Topic][]string{
		nomadapi.TopicJob:        {"*"},
		nomadapi.TopicAllocation: {"*"},
		nomadapi.TopicDeployment: {"*"},
		nomadapi.TopicNode:       {"*"},
	}
}

// applyBatch applies one batch of events and raises the model's index to the batch's. It returns the apps it
// touched. Events the last full read already reflects are skipped, and so are events that cannot be decoded
// (logged; the next full read repairs what they would have changed). Called with mu held.
func (m *Model) applyBatch(b *nomadapi.Events) map[AppRef]Change {
	touched := map[AppRef]Change{}
	for i := range b.Events {
		ev := &b.Events[i]
		if ev.Index <= m.st.floor[ev.Topic] {
			continue
		}
		var refs []AppRef
		var kind Change
		var err error
		switch ev.Topic {
		case nomadapi.TopicJob:
			kind = JobChanged
			refs, err = m.applyJob(ev)
		case nomadapi.TopicAllocation:
			kind = AllocChanged
			refs, err = m.applyAlloc(ev)
		case nomadapi.TopicDeployment:
			kind = DeploymentChanged
			refs, err = m.applyDeployment(ev)
		default:
			continue
		}
		if err != nil {
			m.logf("readmodel: skipping %s event %s for %q at index %d: %v", ev.Topic, ev.Type, ev.Key, ev.Index, err)
			continue
		}
		for _, ref := range refs {
			touched[ref] |= kind
		}
	}
	m.stats.Batches++
	m.advance(b.Index)
	return touched
}

// applyJob applies a Job event. A purged job's event carries the job as it was before the purge, so its
// ModifyIndex is below the event's index; every write that keeps a job sets its ModifyIndex to the write's index.
func (m *Model) applyJob(ev *nomadapi.Event) ([]AppRef, error) {
	var j nomadapi.Job
	if err := decodePayload(ev, "Job", &j, jobFields...); err != nil || j.ID == nil {
		return nil, err
	}
	key := jobKey{namespaceOf(str(j.Namespace)), *j.ID}
	if j.ModifyIndex != nil && *j.ModifyIndex < ev.Index {
		return m.st.removeJob(key, ev.Index), nil
	}
	r := m.st.newJob(&j)
	if r == nil { // not managed, or no longer: a job whose meta lost skiff's keys leaves the model
		return m.st.removeJob(key, ev.Index), nil
	}
	return m.st.putJob(r), nil
}

// applyAlloc applies an Allocation event.
func (m *Model) applyAlloc(ev *nomadapi.Event) ([]AppRef, error) {
	var a eventAlloc
	if err := decodePayload(ev, "Allocation", &a, allocFields...); err != nil {
		return nil, err
	}
	return m.st.putAlloc(namespaceOf(a.Namespace), a.JobID, a.ID,
		allocFrom(a.TaskGroup, a.ClientStatus, a.DeploymentStatus, a.ModifyIndex)), nil
}

// applyDeployment applies a Deployment event.
func (m *Model) applyDeployment(ev *nomadapi.Event) ([]AppRef, error) {
	var d nomadapi.Deployment
	if err := decodePayload(ev, "Deployment", &d); err != nil {
		return nil, err
	}
	return m.st.putDeployment(&d), nil
}

// eventAlloc is the part of an Allocation payload the model uses.
type eventAlloc struct {
	ID, Namespace, JobID, TaskGroup, ClientStatus string
	DeploymentStatus                              *nomadapi.AllocDeploymentStatus
	ModifyIndex                                   uint64
}

// The payload fields the model decodes; the rest (task states, resources, task specs) is skipped unread.
var (
	allocFields = []string{"ID", "Namespace", "JobID", "TaskGroup", "ClientStatus", "DeploymentStatus", "ModifyIndex"}
	jobFields   = []string{"ID", "Namespace", "ParentID", "Type", "Status", "Version", "Stop", "ModifyIndex", "Meta",
		"TaskGroups"}
	groupFields = []string{"Name", "Count"}
)

// decodePayload decodes the fields (all when none are given) of the payload's object under key into into, by way
// of JSON: the API package's own decoders (mapstructure) fail on some payloads, a dispatched job's base64
// Payload for one, while JSON is the form Nomad wrote them in. The task groups of a job keep only their name and
// count.
func decodePayload(ev *nomadapi.Event, key string, into any, fields ...string) error {
	raw, ok := ev.Payload[key].(map[string]any)
	if !ok {
		return fmt.Errorf("no %s object in the payload", key)
	}
	if len(fields) > 0 {
		raw = pick(raw, fields)
		if groups, ok := raw["TaskGroups"].([]any); ok {
			small := make([]any, 0, len(groups))
			for _, g := range groups {
				if g, ok := g.(map[string]any); ok {
					small = append(small, pick(g, groupFields))
				}
			}
			raw["TaskGroups"] = small
		}
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, into)
}

// pick returns the entries of m under keys.
func pick(m map[string]any, keys []string) map[string]any {
	out := make(map[string]any, len(keys))
	for _, k := range keys {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	return out
}

// namespaceOf returns ns, or Nomad's default namespace for an empty one.
func namespaceOf(ns string) string {
	if ns == "" {
		return "default"
	}
	return ns
}

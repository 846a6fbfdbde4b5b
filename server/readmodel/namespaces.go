package readmodel

import (
	"context"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
)

// namespaces lists Nomad's namespace names and the index of the list.
func (m *Model) namespaces(ctx context.Context) (map[string]bool, uint64, error) {
	list, meta, err := m.nomad.Namespaces().List((&nomadapi.QueryOptions{}).WithContext(ctx))
	if err != nil {
		return nil, 0, err
	}
	names := make(map[string]bool, len(list))
	for _, ns := range list {
		names[ns.Name] = true
	}
	return names, meta.LastIndex, nil
}

// watchNamespaces holds a blocking query on the namespace list and ends the session (cause
// errNamespacesChanged) when a namespace not in names appears: Nomad fixed the stream's namespaces when it was
// opened. It returns when ctx ends. Errors are retried with backoff; they do not end the session.
func (m *Model) watchNamespaces(ctx context.Context, end context.CancelCauseFunc, names map[string]bool, index uint64) {
	wait := minBackoff
	for ctx.Err() == nil {
		q := (&nomadapi.QueryOptions{WaitIndex: index, WaitTime: 5 * time.Minute}).WithContext(ctx)
		list, meta, err := m.nomad.Namespaces().List(q)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			m.logf("readmodel: watching namespaces: %v; retrying in %s", err, wait)
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			wait = min(2*wait, maxBackoff)
			continue
		}
		wait = minBackoff
		for _, ns := range list {
			if !names[ns.Name] {
				end(errNamespacesChanged)
				return
			}
		}
		if meta.LastIndex < index { // the index went backwards: start over
			index = 0
		} else {
			index = meta.LastIndex
		}
	}
}

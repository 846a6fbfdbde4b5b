package release

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/jobspec"
)

// Snapshot is what a release deployed, as a rollback restores it: the exact job specs (code, config, routes,
// the pinned secret versions) and the app model the other systems' objects derive from (intentions, Vault
// roles and policies). Sensitive values are never stored: they stay in Vault, and the jobs read them by version.
type Snapshot struct {
	Jobs []*nomadapi.Job `json:"jobs"`
	App  *jobspec.App    `json:"app"`
	// Sensitive lists the model paths of App whose values were sensitive (jobspec.App.Sensitive); their values
	// are blanked in App.
	Sensitive []string `json:"sensitive,omitempty"`
}

// NewSnapshot returns the snapshot of jobs compiled from app, with app's sensitive values blanked.
func NewSnapshot(app *jobspec.App, jobs []*nomadapi.Job) (*Snapshot, error) {
	b, err := json.Marshal(app)
	if err != nil {
		return nil, err
	}
	cp := &jobspec.App{}
	if err := json.Unmarshal(b, cp); err != nil {
		return nil, err
	}
	cp.Namespace, cp.Name = app.Namespace, app.Name
	cp.Sensitive = append([]string{}, app.Sensitive...)
	blankSensitive(app, cp)
	return &Snapshot{Jobs: jobs, App: cp, Sensitive: cp.Sensitive}, nil
}

// blankSensitive empties, in cp (a copy of app), every env value that derives from a sensitive variable.
func blankSensitive(app, cp *jobspec.App) {
	if len(app.Sensitive) == 0 {
		return
	}
	for k := range cp.Env {
		if app.IsSensitive("env." + k) {
			cp.Env[k] = ""
		}
	}
	for i, p := range cp.Processes {
		for k := range p.Env {
			if app.IsSensitive(string(app.Processes[i].Kind) + "." + p.Name + ".env." + k) {
				p.Env[k] = ""
			}
		}
	}
}

func (s *Snapshot) encode() ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(s); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Snapshot returns the snapshot of release n; an error names a release whose snapshot was trimmed.
func (s *Store) Snapshot(ctx context.Context, ns, app string, n int) (*Snapshot, error) {
	p, _, err := s.consul.KV().Get(snapshotKey(ns, app, n), (&consulapi.QueryOptions{}).WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("reading release %d of %s from Consul: %w", n, app, err)
	}
	if p == nil {
		return nil, fmt.Errorf("release %d of %s has no snapshot (only the last %d releases keep one)", n, app, KeepSnapshots)
	}
	zr, err := gzip.NewReader(bytes.NewReader(p.Value))
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	snap := &Snapshot{}
	if err := json.Unmarshal(b, snap); err != nil {
		return nil, fmt.Errorf("snapshot of release %d of %s: %w", n, app, err)
	}
	if snap.App != nil {
		snap.App.Sensitive = snap.Sensitive
	}
	return snap, nil
}

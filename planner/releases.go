package planner

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
)

// Release is one deployed version of every job of an app.
type Release struct {
	Number   int    `json:"number"`
	SpecHash string `json:"spec_hash"`
	// Jobs maps each job ID to the Nomad job version this release registered.
	Jobs map[string]uint64 `json:"jobs"`
	// Description says what made the release ("deploy", "rollback to release 3").
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	CreatedBy   string    `json:"created_by,omitempty"`
}

// ReleaseStore keeps releases in Consul KV under skiff/apps/<namespace>/<app>/: releases/<N>/meta (the Release),
// releases/<N>/jobs (the gzipped job specs, which rollback re-registers) and scale (count overrides).
type ReleaseStore struct {
	KV *consulapi.KV
}

func appPrefix(namespace, app string) string { return "skiff/apps/" + namespace + "/" + app + "/" }

func releaseKey(namespace, app string, n int) string {
	return fmt.Sprintf("%sreleases/%08d/", appPrefix(namespace, app), n)
}

// List returns the app's releases, newest first.
func (s *ReleaseStore) List(ctx context.Context, namespace, app string) ([]*Release, error) {
	q := (&consulapi.QueryOptions{}).WithContext(ctx)
	pairs, _, err := s.KV.List(appPrefix(namespace, app)+"releases/", q)
	if err != nil {
		return nil, fmt.Errorf("reading releases from Consul: %w", err)
	}
	var out []*Release
	for _, p := range pairs {
		if !strings.HasSuffix(p.Key, "/meta") {
			continue
		}
		r := &Release{}
		if err := json.Unmarshal(p.Value, r); err != nil {
			return nil, fmt.Errorf("release record %s: %w", p.Key, err)
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number > out[j].Number })
	return out, nil
}

// Latest returns the newest release, or nil when the app has none.
func (s *ReleaseStore) Latest(ctx context.Context, namespace, app string) (*Release, error) {
	rs, err := s.List(ctx, namespace, app)
	if err != nil || len(rs) == 0 {
		return nil, err
	}
	return rs[0], nil
}

// Jobs returns the job specs recorded with release n.
func (s *ReleaseStore) Jobs(ctx context.Context, namespace, app string, n int) ([]*nomadapi.Job, error) {
	q := (&consulapi.QueryOptions{}).WithContext(ctx)
	p, _, err := s.KV.Get(releaseKey(namespace, app, n)+"jobs", q)
	if err != nil {
		return nil, fmt.Errorf("reading release %d from Consul: %w", n, err)
	}
	if p == nil {
		return nil, fmt.Errorf("release %d of app %q not found", n, app)
	}
	zr, err := gzip.NewReader(bytes.NewReader(p.Value))
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	var jobs []*nomadapi.Job
	return jobs, json.Unmarshal(b, &jobs)
}

// Record stores release r with its job specs. It fails if release r.Number already exists (another deploy
// claimed it first): the write is a check-and-set on an absent key.
func (s *ReleaseStore) Record(ctx context.Context, namespace, app string, r *Release, jobs []*nomadapi.Job) error {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(jobs); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	meta, err := json.Marshal(r)
	if err != nil {
		return err
	}
	key := releaseKey(namespace, app, r.Number)
	q := (&consulapi.QueryOptions{}).WithContext(ctx)
	ops := consulapi.KVTxnOps{
		{Verb: consulapi.KVCAS, Key: key + "meta", Value: meta, Index: 0},
		{Verb: consulapi.KVSet, Key: key + "jobs", Value: buf.Bytes()},
	}
	ok, resp, _, err := s.KV.Txn(ops, q)
	if err != nil {
		return fmt.Errorf("recording release %d in Consul: %w", r.Number, err)
	}
	if !ok {
		return fmt.Errorf("recording release %d in Consul: another deploy recorded it first (%v)", r.Number, resp.Errors)
	}
	return nil
}

// Scale returns the count overrides set by `skiff scale`, keyed by process.
func (s *ReleaseStore) Scale(ctx context.Context, namespace, app string) (map[string]int, error) {
	q := (&consulapi.QueryOptions{}).WithContext(ctx)
	p, _, err := s.KV.Get(appPrefix(namespace, app)+"scale", q)
	if err != nil {
		return nil, fmt.Errorf("reading scale from Consul: %w", err)
	}
	out := map[string]int{}
	if p == nil {
		return out, nil
	}
	return out, json.Unmarshal(p.Value, &out)
}

// SetScale records count overrides (merged over existing ones).
func (s *ReleaseStore) SetScale(ctx context.Context, namespace, app string, counts map[string]int) error {
	cur, err := s.Scale(ctx, namespace, app)
	if err != nil {
		return err
	}
	for k, v := range counts {
		cur[k] = v
	}
	b, _ := json.Marshal(cur)
	w := (&consulapi.WriteOptions{}).WithContext(ctx)
	_, err = s.KV.Put(&consulapi.KVPair{Key: appPrefix(namespace, app) + "scale", Value: b}, w)
	return err
}

// DeleteApp removes every record of the app.
func (s *ReleaseStore) DeleteApp(ctx context.Context, namespace, app string) error {
	w := (&consulapi.WriteOptions{}).WithContext(ctx)
	_, err := s.KV.DeleteTree(appPrefix(namespace, app), w)
	return err
}

// currentRelease returns the app's live release number: the newest recorded release, else 0.
func (s *Stack) currentRelease(ctx context.Context, ns, name string, live map[string]*nomadapi.JobListStub) (int, error) {
	latest, err := s.Releases.Latest(ctx, ns, name)
	if err != nil || latest == nil {
		return 0, err
	}
	return latest.Number, nil
}

package release

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	consulapi "github.com/hashicorp/consul/api"
)

// KeepSnapshots is how many of the newest releases keep their snapshot; older records stay, without one.
const KeepSnapshots = 50

// ErrConflict is returned when another process changed a record or the head in between (check-and-set lost).
var ErrConflict = errors.New("release record changed concurrently")

// Store keeps releases in Consul KV. It holds no state of its own.
type Store struct {
	consul *consulapi.Client
}

// NewStore returns a store over consul's KV.
func NewStore(consul *consulapi.Client) *Store { return &Store{consul: consul} }

// AppPrefix is the Consul KV prefix of everything skiff keeps about an app.
func AppPrefix(namespace, app string) string { return "skiff/apps/" + namespace + "/" + app + "/" }

func recordKey(ns, app string, n int) string {
	return fmt.Sprintf("%sreleases/%08d", AppPrefix(ns, app), n)
}

func snapshotKey(ns, app string, n int) string {
	return fmt.Sprintf("%ssnapshots/%08d", AppPrefix(ns, app), n)
}

// headsPrefix holds every app's head, one key per app, so that one read lists all apps and their releases.
const headsPrefix = "skiff/heads/"

func headKey(ns, app string) string { return headsPrefix + ns + "/" + app }

// Head returns the app's head; a zero Head when the app has no release.
func (s *Store) Head(ctx context.Context, ns, app string) (*Head, error) {
	p, _, err := s.consul.KV().Get(headKey(ns, app), (&consulapi.QueryOptions{}).WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("reading the releases of %s from Consul: %w", app, err)
	}
	h := &Head{}
	if p == nil {
		return h, nil
	}
	if err := json.Unmarshal(p.Value, h); err != nil {
		return nil, fmt.Errorf("release head of %s: %w", app, err)
	}
	h.modifyIndex = p.ModifyIndex
	return h, nil
}

// Get returns release n, or nil when there is none.
func (s *Store) Get(ctx context.Context, ns, app string, n int) (*Record, error) {
	p, _, err := s.consul.KV().Get(recordKey(ns, app, n), (&consulapi.QueryOptions{}).WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("reading release %d of %s from Consul: %w", n, app, err)
	}
	if p == nil {
		return nil, nil
	}
	return decodeRecord(p)
}

func decodeRecord(p *consulapi.KVPair) (*Record, error) {
	r := &Record{}
	if err := json.Unmarshal(p.Value, r); err != nil {
		return nil, fmt.Errorf("release record %s: %w", p.Key, err)
	}
	r.modifyIndex = p.ModifyIndex
	return r, nil
}

// List returns the app's records, newest first. It reads the records only, never a snapshot.
func (s *Store) List(ctx context.Context, ns, app string) ([]*Record, error) {
	pairs, _, err := s.consul.KV().List(AppPrefix(ns, app)+"releases/", (&consulapi.QueryOptions{}).WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("reading the releases of %s from Consul: %w", app, err)
	}
	out := make([]*Record, 0, len(pairs))
	for i := len(pairs) - 1; i >= 0; i-- { // keys sort by their zero-padded number
		r, err := decodeRecord(pairs[i])
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Live returns the app's live release (the newest that succeeded), or nil.
func (s *Store) Live(ctx context.Context, ns, app string) (*Record, error) {
	h, err := s.Head(ctx, ns, app)
	if err != nil || h.Live == 0 {
		return nil, err
	}
	return s.Get(ctx, ns, app, h.Live)
}

// Create records r as the app's next release (its Number is set here), in state Pending, together with its
// snapshot, in one transaction that fails with ErrConflict when another process created a release first.
// The snapshot of the release KeepSnapshots before it is deleted in the same transaction.
func (s *Store) Create(ctx context.Context, ns, app string, r *Record, snap *Snapshot) error {
	h, err := s.Head(ctx, ns, app)
	if err != nil {
		return err
	}
	blob, err := snap.encode()
	if err != nil {
		return err
	}
	r.App, r.Namespace, r.Number, r.State = app, ns, h.Latest+1, Pending
	now := time.Now().UTC()
	r.CreatedAt, r.UpdatedAt = now, now
	rec, err := json.Marshal(r)
	if err != nil {
		return err
	}
	next := Head{Latest: r.Number, Live: h.Live, LatestState: Pending}
	head, _ := json.Marshal(next)
	ops := consulapi.KVTxnOps{
		{Verb: consulapi.KVCAS, Key: headKey(ns, app), Value: head, Index: h.modifyIndex},
		{Verb: consulapi.KVCAS, Key: recordKey(ns, app, r.Number), Value: rec, Index: 0},
		{Verb: consulapi.KVSet, Key: snapshotKey(ns, app, r.Number), Value: blob},
	}
	if old := r.Number - KeepSnapshots; old > 0 {
		ops = append(ops, &consulapi.KVTxnOp{Verb: consulapi.KVDelete, Key: snapshotKey(ns, app, old)})
	}
	if err := s.txn(ctx, ops); err != nil {
		return fmt.Errorf("recording release %d of %s: %w", r.Number, app, err)
	}
	return s.reread(ctx, ns, app, r)
}

// Update writes r (read or created through this store) with check-and-set; a record that reaches Succeeded
// becomes the app's live release. It returns ErrConflict when the record changed since it was read.
func (s *Store) Update(ctx context.Context, ns, app string, r *Record) error {
	r.UpdatedAt = time.Now().UTC()
	rec, err := json.Marshal(r)
	if err != nil {
		return err
	}
	ops := consulapi.KVTxnOps{{Verb: consulapi.KVCAS, Key: recordKey(ns, app, r.Number), Value: rec, Index: r.modifyIndex}}
	h, err := s.Head(ctx, ns, app)
	if err != nil {
		return err
	}
	next := Head{Latest: max(h.Latest, r.Number), Live: h.Live, LatestState: h.LatestState}
	if r.State == Succeeded && r.Number > h.Live {
		next.Live = r.Number
	}
	if r.Number == next.Latest {
		next.LatestState = r.State
	}
	if next != *h.public() {
		head, _ := json.Marshal(next)
		ops = append(ops, &consulapi.KVTxnOp{Verb: consulapi.KVCAS, Key: headKey(ns, app), Value: head, Index: h.modifyIndex})
	}
	if err := s.txn(ctx, ops); err != nil {
		return fmt.Errorf("updating release %d of %s: %w", r.Number, app, err)
	}
	return s.reread(ctx, ns, app, r)
}

// reread refreshes r's modify index after a write.
func (s *Store) reread(ctx context.Context, ns, app string, r *Record) error {
	cur, err := s.Get(ctx, ns, app, r.Number)
	if err != nil {
		return err
	}
	if cur == nil {
		return fmt.Errorf("release %d of %s vanished from Consul", r.Number, app)
	}
	r.modifyIndex = cur.modifyIndex
	return nil
}

func (s *Store) txn(ctx context.Context, ops consulapi.KVTxnOps) error {
	ok, resp, _, err := s.consul.KV().Txn(ops, (&consulapi.QueryOptions{}).WithContext(ctx))
	if err != nil {
		return err
	}
	if !ok {
		var why []string
		for _, e := range resp.Errors {
			why = append(why, e.What)
		}
		return fmt.Errorf("%w (%s)", ErrConflict, strings.Join(why, "; "))
	}
	return nil
}

// DeleteApp removes every record, snapshot, the formation and the head of the app; the deploy lock stays
// (its holder is deleting) until DropLock.
func (s *Store) DeleteApp(ctx context.Context, ns, app string) error {
	w := (&consulapi.WriteOptions{}).WithContext(ctx)
	kv := s.consul.KV()
	for _, tree := range []string{"releases/", "snapshots/"} {
		if _, err := kv.DeleteTree(AppPrefix(ns, app)+tree, w); err != nil {
			return fmt.Errorf("deleting the release history of %s from Consul: %w", app, err)
		}
	}
	for _, key := range []string{AppPrefix(ns, app) + "scale", headKey(ns, app)} {
		if _, err := kv.Delete(key, w); err != nil {
			return fmt.Errorf("deleting the release history of %s from Consul: %w", app, err)
		}
	}
	return nil
}

// DropLock deletes the app's lock key when nobody holds it (after a destroy).
func (s *Store) DropLock(ctx context.Context, ns, app string) error {
	key := AppPrefix(ns, app) + "lock"
	p, _, err := s.consul.KV().Get(key, (&consulapi.QueryOptions{}).WithContext(ctx))
	if err != nil || p == nil || p.Session != "" {
		return err
	}
	_, _, err = s.consul.KV().DeleteCAS(p, (&consulapi.WriteOptions{}).WithContext(ctx))
	return err
}

// Scale returns the counts set by `skiff scale`, keyed by process (the formation).
func (s *Store) Scale(ctx context.Context, ns, app string) (map[string]int, error) {
	p, _, err := s.consul.KV().Get(AppPrefix(ns, app)+"scale", (&consulapi.QueryOptions{}).WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("reading the formation of %s from Consul: %w", app, err)
	}
	out := map[string]int{}
	if p == nil {
		return out, nil
	}
	return out, json.Unmarshal(p.Value, &out)
}

// SetScale merges counts into the formation.
func (s *Store) SetScale(ctx context.Context, ns, app string, counts map[string]int) error {
	cur, err := s.Scale(ctx, ns, app)
	if err != nil {
		return err
	}
	for k, v := range counts {
		cur[k] = v
	}
	b, _ := json.Marshal(cur)
	_, err = s.consul.KV().Put(&consulapi.KVPair{Key: AppPrefix(ns, app) + "scale", Value: b},
		(&consulapi.WriteOptions{}).WithContext(ctx))
	return err
}

// AppRef names an app that has a release history.
type AppRef struct {
	Namespace string `json:"namespace"`
	App       string `json:"app"`
}

// Heads returns the head of every app that has releases, in one read.
func (s *Store) Heads(ctx context.Context) (map[AppRef]*Head, error) {
	pairs, _, err := s.consul.KV().List(headsPrefix, (&consulapi.QueryOptions{}).WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("listing apps in Consul: %w", err)
	}
	out := make(map[AppRef]*Head, len(pairs))
	for _, p := range pairs {
		ns, app, ok := strings.Cut(strings.TrimPrefix(p.Key, headsPrefix), "/")
		if !ok || app == "" || strings.Contains(app, "/") {
			continue
		}
		h := &Head{}
		if err := json.Unmarshal(p.Value, h); err != nil {
			return nil, fmt.Errorf("release head %s: %w", p.Key, err)
		}
		h.modifyIndex = p.ModifyIndex
		out[AppRef{Namespace: ns, App: app}] = h
	}
	return out, nil
}

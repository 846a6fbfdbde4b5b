package edge

import (
	"context"
	"fmt"
	"sort"
	"strings"

	consulapi "github.com/hashicorp/consul/api"
)

// DefaultKVPath is Fabio's default registry.consul.kvpath, where it reads manual route commands.
const DefaultKVPath = "/fabio/config"

// WeightStore keeps canary weights in Consul KV under Fabio's KV path, one key per service:
// <kvpath>/skiff/<namespace>/<app>/<service>. Fabio reads every key under its KV path (a recursive list) and
// joins their values, so apps never overwrite each other's weights.
type WeightStore struct {
	kv   *consulapi.KV
	root string // "fabio/config/skiff"
}

// NewWeightStore returns a store under kvPath (DefaultKVPath when empty).
func NewWeightStore(kv *consulapi.KV, kvPath string) *WeightStore {
	if kvPath == "" {
		kvPath = DefaultKVPath
	}
	return &WeightStore{kv: kv, root: strings.Trim(kvPath, "/") + "/skiff"}
}

// StoredWeight is a weight as found in KV.
type StoredWeight struct {
	Weight
	Namespace string `json:"namespace"`
	App       string `json:"app"`
	Key       string `json:"key"`
}

// Key returns the KV key of a service's weight.
func (s *WeightStore) Key(namespace, app, service string) string {
	return s.appPrefix(namespace, app) + service
}

func (s *WeightStore) appPrefix(namespace, app string) string {
	return s.root + "/" + namespace + "/" + app + "/"
}

// Put writes w for the app's service; it reports whether the stored text changed.
func (s *WeightStore) Put(ctx context.Context, namespace, app string, w Weight) (bool, error) {
	key := s.Key(namespace, app, w.Service)
	text := w.Commands()
	q := (&consulapi.QueryOptions{}).WithContext(ctx)
	cur, _, err := s.kv.Get(key, q)
	if err != nil {
		return false, fmt.Errorf("reading canary weight %s: %w", key, err)
	}
	if cur != nil && string(cur.Value) == text {
		return false, nil
	}
	if _, err := s.kv.Put(&consulapi.KVPair{Key: key, Value: []byte(text)}, (&consulapi.WriteOptions{}).WithContext(ctx)); err != nil {
		return false, fmt.Errorf("writing canary weight %s: %w", key, err)
	}
	return true, nil
}

// Delete removes the weight of the app's service; it reports whether there was one.
func (s *WeightStore) Delete(ctx context.Context, namespace, app, service string) (bool, error) {
	key := s.Key(namespace, app, service)
	cur, _, err := s.kv.Get(key, (&consulapi.QueryOptions{}).WithContext(ctx))
	if err != nil {
		return false, fmt.Errorf("reading canary weight %s: %w", key, err)
	}
	if cur == nil {
		return false, nil
	}
	if _, err := s.kv.Delete(key, (&consulapi.WriteOptions{}).WithContext(ctx)); err != nil {
		return false, fmt.Errorf("deleting canary weight %s: %w", key, err)
	}
	return true, nil
}

// DeleteApp removes every weight of the app.
func (s *WeightStore) DeleteApp(ctx context.Context, namespace, app string) error {
	prefix := s.appPrefix(namespace, app)
	if _, err := s.kv.DeleteTree(prefix, (&consulapi.WriteOptions{}).WithContext(ctx)); err != nil {
		return fmt.Errorf("deleting canary weights under %s: %w", prefix, err)
	}
	return nil
}

// List returns the stored weights of one app, of every app of a namespace (app ""), or of every namespace
// (both ""), sorted by key. A key whose text does not parse is returned with only its Key, Namespace and App.
func (s *WeightStore) List(ctx context.Context, namespace, app string) ([]StoredWeight, error) {
	prefix := s.root + "/"
	switch {
	case namespace != "" && app != "":
		prefix = s.appPrefix(namespace, app)
	case namespace != "":
		prefix += namespace + "/"
	}
	pairs, _, err := s.kv.List(prefix, (&consulapi.QueryOptions{}).WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("listing canary weights under %s: %w", prefix, err)
	}
	var out []StoredWeight
	for _, p := range pairs {
		parts := strings.Split(strings.TrimPrefix(p.Key, s.root+"/"), "/")
		if len(parts) != 3 {
			continue
		}
		sw := StoredWeight{Namespace: parts[0], App: parts[1], Key: p.Key}
		if w, err := ParseWeight(string(p.Value)); err == nil {
			sw.Weight = w
		} else {
			sw.Service = parts[2]
		}
		out = append(out, sw)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

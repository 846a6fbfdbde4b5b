package secrets

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	vaultapi "github.com/hashicorp/vault/api"

	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner/change"
)

// ResourceSecret is the Change resource type of a process's config secret.
const ResourceSecret = "vault_secret"

// JobOf names the Nomad job that runs process p of app (the planner's job naming).
type JobOf func(app *jobspec.App, p *jobspec.Process) string

// ConfigStore plans and writes the apps' sensitive config vars in Vault KV v2. It implements
// change.ResourcePlanner: secrets are written before any task that reads them starts, and removed only after
// the release that no longer reads them is healthy. It implements change.Pinner: each release's templates read
// one KV version, so a changed value rolls out like code and old allocations keep the values they started with.
//
// The store remembers the versions its last PinnedVersions calls promised (by path and values) until
// ApplyResources checks the versions it writes against them; that memory is a cross-check, never a source of
// truth, and is lost with the process together with the deploy it belonged to.
type ConfigStore struct {
	vault *vaultapi.Client
	mount string
	jobOf JobOf

	mu   sync.Mutex
	pins map[pinKey]int
}

var (
	_ change.ResourcePlanner = (*ConfigStore)(nil)
	_ change.Pinner          = (*ConfigStore)(nil)
)

// NewConfigStore returns a store over the KV v2 engine at mount, naming jobs with jobOf.
func NewConfigStore(vault *vaultapi.Client, mount string, jobOf JobOf) *ConfigStore {
	return &ConfigStore{vault: vault, mount: mount, jobOf: jobOf, pins: map[pinKey]int{}}
}

// System reports "vault".
func (s *ConfigStore) System() string { return "vault" }

// Uses reports whether any process of the app has sensitive env vars.
func (s *ConfigStore) Uses(app *jobspec.App) bool { return len(s.desired(app)) > 0 }

// desired returns the app's secrets keyed by "<jobID>/<process>".
func (s *ConfigStore) desired(app *jobspec.App) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, p := range app.Processes {
		if env := SensitiveEnv(app, p); env != nil {
			out[s.jobOf(app, p)+"/"+p.Name] = env
		}
	}
	return out
}

// PinnedVersions returns, keyed by ConfigPath, the KV version the app's templates read: the current version
// when its values equal the app's, else the next one, which ApplyResources writes.
func (s *ConfigStore) PinnedVersions(ctx context.Context, app *jobspec.App) (map[string]int, error) {
	out := map[string]int{}
	for key, env := range s.desired(app) {
		jobID, process, _ := strings.Cut(key, "/")
		st, err := s.state(ctx, app, jobID, process)
		if err != nil {
			return nil, err
		}
		path := ConfigPath(s.mount, app.Namespace, jobID, process)
		out[path] = st.pinned(env)
		s.remember(pinKey{path, digest(env)}, out[path])
	}
	return out, nil
}

// PlanResources compares the app's sensitive env vars with Vault. Diffs name the keys only.
func (s *ConfigStore) PlanResources(ctx context.Context, app *jobspec.App) ([]*change.Change, error) {
	live, err := s.live(ctx, app.Namespace, app.Name)
	if err != nil {
		return nil, err
	}
	want := s.desired(app)
	var out []*change.Change
	for _, key := range sortedKeys(want, live) {
		jobID, process, _ := strings.Cut(key, "/")
		ch := &change.Change{Resource: ResourceSecret, Namespace: app.Namespace,
			Name: ConfigPath(s.mount, app.Namespace, jobID, process), Action: change.None}
		w, inWant := want[key]
		if !inWant {
			ch.Action = change.Delete
			out = append(out, ch)
			continue
		}
		st, err := s.state(ctx, app, jobID, process)
		if err != nil {
			return nil, err
		}
		if _, inLive := live[key]; !inLive {
			ch.Action = change.Create
		} else if ch.Diff = keyDiff(st.values, w); len(ch.Diff) > 0 {
			ch.Action = change.Update
		}
		if ch.Action != change.None {
			ch.Notes = []string{fmt.Sprintf("written as version %d, which the new release reads: the jobs roll out "+
				"with it like a code change", st.pinned(w))}
		}
		out = append(out, ch)
	}
	return out, nil
}

// ApplyResources writes the app's secrets — a new KV version only when a value changed, with check-and-set on the
// current version — and deletes nothing. It fails when the version Vault stores differs from the one
// PinnedVersions promised for the same values (something other than skiff wrote the secret in between).
func (s *ConfigStore) ApplyResources(ctx context.Context, app *jobspec.App) error {
	want := s.desired(app)
	for _, key := range sortedKeys(want, want) {
		env := want[key]
		jobID, process, _ := strings.Cut(key, "/")
		path := ConfigPath(s.mount, app.Namespace, jobID, process)
		st, err := s.state(ctx, app, jobID, process)
		if err != nil {
			return err
		}
		pinned := st.pinned(env)
		if promised, ok := s.recall(pinKey{path, digest(env)}); ok && promised != pinned {
			return fmt.Errorf("config secret %s changed in Vault after the release was compiled to read its version "+
				"%d: Vault's current version is now %d, with other values (something other than skiff writes it); "+
				"deploy again", path, promised, st.current)
		}
		if !st.labelled {
			if err := s.label(ctx, app, jobID, process); err != nil {
				return err
			}
		}
		if pinned == st.current {
			continue
		}
		data := map[string]interface{}{}
		for k, v := range env {
			data[k] = v
		}
		sec, err := s.vault.KVv2(s.mount).Put(ctx, secretName(app.Namespace, jobID, process), data,
			vaultapi.WithCheckAndSet(st.current))
		if err != nil {
			return fmt.Errorf("writing config secret %s to Vault as version %d: %w", path, pinned, err)
		}
		if got := sec.VersionMetadata; got == nil || got.Version != pinned {
			return fmt.Errorf("config secret %s was stored as version %s, but the release reads version %d: "+
				"something other than skiff writes it; deploy again", path, versionOf(got), pinned)
		}
	}
	return nil
}

// PruneResources deletes the secrets of processes that no longer have any.
func (s *ConfigStore) PruneResources(ctx context.Context, app *jobspec.App) error {
	live, err := s.live(ctx, app.Namespace, app.Name)
	if err != nil {
		return err
	}
	want := s.desired(app)
	for key := range live {
		if _, ok := want[key]; !ok {
			jobID, process, _ := strings.Cut(key, "/")
			if err := s.remove(ctx, app.Namespace, jobID, process); err != nil {
				return err
			}
		}
	}
	return nil
}

// DestroyResources deletes every secret (all versions) of the app.
func (s *ConfigStore) DestroyResources(ctx context.Context, namespace, app string) error {
	live, err := s.live(ctx, namespace, app)
	if err != nil {
		return err
	}
	for key := range live {
		jobID, process, _ := strings.Cut(key, "/")
		if err := s.remove(ctx, namespace, jobID, process); err != nil {
			return err
		}
	}
	return nil
}

func (s *ConfigStore) remove(ctx context.Context, namespace, jobID, process string) error {
	if _, err := s.vault.Logical().DeleteWithContext(ctx, metadataPath(s.mount, namespace, jobID, process)); err != nil {
		return fmt.Errorf("deleting config secret of %s/%s from Vault: %w", jobID, process, err)
	}
	return nil
}

// live lists the app's secrets ("<jobID>/<process>") by their custom metadata.
func (s *ConfigStore) live(ctx context.Context, namespace, app string) (map[string]bool, error) {
	out := map[string]bool{}
	jobs, err := s.list(ctx, fmt.Sprintf("%s/metadata/%s/", s.mount, namespace))
	if err != nil {
		return nil, err
	}
	for _, job := range jobs {
		procs, err := s.list(ctx, fmt.Sprintf("%s/metadata/%s/%s", s.mount, namespace, job))
		if err != nil {
			return nil, err
		}
		for _, p := range procs {
			if strings.HasSuffix(p, "/") {
				continue
			}
			sec, err := s.vault.Logical().ReadWithContext(ctx, metadataPath(s.mount, namespace, strings.TrimSuffix(job, "/"), p))
			if err != nil || sec == nil {
				continue
			}
			cm, _ := sec.Data["custom_metadata"].(map[string]interface{})
			if cm["skiff_app"] == app && cm["skiff_namespace"] == namespace {
				out[strings.TrimSuffix(job, "/")+"/"+p] = true
			}
		}
	}
	return out, nil
}

func (s *ConfigStore) list(ctx context.Context, path string) ([]string, error) {
	sec, err := s.vault.Logical().ListWithContext(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("listing %s in Vault: %w", path, err)
	}
	if sec == nil {
		return nil, nil
	}
	keys, _ := sec.Data["keys"].([]interface{})
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if s, ok := k.(string); ok {
			out = append(out, s)
		}
	}
	return out, nil
}

// keyDiff lists added, removed and changed keys, never their values.
func keyDiff(cur, want map[string]string) []*change.DiffNode {
	var out []*change.DiffNode
	for _, k := range sortedKeys(cur, want) {
		c, inCur := cur[k]
		w, inWant := want[k]
		switch {
		case !inCur:
			out = append(out, &change.DiffNode{Action: change.Create, Name: k, New: "(sensitive)"})
		case !inWant:
			out = append(out, &change.DiffNode{Action: change.Delete, Name: k, Old: "(sensitive)"})
		case c != w:
			out = append(out, &change.DiffNode{Action: change.Update, Name: k, Old: "(sensitive)", New: "(sensitive)"})
		}
	}
	return out
}

func sortedKeys[V any, W any](a map[string]V, b map[string]W) []string {
	seen := map[string]bool{}
	for k := range a {
		seen[k] = true
	}
	for k := range b {
		seen[k] = true
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

package secrets

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"

	vaultapi "github.com/hashicorp/vault/api"

	"github.com/skiffpaas/skiff/jobspec"
)

// KeepVersions is the max_versions skiff sets on every config secret. A release writes at most one version of
// each secret, so the versions pinned by the last KeepVersions releases survive (KV v2 keeps 10 by default) and
// an auto-revert or a rollback re-registers jobs whose templates still find the version they pin.
const KeepVersions = 50

// secretState is a process's config secret as Vault holds it.
type secretState struct {
	// values are those of the current version; empty when there is none or it was deleted.
	values map[string]string
	// current is the secret's current_version; 0 when the secret does not exist.
	current int
	// labelled reports whether the metadata carries skiff's max_versions and custom metadata.
	labelled bool
}

// pinned returns the version a release compiled from env reads: the current one when its values are env's, else
// the next one.
func (st *secretState) pinned(env map[string]string) int {
	if st.current > 0 && len(keyDiff(st.values, env)) == 0 {
		return st.current
	}
	return st.current + 1
}

// state reads the metadata of a process's secret, then the values of exactly its current version (so that the
// two agree even while someone writes).
func (s *ConfigStore) state(ctx context.Context, app *jobspec.App, jobID, process string) (*secretState, error) {
	path := ConfigPath(s.mount, app.Namespace, jobID, process)
	st := &secretState{values: map[string]string{}}
	md, err := s.vault.KVv2(s.mount).GetMetadata(ctx, secretName(app.Namespace, jobID, process))
	if errors.Is(err, vaultapi.ErrSecretNotFound) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the metadata of config secret %s from Vault: %w", path, err)
	}
	st.current = md.CurrentVersion
	st.labelled = md.MaxVersions == KeepVersions && md.CustomMetadata["skiff_app"] == app.Name &&
		md.CustomMetadata["skiff_namespace"] == app.Namespace
	if st.current == 0 {
		return st, nil
	}
	sec, err := s.vault.Logical().ReadWithDataWithContext(ctx, path,
		map[string][]string{"version": {strconv.Itoa(st.current)}})
	if err != nil {
		return nil, fmt.Errorf("reading version %d of config secret %s from Vault: %w", st.current, path, err)
	}
	if sec == nil {
		return st, nil
	}
	data, _ := sec.Data["data"].(map[string]interface{})
	for k, v := range data {
		st.values[k] = fmt.Sprint(v)
	}
	return st, nil
}

// label writes the secret's metadata: the app that owns it (which live lists by) and KeepVersions. Written
// before the first version, so that no version is dropped under the default of 10.
func (s *ConfigStore) label(ctx context.Context, app *jobspec.App, jobID, process string) error {
	meta := map[string]interface{}{"max_versions": KeepVersions,
		"custom_metadata": map[string]string{"skiff_app": app.Name, "skiff_namespace": app.Namespace}}
	if _, err := s.vault.Logical().WriteWithContext(ctx, metadataPath(s.mount, app.Namespace, jobID, process), meta); err != nil {
		return fmt.Errorf("labelling config secret %s in Vault: %w", ConfigPath(s.mount, app.Namespace, jobID, process), err)
	}
	return nil
}

// pinKey names a promise of PinnedVersions: a path and the digest of the values the version was computed for.
type pinKey struct {
	path   string
	digest [sha256.Size]byte
}

// maxPins bounds the promises kept for plans that are never applied.
const maxPins = 4096

func (s *ConfigStore) remember(k pinKey, version int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pins) >= maxPins {
		s.pins = map[pinKey]int{}
	}
	s.pins[k] = version
}

// recall returns and forgets the version promised for k.
func (s *ConfigStore) recall(k pinKey) (int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.pins[k]
	delete(s.pins, k)
	return v, ok
}

// digest identifies a set of values without keeping them.
func digest(env map[string]string) [sha256.Size]byte {
	h := sha256.New()
	for _, k := range sortedKeys(env, env) {
		fmt.Fprintf(h, "%d:%s=%d:%s;", len(k), k, len(env[k]), env[k])
	}
	var out [sha256.Size]byte
	copy(out[:], h.Sum(nil))
	return out
}

// versionOf formats the version of a write's metadata ("unknown" when Vault returned none).
func versionOf(m *vaultapi.KVVersionMetadata) string {
	if m == nil {
		return "unknown"
	}
	return strconv.Itoa(m.Version)
}

package secrets

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestEnvTemplate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		version int
		want    string
	}{
		{"latest without a version", 0, `{{ with secret "secret/data/ns/app/web" }}`},
		{"pinned version", 7, `{{ with secret "secret/data/ns/app/web?version=7" }}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := EnvTemplate("secret/data/ns/app/web", tc.version)
			if !strings.HasPrefix(got, tc.want) {
				t.Errorf("EnvTemplate = %q, want prefix %q", got, tc.want)
			}
			if !strings.Contains(got, "{{ range $k, $v := .Data.data }}") {
				t.Errorf("EnvTemplate = %q: does not range over the KV v2 data", got)
			}
		})
	}
}

func TestSecretStatePinned(t *testing.T) {
	t.Parallel()
	env := map[string]string{"API_KEY": "one", "TOKEN": "two"}
	for _, tc := range []struct {
		name string
		st   secretState
		want int
	}{
		{"no secret yet", secretState{values: map[string]string{}}, 1},
		{"unchanged values keep the current version", secretState{values: map[string]string{"API_KEY": "one", "TOKEN": "two"}, current: 4}, 4},
		{"a changed value pins the next version", secretState{values: map[string]string{"API_KEY": "uno", "TOKEN": "two"}, current: 4}, 5},
		{"a removed key pins the next version", secretState{values: map[string]string{"API_KEY": "one", "TOKEN": "two", "OLD": "x"}, current: 2}, 3},
		{"a deleted current version pins the next one", secretState{values: map[string]string{}, current: 9}, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.st.pinned(env); got != tc.want {
				t.Errorf("pinned = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestDigest(t *testing.T) {
	t.Parallel()
	a := digest(map[string]string{"A": "1", "B": "2"})
	if a != digest(map[string]string{"B": "2", "A": "1"}) {
		t.Error("digest depends on map order")
	}
	for _, other := range []map[string]string{
		{"A": "1", "B": "3"},
		{"A": "1"},
		{"A": "1=B", "": "2"},
		{"A": "12"},
	} {
		if digest(other) == a {
			t.Errorf("digest(%v) equals digest of different values", other)
		}
	}
}

func TestPinsAreConsumed(t *testing.T) {
	t.Parallel()
	s := NewConfigStore(nil, DefaultMount, nil)
	k := pinKey{"secret/data/ns/app/web", digest(map[string]string{"A": "1"})}
	s.remember(k, 3)
	s.remember(pinKey{k.path, digest(map[string]string{"A": "2"})}, 4)
	if v, ok := s.recall(k); !ok || v != 3 {
		t.Fatalf("recall = %d, %v; want 3, true", v, ok)
	}
	if _, ok := s.recall(k); ok {
		t.Error("a promise was recalled twice")
	}
}

func TestKeyDiffHidesValues(t *testing.T) {
	t.Parallel()
	diff := keyDiff(map[string]string{"A": "old-secret", "GONE": "gone-secret"},
		map[string]string{"A": "new-secret", "NEW": "added-secret"})
	b, _ := json.Marshal(diff)
	if strings.Contains(string(b), "secret\"") || strings.Contains(string(b), "-secret") {
		t.Fatalf("diff holds a value: %s", b)
	}
	if len(diff) != 3 {
		t.Fatalf("diff = %s, want 3 nodes (A updated, GONE deleted, NEW created)", b)
	}
}

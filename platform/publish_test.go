package platform_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	"github.com/hashicorp/hcl/v2"

	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
	"github.com/skiffpaas/skiff/platform"
)

// TestPublishLoad runs Publish and Load against a real Consul: the dev stack's own published config first, then
// the fallbacks to a file and to the defaults, a publish that wins over the file, an unchanged publish that
// writes nothing, a broken published value, and a Consul that does not answer.
func TestPublishLoad(t *testing.T) {
	s := devstacktest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	client, err := s.Consul.Client()
	if err != nil {
		t.Fatal(err)
	}
	kv := client.KV()

	t.Run("the dev stack publishes its file", func(t *testing.T) {
		got, err := platform.Load(ctx, kv, "")
		if err != nil {
			t.Fatal(err)
		}
		file, diags := platform.ParseFile(s.PlatformConfigFile())
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		if g, w := asJSON(t, got), asJSON(t, file); g != w {
			t.Errorf("published %s\nfile      %s", g, w)
		}
		if got.Fabio.ProxyAddr != "http://"+s.Fabio.ProxyAddr || got.Connect.Sidecar() == nil ||
			got.Connect.Sidecar().ConsulAddr != s.Consul.HTTPAddr {
			t.Errorf("dev stack config %s", asJSON(t, got))
		}
	})

	fallback := filepath.Join(t.TempDir(), platform.FileName)
	if err := os.WriteFile(fallback, []byte("fabio {\n  kv_path = \"/fabio/fallback\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Delete(platform.KVKey, nil); err != nil {
		t.Fatal(err)
	}
	t.Run("nothing published: the file, else the defaults", func(t *testing.T) {
		got, err := platform.Load(ctx, kv, fallback)
		if err != nil || got.Fabio.KVPath != "/fabio/fallback" {
			t.Errorf("with a file: %v, %v", got, err)
		}
		got, err = platform.Load(ctx, kv, "")
		if err != nil || asJSON(t, got) != asJSON(t, platform.Default()) {
			t.Errorf("without a file: %v, %v", got, err)
		}
		_, err = platform.Load(ctx, kv, filepath.Join(t.TempDir(), "missing.hcl"))
		var diags hcl.Diagnostics
		if !errors.As(err, &diags) {
			t.Errorf("missing file: %v", err)
		}
	})

	t.Run("the published config wins over the file", func(t *testing.T) {
		cfg, diags := platform.Parse([]byte("connect {\n  mesh = true\n}\nvault {\n  workload_policies = []\n}\n"), "p.hcl")
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		if err := platform.Publish(ctx, kv, cfg); err != nil {
			t.Fatal(err)
		}
		got, err := platform.Load(ctx, kv, fallback)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := asJSON(t, got), asJSON(t, cfg); g != w {
			t.Errorf("loaded %s\n want %s", g, w)
		}
		before, _, err := kv.Get(platform.KVKey, nil)
		if err != nil || before == nil {
			t.Fatalf("published key: %v %v", before, err)
		}
		if err := platform.Publish(ctx, kv, got); err != nil {
			t.Fatal(err)
		}
		after, _, _ := kv.Get(platform.KVKey, nil)
		if after.ModifyIndex != before.ModifyIndex {
			t.Errorf("publishing the same config wrote again (index %d → %d)", before.ModifyIndex, after.ModifyIndex)
		}
	})

	t.Run("a broken published value is a diagnostic", func(t *testing.T) {
		bad := []byte(`{"fabio": {"kv_path": "fabio/config"}, "wibble": {}}`)
		if _, err := kv.Put(&consulapi.KVPair{Key: platform.KVKey, Value: bad}, nil); err != nil {
			t.Fatal(err)
		}
		_, err := platform.Load(ctx, kv, fallback)
		var diags hcl.Diagnostics
		if !errors.As(err, &diags) || len(diags) == 0 || diags[0].Subject == nil ||
			!strings.HasPrefix(diags[0].Subject.Filename, "consul-kv:") {
			t.Fatalf("got %v", err)
		}
		for _, d := range diags {
			t.Logf("%s: %s", d.Subject, d.Summary)
		}
	})

	t.Run("an unreachable Consul is an error, not a fallback", func(t *testing.T) {
		cfg := consulapi.DefaultConfig()
		cfg.Address = "127.0.0.1:1" // nothing listens on port 1 of loopback
		down, err := consulapi.NewClient(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := platform.Load(ctx, down.KV(), fallback); err == nil {
			t.Errorf("loaded %v from a Consul that is down", got)
		}
	})
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

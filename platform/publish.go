package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	consulapi "github.com/hashicorp/consul/api"
	"github.com/hashicorp/hcl/v2"
)

// KVKey is the Consul KV key that holds the published platform config, as JSON.
const KVKey = "skiff/platform/config"

// kvSource names the published config in diagnostics.
const kvSource = "consul-kv:" + KVKey

// Publish writes cfg to Consul KV under KVKey, replacing what was published before, so that every skiff process
// that Loads afterwards compiles with the same settings. It writes nothing when the published value is already
// the same. cfg must come from Default, Parse, ParseFile or Load.
func Publish(ctx context.Context, kv *consulapi.KV, cfg *Config) error {
	if cfg == nil {
		return errors.New("publishing the platform config: no config")
	}
	b, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return fmt.Errorf("publishing the platform config: %w", err)
	}
	cur, _, err := kv.Get(KVKey, (&consulapi.QueryOptions{}).WithContext(ctx))
	if err != nil {
		return fmt.Errorf("reading the published platform config %s: %w", KVKey, err)
	}
	if cur != nil && string(cur.Value) == string(b) {
		return nil
	}
	if _, err := kv.Put(&consulapi.KVPair{Key: KVKey, Value: b}, (&consulapi.WriteOptions{}).WithContext(ctx)); err != nil {
		return fmt.Errorf("publishing the platform config to %s: %w", KVKey, err)
	}
	return nil
}

// Load returns the platform config published under KVKey. When none was published it returns the config of
// fallbackFile, and when fallbackFile is "" too, Default(). A published config always wins over the file: the
// file is for platforms without a server (and tests), not a way to compile with settings of one's own.
//
// An error reading Consul is returned as is, never papered over with the file or the defaults, since compiling
// with other settings than the platform's is the mistake this package exists to prevent. Errors in the file or
// in the published value come back as hcl.Diagnostics (which is an error; get it with errors.As), with ranges
// in the file, or in the JSON named "consul-kv:skiff/platform/config".
func Load(ctx context.Context, kv *consulapi.KV, fallbackFile string) (*Config, error) {
	pair, _, err := kv.Get(KVKey, (&consulapi.QueryOptions{}).WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("reading the platform config from Consul KV %s: %w", KVKey, err)
	}
	var cfg *Config
	var diags hcl.Diagnostics
	switch {
	case pair != nil:
		cfg, diags = parseJSON(pair.Value, kvSource)
	case fallbackFile != "":
		cfg, diags = ParseFile(fallbackFile)
	default:
		return Default(), nil
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return cfg, nil
}

package platform

import (
	"strings"
	"testing"
)

// TestHints checks the targeted hint of each mistake the testdata files make, and of a few more.
func TestHints(t *testing.T) {
	t.Parallel()
	cases := []struct{ src, want string }{
		{`nomad { address = "x" }`, "NOMAD_ADDR"},
		{`consul { token = "x" }`, "CONSUL_HTTP_TOKEN"},
		{`vault { token = "x" }`, "VAULT_TOKEN"},
		{`kv_path = "/x"`, `"kv_path" belongs inside a fabio block, not in the top level of the file`},
		{`vault { mesh = true }`, `belongs inside a connect block`},
		{`SKIFF_FABIO_KVPATH = "/x"`, "docs/platform.md maps each one"},
		{`connect = { mesh = true }`, `"connect" is a block: write connect { ... }`},
		{"connect {\n  mesh {}\n}", `"mesh" is an argument`},
		{`fabio { kvpath = "/x" }`, `kv_path = "/fabio/config"`},
		{`fabio { ui_adr = "http://x" }`, `Did you mean "ui_addr"?`},
		{`fabio { addr = "http://x" }`, "proxy_addr, the public proxy that app URLs name"},
		{`fabio { proxy_addr = "127.0.0.1:9999" }`, `proxy_addr = "http://127.0.0.1:9999"`},
		{`fabio { kv_path = "fabio/config" }`, `kv_path = "/fabio/config"`},
		{`vault { secrets_mount = "/secret/" }`, `secrets_mount = "secret"`},
		{`vault { jwt_auth_path = "auth/jwt-nomad/" }`, `jwt_auth_path = "jwt-nomad"`},
		{`vault { jwt_path = "x" }`, "jwt_auth_path"},
		{`vault { workload_policies = ["a", "a"] }`, `"a" is listed twice`},
		{`vault { workload_policies = "a" }`, "must be a list of strings, not a string"},
		{`connect { sidecar = "envoy" }`, "builtin_proxy"},
		{proxyBlock(`"http://127.0.0.1:8500"`), `consul_addr = "127.0.0.1:8500"`},
		{proxyBlock(`"8500"`), "host:port"},
		{`wibble {}`, "docs/platform.md lists what the top level of the file accepts"},
	}
	for _, c := range cases {
		_, diags := Parse([]byte(c.src), "t.hcl")
		if !diags.HasErrors() {
			t.Errorf("%s: no error", c.src)
			continue
		}
		if d := diags[0]; !strings.Contains(d.Detail, c.want) {
			t.Errorf("%s:\n got %s: %s\nwant a detail with %q", c.src, d.Summary, d.Detail, c.want)
		}
	}
}

// proxyBlock returns a connect block with a builtin_proxy block whose consul_addr is addr.
func proxyBlock(addr string) string {
	return "connect {\n  builtin_proxy {\n    launcher = \"/l\"\n    consul = \"/c\"\n    consul_addr = " + addr + "\n  }\n}"
}

// TestDefaults checks what a file that says nothing means, and that an empty policy list stays empty.
func TestDefaults(t *testing.T) {
	t.Parallel()
	d := Default()
	if d.Fabio.KVPath != "/fabio/config" || d.Fabio.ProxyAddr != DefaultFabioProxyAddr || d.Fabio.UIAddr != DefaultFabioUIAddr ||
		d.Vault.SecretsMount != "secret" || d.Vault.JWTAuthPath != "jwt-nomad" ||
		len(d.Vault.WorkloadPolicies) != 1 || d.Vault.WorkloadPolicies[0] != "nomad-workloads" ||
		d.Connect.Mesh || d.Connect.Sidecar() != nil {
		t.Errorf("defaults: %+v", d)
	}
	cfg, diags := Parse([]byte(`vault { workload_policies = [] }`), "t.hcl")
	if diags.HasErrors() || cfg.Vault.WorkloadPolicies == nil || len(cfg.Vault.WorkloadPolicies) != 0 {
		t.Errorf("workload_policies = []: %#v %s", cfg, diags)
	}
	cfg, diags = Parse([]byte(`connect {
  builtin_proxy {
    launcher    = "/l"
    consul      = "/c"
    consul_addr = "127.0.0.1:8500"
  }
}`), "t.hcl")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if got, want := cfg.Connect.Sidecar().String(), "consul-builtin,launcher=/l,consul=/c,addr=127.0.0.1:8500"; got != want {
		t.Errorf("sidecar %q, want %q", got, want)
	}
	if got := cfg.Connect.BuiltinProxy.DeclRange.Start.Line; got != 2 {
		t.Errorf("builtin_proxy DeclRange on line %d, want 2", got)
	}
}

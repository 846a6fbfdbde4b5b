package platform

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/skiffpaas/skiff/internal/hclhint"
)

// envOnly is the hint for settings that are not the platform's: where each system is and the token to reach it.
const envOnly = "Addresses and tokens of Nomad, Consul and Vault are not platform settings: every skiff process " +
	"reads them from NOMAD_ADDR, NOMAD_TOKEN, CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN, VAULT_ADDR and VAULT_TOKEN."

// specificHint returns the hint for a name users write in one context, keyed "context/name"; "" when none.
func specificHint(key string) string {
	switch key {
	case "file/nomad", "file/consul", "vault/address", "vault/addr", "vault/token", "vault/namespace":
		return envOnly
	case "fabio/addr", "fabio/address", "fabio/proxy", "fabio/proxy_address":
		return "Fabio has two addresses: proxy_addr, the public proxy that app URLs name, and ui_addr, its UI and API."
	case "fabio/kvpath", "fabio/registry", "fabio/consul_kvpath":
		return "Fabio's registry.consul.kvpath is called kv_path here: kv_path = \"/fabio/config\"."
	case "fabio/ui", "fabio/api", "fabio/api_addr":
		return "Fabio's UI and API address is called ui_addr: ui_addr = \"http://fabio.internal:9998\"."
	case "vault/jwt_path", "vault/auth_path", "vault/jwt":
		return "The mount of the JWT auth method that trusts Nomad's workload identities is called jwt_auth_path: jwt_auth_path = \"jwt-nomad\"."
	case "vault/mount", "vault/kv_mount", "vault/secrets_path":
		return "The KV v2 mount of sensitive env vars is called secrets_mount: secrets_mount = \"secret\"."
	case "vault/policies", "vault/default_policies", "vault/workload_policy":
		return "The policies every app's role gets are called workload_policies and take a list: workload_policies = [\"nomad-workloads\"]."
	case "connect/sidecar", "connect/envoy", "connect/sidecar_task", "connect/proxy":
		return "Connect sidecars run Nomad's default Envoy unless a builtin_proxy { launcher = ... consul = ... " +
			"consul_addr = ... } block replaces it by Consul's built-in proxy (for dev stacks, where Envoy is not installed)."
	case "builtin_proxy/addr", "builtin_proxy/address", "builtin_proxy/consul_http_addr":
		return "The Consul agent's host:port is called consul_addr: consul_addr = \"127.0.0.1:8500\"."
	}
	return ""
}

// unsupported returns the summary and detail of a diagnostic about the argument (isBlock false) or block name
// that the schema of context where does not accept.
func unsupported(where, name string, isBlock bool, schema *hcl.BodySchema) (string, string) {
	summary, head := "Unsupported argument", fmt.Sprintf("An argument named %q is not expected here. ", name)
	if isBlock {
		summary, head = "Unsupported block type", fmt.Sprintf("Blocks of type %q are not expected here. ", name)
	}
	if h := specificHint(where + "/" + name); h != "" {
		return summary, head + h
	}
	if strings.HasPrefix(strings.ToUpper(name), "SKIFF_") {
		return summary, head + "The SKIFF_* environment variables of older skiff versions are arguments of the " +
			"fabio, vault and connect blocks now; docs/platform.md maps each one."
	}
	var candidates []string
	for _, a := range schema.Attributes {
		candidates = append(candidates, a.Name)
		if isBlock && a.Name == name {
			return summary, head + fmt.Sprintf("%q is an argument: write %s = ... instead of a block.", name, name)
		}
	}
	for _, b := range schema.Blocks {
		candidates = append(candidates, b.Type)
		if !isBlock && b.Type == name {
			return summary, head + fmt.Sprintf("%q is a block: write %s { ... } without the equals sign.", name, name)
		}
	}
	if places := hclhint.Places(schemaIndex(), name); len(places) > 0 {
		return summary, head + fmt.Sprintf("%q belongs inside a %s block, not in %s.", name,
			strings.Join(places, " or "), hclhint.ContextName(where))
	}
	if s := hclhint.Suggest(name, candidates); s != "" {
		return summary, head + fmt.Sprintf("Did you mean %q?", s)
	}
	return summary, head + "Remove it; docs/platform.md lists what " + hclhint.ContextName(where) + " accepts."
}

package platform

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// trimSlash drops the trailing slashes of an address, so that paths can be appended to it.
func trimSlash(s string) string { return strings.TrimRight(s, "/") }

// checkURL checks that the attribute name holds an http or https URL of a host, optionally with a port and a
// path prefix. port is the port of the example in the hint.
func checkURL(name, s string, rng hcl.Range, port string) hcl.Diagnostics {
	example := fmt.Sprintf("%s = \"http://127.0.0.1:%s\"", name, port)
	if !strings.Contains(s, "://") {
		return hcl.Diagnostics{invalid(rng, "Address without a scheme",
			fmt.Sprintf("The value of %s must be a URL with its scheme, such as %s.", name, example))}
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return hcl.Diagnostics{invalid(rng, "Invalid address",
			fmt.Sprintf("The value of %s must be an http:// or https:// URL of a host, such as %s.", name, example))}
	}
	return nil
}

// checkKVPath checks Fabio's KV path: a Consul KV key prefix written as Fabio writes it, with a leading slash.
func checkKVPath(s string, rng hcl.Range) hcl.Diagnostics {
	trimmed := strings.Trim(s, "/")
	switch {
	case trimmed == "":
		return hcl.Diagnostics{invalid(rng, "Empty KV path",
			"kv_path must name Fabio's registry.consul.kvpath, such as kv_path = \"/fabio/config\".")}
	case !strings.HasPrefix(s, "/"):
		return hcl.Diagnostics{invalid(rng, "KV path without a leading slash",
			fmt.Sprintf("Write kv_path as Fabio's registry.consul.kvpath is written: kv_path = \"/%s\".", trimmed))}
	case strings.ContainsAny(s, " \t\n") || strings.Contains(s, "//"):
		return hcl.Diagnostics{invalid(rng, "Invalid KV path",
			"kv_path must be a Consul KV key prefix without spaces or empty segments, such as \"/fabio/config\".")}
	}
	return nil
}

// checkMount checks the Vault mount path in the attribute name: non-empty, no slash at either end, no
// "auth/" prefix, no spaces. example is the default value, named in the hints.
func checkMount(name, s string, rng hcl.Range, example string) hcl.Diagnostics {
	trimmed := strings.Trim(s, "/")
	switch {
	case trimmed == "":
		return hcl.Diagnostics{invalid(rng, "Empty mount path",
			fmt.Sprintf("%s must name a Vault mount, such as %s = %q; leave it out for that default.", name, name, example))}
	case name == "jwt_auth_path" && strings.HasPrefix(trimmed, "auth/"):
		return hcl.Diagnostics{invalid(rng, "Auth path with its auth/ prefix",
			fmt.Sprintf("jwt_auth_path is the path under auth/, as `vault auth enable -path` takes it: jwt_auth_path = %q.",
				strings.TrimPrefix(trimmed, "auth/")))}
	case trimmed != s:
		return hcl.Diagnostics{invalid(rng, "Mount path with slashes around it",
			fmt.Sprintf("Write the mount path without leading or trailing slashes: %s = %q.", name, trimmed))}
	case strings.ContainsAny(s, " \t\n") || strings.Contains(s, "//"):
		return hcl.Diagnostics{invalid(rng, "Invalid mount path",
			fmt.Sprintf("%s must be a Vault mount path without spaces or empty segments, such as %q.", name, example))}
	}
	return nil
}

// checkPolicies checks the Vault policy names of workload_policies: non-empty, without spaces or duplicates.
func checkPolicies(ps []string, rng hcl.Range) hcl.Diagnostics {
	seen := map[string]bool{}
	for _, p := range ps {
		switch {
		case strings.TrimSpace(p) == "" || strings.ContainsAny(p, " \t\n,"):
			return hcl.Diagnostics{invalid(rng, "Invalid policy name",
				fmt.Sprintf("%q is not a Vault policy name. List each policy as its own string: "+
					"workload_policies = [\"nomad-workloads\", \"other\"], or [] for none.", p))}
		case seen[p]:
			return hcl.Diagnostics{invalid(rng, "Duplicate policy",
				fmt.Sprintf("The policy %q is listed twice in workload_policies; list it once.", p))}
		}
		seen[p] = true
	}
	return nil
}

// checkAbsPath checks that the attribute name holds an absolute host path.
func checkAbsPath(name, s string, rng hcl.Range) hcl.Diagnostics {
	if !filepath.IsAbs(s) {
		return hcl.Diagnostics{invalid(rng, "Relative path",
			fmt.Sprintf("%s is run by the Nomad client, whose working directory is not yours: give an absolute path, not %q.", name, s))}
	}
	return nil
}

// checkHostPort checks that the attribute name holds a host:port without a scheme.
func checkHostPort(name, s string, rng hcl.Range) hcl.Diagnostics {
	if u, err := url.Parse(s); err == nil && u.Scheme != "" && u.Host != "" {
		return hcl.Diagnostics{invalid(rng, "Address with a scheme",
			fmt.Sprintf("%s is a host:port without a scheme: %s = %q.", name, name, u.Host))}
	}
	if host, port, err := net.SplitHostPort(s); err != nil || host == "" || port == "" {
		return hcl.Diagnostics{invalid(rng, "Invalid host:port",
			fmt.Sprintf("%s must be the host:port of the Consul agent's HTTP API, such as %s = \"127.0.0.1:8500\".", name, name))}
	}
	return nil
}

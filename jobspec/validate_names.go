package jobspec

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// maxDNSLength is the longest DNS label.
const maxDNSLength = 63

var (
	dnsLabel    = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)
	envName     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	metaKey     = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)
	portName    = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	namespaceRe = regexp.MustCompile(`^[a-zA-Z0-9-]{1,128}$`)
	hostPattern = regexp.MustCompile(`^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)
)

// errAt and warnAt build diagnostics; every validation diagnostic goes through them so that Subject is set.
func errAt(rng hcl.Range, summary, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: rng.Ptr()}
}

func warnAt(rng hcl.Range, summary, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: summary, Detail: detail, Subject: rng.Ptr()}
}

// checkDNSName checks that name is a DNS label: it becomes part of Nomad job names and Consul service names.
func checkDNSName(what, name string, rng hcl.Range) hcl.Diagnostics {
	if len(name) <= maxDNSLength && dnsLabel.MatchString(name) {
		return checkSmuggleName(what, name, rng)
	}
	return hcl.Diagnostics{errAt(rng, fmt.Sprintf("Invalid %s name", what), fmt.Sprintf(
		"The %s name %q must be a DNS label: 1 to 63 lowercase letters, digits and dashes, starting and ending "+
			"with a letter or digit (for example %q).", what, name, suggestDNSName(name)))}
}

// suggestDNSName turns name into a DNS label, for hints.
func suggestDNSName(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > maxDNSLength {
		s = strings.Trim(s[:maxDNSLength], "-")
	}
	if s == "" {
		return "my-app"
	}
	return s
}

// checkEnv checks environment variable names of env (app or process level).
func checkEnv(env map[string]string, ranges map[string]hcl.Range) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, k := range sortedKeys(env) {
		rng := ranges[k]
		switch {
		case !envName.MatchString(k):
			diags = append(diags, errAt(rng, "Invalid environment variable name",
				fmt.Sprintf("%q is not a valid environment variable name: use letters, digits and underscores, not starting with a digit.", k)))
		case strings.HasPrefix(strings.ToUpper(k), "NOMAD_"), strings.HasPrefix(strings.ToUpper(k), "SKIFF_"):
			diags = append(diags, errAt(rng, "Reserved environment variable name",
				fmt.Sprintf("Names starting with NOMAD_ or SKIFF_ are set by the platform; rename %q.", k)))
		}
	}
	return diags
}

// checkMeta checks metadata keys (app or process level).
func checkMeta(meta map[string]string, ranges map[string]hcl.Range) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, k := range sortedKeys(meta) {
		rng := ranges[k]
		switch {
		case !metaKey.MatchString(k):
			diags = append(diags, errAt(rng, "Invalid meta key",
				fmt.Sprintf("%q is not a valid meta key: use letters, digits, underscores, dots and dashes.", k)))
		case strings.HasPrefix(strings.ToLower(k), "skiff"):
			diags = append(diags, errAt(rng, "Reserved meta key",
				fmt.Sprintf("Meta keys starting with \"skiff\" are written by skiff to record releases; rename %q.", k)))
		}
	}
	return diags
}

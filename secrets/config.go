package secrets

import (
	"fmt"
	"sort"
	"strings"

	"github.com/skiffpaas/skiff/jobspec"
)

// DefaultMount is the KV v2 mount config vars are stored in.
const DefaultMount = "secret"

// ConfigPath returns the KV v2 data path of a process's sensitive env vars.
func ConfigPath(mount, namespace, jobID, process string) string {
	return fmt.Sprintf("%s/data/%s/%s/%s", mount, namespace, jobID, process)
}

// metadataPath returns the KV v2 metadata path matching ConfigPath.
func metadataPath(mount, namespace, jobID, process string) string {
	return fmt.Sprintf("%s/metadata/%s/%s/%s", mount, namespace, jobID, process)
}

// secretName returns the name of a process's secret inside the mount, as the KV v2 helpers of vaultapi take it.
func secretName(namespace, jobID, process string) string {
	return namespace + "/" + jobID + "/" + process
}

// EnvTemplate returns the Nomad template that renders version of the secret at path as an env file (KEY="value"
// lines, values JSON-quoted so that newlines and quotes survive). A version > 0 pins the KV v2 version the
// template reads (consul-template passes "?version=N" to Vault), so the rendered values never change under a
// running allocation; 0 reads the latest version (offline renders, where no version is known).
func EnvTemplate(path string, version int) string {
	if version > 0 {
		path = fmt.Sprintf("%s?version=%d", path, version)
	}
	return `{{ with secret "` + path + `" }}{{ range $k, $v := .Data.data }}{{ $k }}={{ $v | toJSON }}
{{ end }}{{ end }}`
}

// SensitiveEnv returns the env vars of process p whose values derive from sensitive variables (the app's env,
// overlaid with the process's own), keyed by name. Nil when there are none.
func SensitiveEnv(app *jobspec.App, p *jobspec.Process) map[string]string {
	var out map[string]string
	add := func(k, v string) {
		if out == nil {
			out = map[string]string{}
		}
		out[k] = v
	}
	for k, v := range app.Env {
		if _, own := p.Env[k]; !own && app.IsSensitive("env."+k) {
			add(k, v)
		}
	}
	for k, v := range p.Env {
		if app.IsSensitive(processPath(p) + ".env." + k) {
			add(k, v)
		}
	}
	return out
}

// Unsupported returns the sensitive model paths of process p (and of the app) that cannot be kept out of the
// Nomad job — anything but env values — sorted. The compiler refuses such specs.
func Unsupported(app *jobspec.App, p *jobspec.Process) []string {
	var out []string
	prefix := processPath(p) + "."
	for _, s := range app.Sensitive {
		switch {
		case strings.HasPrefix(s, "env."), strings.HasPrefix(s, prefix+"env."):
		case strings.HasPrefix(s, prefix), !strings.Contains(s, ".") || isAppLevel(s):
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// isAppLevel reports whether a sensitive path belongs to an app argument (image, meta.X, ...), which every
// process inherits.
func isAppLevel(path string) bool {
	head, _, _ := strings.Cut(path, ".")
	switch head {
	case "image", "artifact", "meta", "namespace", "datacenters", "driver", "constraint":
		return true
	}
	return false
}

func processPath(p *jobspec.Process) string { return string(p.Kind) + "." + p.Name }

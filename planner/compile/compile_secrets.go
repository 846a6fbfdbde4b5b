package compile

import (
	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/secrets"
)

// secretEnv moves the sensitive env vars of p out of env (so they never reach the job) and gives the task a
// Vault identity and a template that renders them from Vault KV at run time (secrets.ConfigStore writes them
// there before the job is registered). The template reads the KV version pinned in opts.SecretVersions (the
// latest when none is known), so a changed value changes the job and rolls out like code; nothing restarts in
// place: the pinned values never change under a running allocation, and a new Vault token does not change them.
func (c *compiler) secretEnv(t *nomadapi.Task, p *jobspec.Process, env map[string]string) {
	sensitive := secrets.SensitiveEnv(c.app, p)
	if len(sensitive) == 0 {
		return
	}
	for k := range sensitive {
		delete(env, k)
	}
	path := secrets.ConfigPath(c.opts.SecretsMount, c.app.Namespace, JobIDOf(c.app, p), p.Name)
	tmpl := secrets.EnvTemplate(path, c.opts.SecretVersions[path])
	if t.Vault == nil {
		t.Vault = &nomadapi.Vault{ChangeMode: ptr("noop")}
	}
	t.Templates = append(t.Templates, &nomadapi.Template{
		EmbeddedTmpl: &tmpl,
		DestPath:     ptr("secrets/skiff-config.env"),
		Envvars:      ptr(true),
		ChangeMode:   ptr("noop"),
	})
}

// JobIDOf returns the ID of the job that runs p: the app's service job for web and worker processes, else
// "<app>-<process>".
func JobIDOf(app *jobspec.App, p *jobspec.Process) string {
	if p.Kind == jobspec.KindWeb || p.Kind == jobspec.KindWorker {
		return app.Name
	}
	return JobID(app.Name, p.Name)
}

// binds gives the task the credentials of every bind that applies to p: the app's Vault JWT role (which may
// read exactly those credentials) and one env template per bind, rendered at run time — the credentials never
// appear in the job.
func (c *compiler) binds(t *nomadapi.Task, p *jobspec.Process) {
	for _, b := range c.app.Binds {
		if !bindApplies(b, p) {
			continue
		}
		if t.Vault == nil {
			t.Vault = &nomadapi.Vault{}
		}
		// Bind credentials are leases of the task's Vault token: a new token means new credentials.
		t.Vault.ChangeMode = ptr("restart")
		t.Vault.Role = secrets.RoleName(c.app.Namespace, c.app.Name)
		tmpl := secrets.BindTemplate(c.app.Namespace, c.app.Name, b, c.opts.Offerings[b.Offering])
		t.Templates = append(t.Templates, &nomadapi.Template{
			EmbeddedTmpl: &tmpl,
			DestPath:     ptr("secrets/bind-" + b.Name + ".env"),
			Envvars:      ptr(true),
			ChangeMode:   ptr("restart"),
		})
	}
}

func bindApplies(b *jobspec.Bind, p *jobspec.Process) bool {
	if len(b.Processes) == 0 {
		return true
	}
	for _, name := range b.Processes {
		if name == p.Name {
			return true
		}
	}
	return false
}

// JobsOf lists the IDs of the jobs that compile puts app's processes in.
func JobsOf(app *jobspec.App) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range app.Processes {
		if id := JobIDOf(app, p); !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

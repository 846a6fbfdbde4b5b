package planner

import (
	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/secrets"
)

// secretEnv moves the sensitive env vars of p out of env (so they never reach the job) and gives the task a
// Vault identity and a template that renders them from Vault KV at run time (secrets.ConfigStore writes them
// there before the job is registered).
func (c *compiler) secretEnv(t *nomadapi.Task, p *jobspec.Process, env map[string]string) {
	sensitive := secrets.SensitiveEnv(c.app, p)
	if len(sensitive) == 0 {
		return
	}
	for k := range sensitive {
		delete(env, k)
	}
	path := secrets.ConfigPath(c.opts.SecretsMount, c.app.Namespace, jobIDOf(c.app, p), p.Name)
	tmpl := secrets.EnvTemplate(path)
	t.Vault = &nomadapi.Vault{ChangeMode: ptr("restart")}
	t.Templates = append(t.Templates, &nomadapi.Template{
		EmbeddedTmpl: &tmpl,
		DestPath:     ptr("secrets/skiff-config.env"),
		Envvars:      ptr(true),
		ChangeMode:   ptr("restart"),
	})
}

// jobIDOf returns the ID of the job that runs p: the app's service job for web and worker processes, else
// "<app>-<process>".
func jobIDOf(app *jobspec.App, p *jobspec.Process) string {
	if p.Kind == jobspec.KindWeb || p.Kind == jobspec.KindWorker {
		return app.Name
	}
	return JobID(app.Name, p.Name)
}

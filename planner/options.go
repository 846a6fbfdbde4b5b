package planner

import (
	"context"
	"fmt"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner/change"
	"github.com/skiffpaas/skiff/planner/compile"
	"github.com/skiffpaas/skiff/secrets"
)

// compileOptions gathers what Compile needs from the live stack: scale overrides, the secrets mount, the KV
// versions the release pins (from the stack's Pinners) and the offerings of the app's binds. Specs that need
// Vault (sensitive env, binds) are refused without it.
func (s *Stack) compileOptions(ctx context.Context, app *jobspec.App, release int) (compile.CompileOptions, error) {
	opts := compile.CompileOptions{SecretsMount: s.secretsMount, Connect: s.Connect}
	if s.secretsMount == "" {
		for _, p := range app.Processes {
			if len(secrets.SensitiveEnv(app, p)) > 0 {
				return opts, fmt.Errorf("process %q has sensitive env vars, which skiff keeps in Vault: set VAULT_ADDR "+
					"and VAULT_TOKEN (skiff dev env exports them for the dev stack)", p.Name)
			}
		}
		if len(app.Binds) > 0 {
			return opts, fmt.Errorf("bind %q needs Vault to issue credentials: set VAULT_ADDR and VAULT_TOKEN", app.Binds[0].Name)
		}
	}
	var err error
	if opts.Counts, err = s.Releases.Scale(ctx, app.Namespace, app.Name); err != nil {
		return opts, err
	}
	if err := s.autoscaledCounts(ctx, app, opts.Counts); err != nil {
		return opts, err
	}
	if opts.SecretVersions, err = s.pinnedVersions(ctx, app); err != nil {
		return opts, err
	}
	if len(app.Binds) > 0 {
		offerings := &secrets.Offerings{KV: s.Consul.KV()}
		if opts.Offerings, err = offerings.Resolve(ctx, app); err != nil {
			return opts, err
		}
	}
	return opts, nil
}

// pinnedVersions merges the versions that the stack's Pinners which app uses pin for this release (nil when
// none does): a changed config value becomes a change of the job that reads it.
func (s *Stack) pinnedVersions(ctx context.Context, app *jobspec.App) (map[string]int, error) {
	var out map[string]int
	for _, rp := range s.Resources {
		pinner, ok := rp.(change.Pinner)
		if !ok || !rp.Uses(app) {
			continue
		}
		versions, err := pinner.PinnedVersions(ctx, app)
		if err != nil {
			return nil, fmt.Errorf("reading the %s versions the release pins: %w", rp.System(), err)
		}
		for path, v := range versions {
			if out == nil {
				out = map[string]int{}
			}
			out[path] = v
		}
	}
	return out, nil
}

// autoscaledCounts sets, for each autoscaled web or worker process, the live count of its group — what the
// autoscaler (or a later `skiff scale`) decided, which a deploy must not undo.
func (s *Stack) autoscaledCounts(ctx context.Context, app *jobspec.App, counts map[string]int) error {
	need := false
	for _, p := range app.Processes {
		need = need || (p.Autoscale != nil && (p.Kind == jobspec.KindWeb || p.Kind == jobspec.KindWorker))
	}
	if !need {
		return nil
	}
	job, _, err := s.Nomad.Jobs().Info(app.Name, (&nomadapi.QueryOptions{Namespace: app.Namespace}).WithContext(ctx))
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading job %q: %w", app.Name, err)
	}
	for _, g := range job.TaskGroups {
		p := app.Process(*g.Name)
		if p == nil || p.Autoscale == nil || g.Count == nil {
			continue
		}
		counts[*g.Name] = *g.Count
	}
	return nil
}

package secrets

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner/change"
)

// PlanResources compares the Vault objects of the app's binds with Vault: created, updated, or deleted when a
// bind left the spec. A bind to an unknown offering is a *change.DiagnosticsError at its offering argument.
func (b *Bindings) PlanResources(ctx context.Context, app *jobspec.App) ([]*change.Change, error) {
	want, err := b.desired(ctx, app)
	if err != nil {
		return nil, err
	}
	var out []*change.Change
	for _, o := range want {
		same, exists, err := b.matches(ctx, o)
		if err != nil {
			return nil, err
		}
		ch := &change.Change{Resource: o.resource, Name: o.path, Namespace: app.Namespace, Action: change.None}
		switch {
		case !exists:
			ch.Action = change.Create
		case !same:
			ch.Action = change.Update
		}
		out = append(out, ch)
	}
	extra, err := b.stale(ctx, app.Namespace, app.Name, want)
	if err != nil {
		return nil, err
	}
	for _, o := range extra {
		out = append(out, &change.Change{Resource: o.resource, Name: o.path, Namespace: app.Namespace, Action: change.Delete})
	}
	return out, nil
}

// ApplyResources writes what the app's binds need and takes nothing away: new database roles are created, and
// a changed policy or JWT role is widened to the union of what the running release and the new one need, so
// that the running release (or an auto-revert to it) keeps its credentials while the new one rolls out.
func (b *Bindings) ApplyResources(ctx context.Context, app *jobspec.App) error {
	want, err := b.desired(ctx, app)
	if err != nil {
		return err
	}
	for _, o := range want {
		same, exists, err := b.matches(ctx, o)
		if err != nil {
			return err
		}
		if same {
			continue
		}
		if exists && o.resource != ResourceDBRole {
			if o, err = b.widened(ctx, o); err != nil {
				return err
			}
		}
		if err := b.write(ctx, o); err != nil {
			return err
		}
	}
	return nil
}

// PruneResources narrows the app's policy and JWT role to exactly what the spec needs and deletes the objects
// no bind needs any more.
func (b *Bindings) PruneResources(ctx context.Context, app *jobspec.App) error {
	want, err := b.desired(ctx, app)
	if err != nil {
		return err
	}
	for _, o := range want {
		same, _, err := b.matches(ctx, o)
		if err != nil {
			return err
		}
		if !same {
			if err := b.write(ctx, o); err != nil {
				return err
			}
		}
	}
	extra, err := b.stale(ctx, app.Namespace, app.Name, want)
	if err != nil {
		return err
	}
	return b.delete(ctx, extra)
}

// write stores o in Vault.
func (b *Bindings) write(ctx context.Context, o vaultObject) error {
	var err error
	if o.resource == ResourcePolicy {
		err = b.vault.Sys().PutPolicyWithContext(ctx, strings.TrimPrefix(o.path, "sys/policies/acl/"), o.policy)
	} else {
		_, err = b.vault.Logical().WriteWithContext(ctx, o.path, o.data)
	}
	if err != nil {
		return fmt.Errorf("writing %s to Vault: %w", o.path, err)
	}
	return nil
}

// widened returns o (a policy or JWT role) extended by what the live object grants: the live policy's rules
// are kept beside the new ones (Vault merges rules of one path), and the live role's job IDs stay bound.
func (b *Bindings) widened(ctx context.Context, o vaultObject) (vaultObject, error) {
	if o.resource == ResourcePolicy {
		cur, err := b.vault.Sys().GetPolicyWithContext(ctx, strings.TrimPrefix(o.path, "sys/policies/acl/"))
		if err != nil {
			return o, fmt.Errorf("reading %s from Vault: %w", o.path, err)
		}
		o.policy = cur + "\n" + o.policy
		return o, nil
	}
	sec, err := b.vault.Logical().ReadWithContext(ctx, o.path)
	if err != nil || sec == nil {
		return o, err
	}
	claims, _ := o.data["bound_claims"].(map[string]interface{})
	liveClaims, _ := sec.Data["bound_claims"].(map[string]interface{})
	jobs := map[string]bool{}
	for _, j := range claims["nomad_job_id"].([]string) {
		jobs[j] = true
	}
	if ids, ok := liveClaims["nomad_job_id"].([]interface{}); ok {
		for _, j := range ids {
			if s, ok := j.(string); ok {
				jobs[s] = true
			}
		}
	}
	union := make([]string, 0, len(jobs))
	for j := range jobs {
		union = append(union, j)
	}
	sort.Strings(union)
	data := map[string]interface{}{}
	for k, v := range o.data {
		data[k] = v
	}
	widenedClaims := map[string]interface{}{}
	for k, v := range claims {
		widenedClaims[k] = v
	}
	widenedClaims["nomad_job_id"] = union
	data["bound_claims"] = widenedClaims
	o.data = data
	return o, nil
}

// DestroyResources deletes every Vault object of the app's binds.
func (b *Bindings) DestroyResources(ctx context.Context, namespace, app string) error {
	extra, err := b.stale(ctx, namespace, app, nil)
	if err != nil {
		return err
	}
	return b.delete(ctx, extra)
}

func (b *Bindings) delete(ctx context.Context, objs []vaultObject) error {
	for _, o := range objs {
		var err error
		if o.resource == ResourcePolicy {
			err = b.vault.Sys().DeletePolicyWithContext(ctx, strings.TrimPrefix(o.path, "sys/policies/acl/"))
		} else {
			_, err = b.vault.Logical().DeleteWithContext(ctx, o.path)
		}
		if err != nil {
			return fmt.Errorf("deleting %s from Vault: %w", o.path, err)
		}
	}
	return nil
}

// matches reports whether Vault holds o as desired, and whether it holds it at all.
func (b *Bindings) matches(ctx context.Context, o vaultObject) (same, exists bool, err error) {
	if o.resource == ResourcePolicy {
		cur, err := b.vault.Sys().GetPolicyWithContext(ctx, strings.TrimPrefix(o.path, "sys/policies/acl/"))
		if err != nil {
			return false, false, fmt.Errorf("reading %s from Vault: %w", o.path, err)
		}
		return cur == o.policy, cur != "", nil
	}
	sec, err := b.vault.Logical().ReadWithContext(ctx, o.path)
	if err != nil {
		return false, false, fmt.Errorf("reading %s from Vault: %w", o.path, err)
	}
	if sec == nil {
		return false, false, nil
	}
	keys := []string{"db_name", "creation_statements"}
	if o.resource == ResourceJWTRole {
		keys = []string{"bound_claims", "token_policies"}
	}
	for _, k := range keys {
		if !sameValue(sec.Data[k], o.data[k]) {
			return false, true, nil
		}
	}
	return true, true, nil
}

// sameValue compares a value read back from Vault (decoded JSON) with the one written.
func sameValue(got, want interface{}) bool {
	return reflect.DeepEqual(normalize(got), normalize(want))
}

func normalize(v interface{}) interface{} {
	switch t := v.(type) {
	case []string:
		out := append([]string{}, t...)
		sort.Strings(out)
		return out
	case []interface{}:
		out := make([]string, 0, len(t))
		for _, e := range t {
			out = append(out, fmt.Sprint(e))
		}
		sort.Strings(out)
		return out
	case map[string]interface{}:
		out := map[string]interface{}{}
		for k, e := range t {
			out[k] = normalize(e)
		}
		return out
	case string:
		return []string{t}
	default:
		return fmt.Sprint(v)
	}
}

// stale returns the app's Vault objects that are not in want: database roles named for the app on any
// offering's mount, and the app's policy and JWT role when no bind is left.
func (b *Bindings) stale(ctx context.Context, namespace, app string, want []vaultObject) ([]vaultObject, error) {
	keep := map[string]bool{}
	for _, o := range want {
		keep[o.path] = true
	}
	var out []vaultObject
	mounts := map[string]bool{}
	names, err := b.offerings.Names(ctx)
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if o, err := b.offerings.Get(ctx, n); err == nil && o != nil {
			mounts[o.VaultMount] = true
		}
	}
	prefix := RoleName(namespace, app) + "_"
	for mount := range mounts {
		sec, err := b.vault.Logical().ListWithContext(ctx, mount+"/roles")
		if err != nil {
			return nil, fmt.Errorf("listing %s/roles in Vault: %w", mount, err)
		}
		if sec == nil {
			continue
		}
		keys, _ := sec.Data["keys"].([]interface{})
		for _, k := range keys {
			name, _ := k.(string)
			if path := mount + "/roles/" + name; strings.HasPrefix(name, prefix) && !keep[path] {
				out = append(out, vaultObject{resource: ResourceDBRole, path: path})
			}
		}
	}
	if len(want) == 0 {
		name := RoleName(namespace, app)
		if p, err := b.vault.Sys().GetPolicyWithContext(ctx, name); err == nil && p != "" {
			out = append(out, vaultObject{resource: ResourcePolicy, path: "sys/policies/acl/" + name})
		}
		if sec, err := b.vault.Logical().ReadWithContext(ctx, "auth/"+b.identity.JWTPath+"/role/"+name); err == nil && sec != nil {
			out = append(out, vaultObject{resource: ResourceJWTRole, path: "auth/" + b.identity.JWTPath + "/role/" + name})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out, nil
}

package secrets

import (
	"context"
	"fmt"
	"sort"
	"strings"

	vaultapi "github.com/hashicorp/vault/api"

	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner/change"
)

// Resource types of the Vault objects a binding needs.
const (
	ResourceDBRole  = "vault_database_role"
	ResourcePolicy  = "vault_policy"
	ResourceJWTRole = "vault_jwt_role"
)

// Identity describes how Nomad workloads log in to Vault: the JWT auth mount that trusts Nomad's workload
// identities and the policies every workload gets (the dev stack's "nomad-workloads" policy lets a job read
// its own KV secrets).
type Identity struct {
	JWTPath         string
	DefaultPolicies []string
}

// Bindings plans and applies the Vault side of an app's bind blocks: one database role per bind, one policy
// per app that may read exactly those credentials, and one JWT role per app that only the app's jobs can log in
// with. It implements change.ResourcePlanner.
type Bindings struct {
	vault     *vaultapi.Client
	offerings *Offerings
	identity  Identity
	jobsOf    func(app *jobspec.App) []string
}

var _ change.ResourcePlanner = (*Bindings)(nil)

// NewBindings returns the bindings planner. jobsOf lists the IDs of the app's jobs (the JWT role is bound to
// them).
func NewBindings(v *vaultapi.Client, offerings *Offerings, id Identity, jobsOf func(*jobspec.App) []string) *Bindings {
	return &Bindings{vault: v, offerings: offerings, identity: id, jobsOf: jobsOf}
}

// System reports "vault".
func (b *Bindings) System() string { return "vault" }

// Uses reports whether the app has binds.
func (b *Bindings) Uses(app *jobspec.App) bool { return len(app.Binds) > 0 }

// RoleName returns the name of the app's Vault JWT role and policy: "skiff_<namespace>_<app>". Names are DNS
// labels and have no "_", so the parts cannot run into each other (app "shop" never owns "shop-admin"'s roles).
func RoleName(namespace, app string) string { return "skiff_" + namespace + "_" + app }

// DBRoleName returns the name of a bind's database role: "skiff_<namespace>_<app>_<bind>".
func DBRoleName(namespace, app, bind string) string { return RoleName(namespace, app) + "_" + bind }

// vaultObject is one object the bindings need, with the data written for it.
type vaultObject struct {
	resource, path string
	data           map[string]interface{}
	policy         string // for policies
}

// desired returns the Vault objects of app's binds, or diagnostics for binds to unknown offerings.
func (b *Bindings) desired(ctx context.Context, app *jobspec.App) ([]vaultObject, error) {
	if len(app.Binds) == 0 {
		return nil, nil
	}
	offerings, err := b.offerings.Resolve(ctx, app)
	if err != nil {
		return nil, err
	}
	var objs []vaultObject
	var policy strings.Builder
	for _, bind := range app.Binds {
		o := offerings[bind.Offering]
		role := DBRoleName(app.Namespace, app.Name, bind.Name)
		objs = append(objs, vaultObject{resource: ResourceDBRole, path: o.VaultMount + "/roles/" + role,
			data: map[string]interface{}{"db_name": o.VaultConnection, "creation_statements": o.creationStatements(),
				"default_ttl": "1h", "max_ttl": "768h"}})
		fmt.Fprintf(&policy, "path %q { capabilities = [\"read\"] }\n", o.VaultMount+"/creds/"+role)
	}
	name := RoleName(app.Namespace, app.Name)
	objs = append(objs, vaultObject{resource: ResourcePolicy, path: "sys/policies/acl/" + name, policy: policy.String()})
	jobs := b.jobsOf(app)
	sort.Strings(jobs)
	objs = append(objs, vaultObject{resource: ResourceJWTRole, path: "auth/" + b.identity.JWTPath + "/role/" + name,
		data: map[string]interface{}{
			"role_type":               "jwt",
			"bound_audiences":         []string{"vault.io"},
			"bound_claims":            map[string]interface{}{"nomad_namespace": app.Namespace, "nomad_job_id": jobs},
			"user_claim":              "/nomad_job_id",
			"user_claim_json_pointer": true,
			"claim_mappings":          map[string]string{"nomad_namespace": "nomad_namespace", "nomad_job_id": "nomad_job_id", "nomad_task": "nomad_task"},
			"token_type":              "service",
			"token_policies":          append(append([]string{}, b.identity.DefaultPolicies...), name),
			"token_period":            "30m",
		}})
	return objs, nil
}

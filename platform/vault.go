package platform

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/skiffpaas/skiff/secrets"
)

// Defaults of the vault block: the layout of `nomad setup vault` and of the dev stack.
const (
	DefaultJWTAuthPath    = "jwt-nomad"
	DefaultWorkloadPolicy = "nomad-workloads"
	DefaultSecretsMount   = secrets.DefaultMount
)

// Vault says how skiff uses Vault. It applies when VAULT_ADDR is set; without Vault, specs with sensitive env
// vars or binds are refused.
type Vault struct {
	// SecretsMount is the KV v2 mount that holds apps' sensitive env vars (DefaultSecretsMount).
	SecretsMount string `json:"secrets_mount"`
	// JWTAuthPath is the mount of the JWT auth method that trusts Nomad's workload identities, under auth/
	// (DefaultJWTAuthPath).
	JWTAuthPath string `json:"jwt_auth_path"`
	// WorkloadPolicies are given to every app's role besides its own policy ([DefaultWorkloadPolicy]); never
	// nil, empty when the file says none.
	WorkloadPolicies []string `json:"workload_policies"`
	// DeclRange is the vault block's header; the zero range when the block was not written.
	DeclRange hcl.Range `json:"-"`
}

// vaultInput is a decoded vault block before normalization.
type vaultInput struct {
	DeclRange                           hcl.Range
	SecretsMount, JWTAuthPath           *string
	WorkloadPolicies                    []string // nil when unset
	MountRange, JWTRange, PoliciesRange hcl.Range
}

var vaultBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "secrets_mount"},
		{Name: "jwt_auth_path"},
		{Name: "workload_policies"},
	},
}

// decodeVaultBlock decodes a vault block.
func decodeVaultBlock(block *hcl.Block) (*vaultInput, hcl.Diagnostics) {
	in := &vaultInput{DeclRange: block.DefRange}
	c, diags := content(block.Body, vaultBlockSchema, "vault")
	if c == nil {
		return in, diags
	}
	var ds hcl.Diagnostics
	for _, name := range sortedKeys(c.Attributes) {
		a := c.Attributes[name]
		switch name {
		case "secrets_mount":
			in.SecretsMount, ds = str(a)
			in.MountRange = a.Expr.Range()
		case "jwt_auth_path":
			in.JWTAuthPath, ds = str(a)
			in.JWTRange = a.Expr.Range()
		case "workload_policies":
			in.WorkloadPolicies, ds = strList(a)
			in.PoliciesRange = a.Expr.Range()
		}
		diags = append(diags, ds...)
	}
	return in, diags
}

// normalize applies the defaults and checks the values; a nil input is a block that was not written.
func (in *vaultInput) normalize() (Vault, hcl.Diagnostics) {
	if in == nil {
		in = &vaultInput{}
	}
	out := Vault{SecretsMount: DefaultSecretsMount, JWTAuthPath: DefaultJWTAuthPath,
		WorkloadPolicies: []string{DefaultWorkloadPolicy}, DeclRange: in.DeclRange}
	var diags hcl.Diagnostics
	if in.SecretsMount != nil {
		out.SecretsMount = *in.SecretsMount
		diags = append(diags, checkMount("secrets_mount", out.SecretsMount, in.MountRange, "secret")...)
	}
	if in.JWTAuthPath != nil {
		out.JWTAuthPath = *in.JWTAuthPath
		diags = append(diags, checkMount("jwt_auth_path", out.JWTAuthPath, in.JWTRange, "jwt-nomad")...)
	}
	if in.WorkloadPolicies != nil {
		out.WorkloadPolicies = in.WorkloadPolicies
		diags = append(diags, checkPolicies(out.WorkloadPolicies, in.PoliciesRange)...)
	}
	return out, diags
}

package secrets

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	consulapi "github.com/hashicorp/consul/api"
	"github.com/hashicorp/hcl/v2"

	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner/change"
)

// offeringsPrefix is the Consul KV prefix of the offerings catalog.
const offeringsPrefix = "skiff/offerings/"

// Offering is a backing service that apps can bind: where it is and which Vault database connection issues
// credentials for it. Platform operators register offerings (the dev stack registers "postgres").
type Offering struct {
	Name string `json:"name"`
	// Kind is the offering type; "postgres" is the one skiff knows how to render (a postgres:// URL).
	Kind string `json:"kind"`
	// Host, Port and Database are where apps connect.
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Database string `json:"database"`
	// VaultMount is the database secrets engine's mount; VaultConnection its connection config for this
	// service.
	VaultMount      string `json:"vault_mount"`
	VaultConnection string `json:"vault_connection"`
	// CreationStatements create a user in the service ({{name}}, {{password}}, {{expiration}} as Vault
	// expands them); empty means a login role with all privileges on Database.
	CreationStatements []string `json:"creation_statements,omitempty"`
}

// creationStatements returns the statements Vault runs to create a user for o.
func (o *Offering) creationStatements() []string {
	if len(o.CreationStatements) > 0 {
		return o.CreationStatements
	}
	return []string{
		`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`,
		fmt.Sprintf(`GRANT ALL PRIVILEGES ON DATABASE %q TO "{{name}}";`, o.Database),
	}
}

// Offerings reads and writes the offerings catalog in Consul KV (skiff/offerings/<name>).
type Offerings struct {
	KV *consulapi.KV
}

// Put registers or replaces an offering.
func (c *Offerings) Put(ctx context.Context, o *Offering) error {
	b, err := json.Marshal(o)
	if err != nil {
		return err
	}
	_, err = c.KV.Put(&consulapi.KVPair{Key: offeringsPrefix + o.Name, Value: b}, (&consulapi.WriteOptions{}).WithContext(ctx))
	if err != nil {
		return fmt.Errorf("registering offering %q in Consul: %w", o.Name, err)
	}
	return nil
}

// Get returns the named offering, or nil when the catalog has none of that name.
func (c *Offerings) Get(ctx context.Context, name string) (*Offering, error) {
	p, _, err := c.KV.Get(offeringsPrefix+name, (&consulapi.QueryOptions{}).WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("reading offering %q from Consul: %w", name, err)
	}
	if p == nil {
		return nil, nil
	}
	o := &Offering{}
	if err := json.Unmarshal(p.Value, o); err != nil {
		return nil, fmt.Errorf("offering %q in Consul is not valid JSON: %w", name, err)
	}
	return o, nil
}

// Names lists the registered offerings, sorted.
func (c *Offerings) Names(ctx context.Context) ([]string, error) {
	keys, _, err := c.KV.Keys(offeringsPrefix, "/", (&consulapi.QueryOptions{}).WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("listing offerings in Consul: %w", err)
	}
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k[len(offeringsPrefix):])
	}
	sort.Strings(out)
	return out, nil
}

// Resolve returns the offering of each of app's binds, keyed by offering name. Binds to offerings the catalog
// does not have are returned as a *change.DiagnosticsError pointing at their offering argument.
func (c *Offerings) Resolve(ctx context.Context, app *jobspec.App) (map[string]*Offering, error) {
	out := map[string]*Offering{}
	var diags hcl.Diagnostics
	for _, bind := range app.Binds {
		if _, ok := out[bind.Offering]; ok {
			continue
		}
		o, err := c.Get(ctx, bind.Offering)
		if err != nil {
			return nil, err
		}
		if o == nil {
			names, _ := c.Names(ctx)
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unknown offering",
				Detail: fmt.Sprintf("The offerings catalog has no %q (it has: %s). Register it, or bind one of those.",
					bind.Offering, strings.Join(names, ", ")), Subject: bind.OfferingRange.Ptr()})
			continue
		}
		out[bind.Offering] = o
	}
	if diags.HasErrors() {
		return nil, &change.DiagnosticsError{Diags: diags}
	}
	return out, nil
}

// BindTemplate returns the Nomad template that renders bind's credentials for offering o as env vars:
// <P>_URL (a postgres:// URL), <P>_USERNAME, <P>_PASSWORD from Vault, and <P>_HOST, <P>_PORT, <P>_DATABASE.
func BindTemplate(namespace, app string, bind *jobspec.Bind, o *Offering) string {
	p := bind.EnvPrefix
	creds := o.VaultMount + "/creds/" + DBRoleName(namespace, app, bind.Name)
	return fmt.Sprintf(`{{ with secret %q }}%s_URL={{ printf "postgres://%%s:%%s@%s:%d/%s?sslmode=disable" .Data.username .Data.password | toJSON }}
%s_USERNAME={{ .Data.username | toJSON }}
%s_PASSWORD={{ .Data.password | toJSON }}
{{ end }}%s_HOST=%q
%s_PORT=%d
%s_DATABASE=%q
`, creds, p, o.Host, o.Port, o.Database, p, p, p, o.Host, p, o.Port, p, o.Database)
}

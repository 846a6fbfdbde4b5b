package jobspec

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// App is the decoded, normalized and validated app spec: one app "name" { ... } block and everything it
// references. Every field holds its effective value (defaults applied, see docs/spec.md). Ranges point into the
// spec file so that later stages (planner, catalog, secrets, edge) can report problems at the source.
type App struct {
	// Name is the app's DNS-safe name, the label of the app block.
	Name string `json:"name"`
	// Namespace is the Nomad namespace (and Vault policy scope) the app is deployed to.
	Namespace string `json:"namespace"`
	// Datacenters lists the Nomad datacenters the app's jobs may run in.
	Datacenters []string `json:"datacenters"`
	// Image is the app-wide docker image; processes inherit it unless they set their own.
	Image string `json:"image,omitempty"`
	// Artifact is the app-wide artifact URL (for the exec driver); processes inherit it.
	Artifact string `json:"artifact,omitempty"`
	// Driver is the app-wide Nomad task driver: "docker" with Image, "exec" with Artifact.
	Driver string `json:"driver"`
	// Env holds environment variables given to every process (a process's own env wins).
	Env map[string]string `json:"env,omitempty"`
	// Meta holds metadata put on every generated job.
	Meta map[string]string `json:"meta,omitempty"`
	// Constraints restrict placement of every process.
	Constraints []*Constraint `json:"constraints,omitempty"`
	// Processes lists the app's processes of every kind in file order.
	Processes []*Process `json:"processes"`
	// Binds lists the backing services bound to the app, in file order.
	Binds []*Bind `json:"binds,omitempty"`
	// Upstreams lists the Consul Connect upstreams of the app, in file order.
	Upstreams []*Upstream `json:"upstreams,omitempty"`
	// Patch is the app-level escape hatch merged onto every generated job, or nil.
	Patch *Patch `json:"patch,omitempty"`

	// Variables lists the declared variables with their resolved values, in file order. They are not part of
	// SpecHash: only values that reach the model matter.
	Variables []*Variable `json:"-"`
	// Sensitive lists, sorted, the model paths whose values derive from sensitive variables (see SensitivePath).
	Sensitive []string `json:"-"`
	// SpecHash is the hex sha256 of the canonical JSON encoding of the normalized model (this struct without
	// ranges, variables, Sensitive and SpecHash). Formatting, comments, attribute order and the way a value was
	// supplied (literal, variable, local, function) do not change it; any change of an effective value does.
	SpecHash string `json:"-"`

	// DeclRange is the range of the app block header; NameRange the range of its label.
	DeclRange hcl.Range `json:"-"`
	NameRange hcl.Range `json:"-"`
	// ImageRange and ArtifactRange are the ranges of the image and artifact arguments when set.
	ImageRange    hcl.Range `json:"-"`
	ArtifactRange hcl.Range `json:"-"`
	// EnvRanges and MetaRanges map each key of Env and Meta to the source of its entry.
	EnvRanges  map[string]hcl.Range `json:"-"`
	MetaRanges map[string]hcl.Range `json:"-"`
}

// Process returns the process named name, or nil.
func (a *App) Process(name string) *Process {
	for _, p := range a.Processes {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// ProcessesOf returns the processes of kind k in file order (nil when there are none).
func (a *App) ProcessesOf(k ProcessKind) []*Process {
	var out []*Process
	for _, p := range a.Processes {
		if p.Kind == k {
			out = append(out, p)
		}
	}
	return out
}

// IsSensitive reports whether the value at the model path derives from a sensitive variable. Paths are
// "env.KEY", "meta.KEY", "image" and so on for app arguments, "<kind>.<process>.<argument>[.KEY|[i]]" for process
// arguments (such as "web.api.env.TOKEN" or "worker.w.command[1]"), "bind.<name>.params.KEY" and
// "upstream.<name>.<argument>" for binds and upstreams. A path is also sensitive when a prefix of it is.
func (a *App) IsSensitive(path string) bool {
	for _, s := range a.Sensitive {
		if path == s || strings.HasPrefix(path, s+".") || strings.HasPrefix(path, s+"[") {
			return true
		}
	}
	return false
}

// appInput is the decoded app block before normalization: nil pointers mean "not set".
type appInput struct {
	Name                  string
	DeclRange, NameRange  hcl.Range
	Namespace             *string
	NamespaceRange        hcl.Range
	Datacenters           []string
	Image, Artifact       *string
	Driver                *string
	ImageRange            hcl.Range
	ArtifactRange         hcl.Range
	DriverRange           hcl.Range
	Env, Meta             map[string]string
	EnvRanges, MetaRanges map[string]hcl.Range
	Constraints           []*constraintInput
	Processes             []*processInput
	Binds                 []*bindInput
	Upstreams             []*upstreamInput
	Patch                 *Patch
}

var appBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "namespace"},
		{Name: "datacenters"},
		{Name: "image"},
		{Name: "artifact"},
		{Name: "driver"},
		{Name: "env"},
		{Name: "meta"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "web", LabelNames: []string{"name"}},
		{Type: "worker", LabelNames: []string{"name"}},
		{Type: "cron", LabelNames: []string{"name"}},
		{Type: "function", LabelNames: []string{"name"}},
		{Type: "release", LabelNames: []string{"name"}},
		{Type: "system", LabelNames: []string{"name"}},
		{Type: "bind", LabelNames: []string{"name"}},
		{Type: "upstream", LabelNames: []string{"name"}},
		{Type: "constraint"},
		{Type: "patch"},
	},
}

// decodeAppBlock decodes an app block into an appInput. It returns a partial input alongside errors.
func decodeAppBlock(d *decoder, block *hcl.Block) (*appInput, hcl.Diagnostics) {
	in := &appInput{Name: block.Labels[0], DeclRange: block.DefRange, NameRange: block.LabelRanges[0]}
	c, diags := content(block.Body, appBlockSchema, "app")
	if c == nil {
		return in, diags
	}
	var ds hcl.Diagnostics
	if a := c.Attributes["namespace"]; a != nil {
		in.Namespace, ds = d.str(a, "namespace")
		in.NamespaceRange = a.Expr.Range()
		diags = append(diags, ds...)
	}
	if a := c.Attributes["datacenters"]; a != nil {
		in.Datacenters, ds = d.strList(a, "datacenters")
		diags = append(diags, ds...)
	}
	if a := c.Attributes["image"]; a != nil {
		in.Image, ds = d.str(a, "image")
		in.ImageRange = a.Expr.Range()
		diags = append(diags, ds...)
	}
	if a := c.Attributes["artifact"]; a != nil {
		in.Artifact, ds = d.str(a, "artifact")
		in.ArtifactRange = a.Expr.Range()
		diags = append(diags, ds...)
	}
	if a := c.Attributes["driver"]; a != nil {
		in.Driver, ds = d.str(a, "driver")
		in.DriverRange = a.Expr.Range()
		diags = append(diags, ds...)
	}
	if a := c.Attributes["env"]; a != nil {
		in.Env, ds = d.strMap(a, "env")
		in.EnvRanges = keyRanges(a.Expr, in.Env)
		diags = append(diags, ds...)
	}
	if a := c.Attributes["meta"]; a != nil {
		in.Meta, ds = d.strMap(a, "meta")
		in.MetaRanges = keyRanges(a.Expr, in.Meta)
		diags = append(diags, ds...)
	}
	patch, ds := singleBlock(c, "patch")
	diags = append(diags, ds...)
	if patch != nil {
		in.Patch, ds = decodePatchBlock(d, patch, "patch")
		diags = append(diags, ds...)
	}
	for _, b := range c.Blocks {
		switch b.Type {
		case "web", "worker", "cron", "function", "release", "system":
			p, ds := decodeProcessBlock(d, b)
			in.Processes = append(in.Processes, p)
			diags = append(diags, ds...)
		case "bind":
			bi, ds := decodeBindBlock(d, b)
			in.Binds = append(in.Binds, bi)
			diags = append(diags, ds...)
		case "upstream":
			u, ds := decodeUpstreamBlock(d, b)
			in.Upstreams = append(in.Upstreams, u)
			diags = append(diags, ds...)
		case "constraint":
			ci, ds := decodeConstraintBlock(d, b, "constraint")
			in.Constraints = append(in.Constraints, ci)
			diags = append(diags, ds...)
		}
	}
	return in, diags
}

// keyRanges maps every key of m to the range of its entry in expr.
func keyRanges(expr hcl.Expression, m map[string]string) map[string]hcl.Range {
	if m == nil {
		return nil
	}
	out := make(map[string]hcl.Range, len(m))
	for k := range m {
		out[k] = itemRange(expr, k)
	}
	return out
}

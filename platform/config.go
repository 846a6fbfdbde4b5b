package platform

import (
	"fmt"
	"os"

	"github.com/hashicorp/hcl/v2"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/skiffpaas/skiff/internal/hclhint"
	"github.com/zclconf/go-cty/cty"
)

// FileName is the conventional name of the platform config file.
const FileName = "skiff-server.hcl"

// Config is a platform's settings with every default applied. The zero value is not useful: get one from
// Default, Parse, ParseFile or Load. It round-trips through JSON (the form Publish writes), ranges aside.
type Config struct {
	// Fabio says where Fabio keeps manual routes and where it listens.
	Fabio Fabio `json:"fabio"`
	// Vault says how skiff uses Vault when VAULT_ADDR is set.
	Vault Vault `json:"vault"`
	// Connect configures the Consul Connect mesh of the compiled jobs.
	Connect Connect `json:"connect"`
}

// fileInput is a decoded config file before normalization; a nil block was not written.
type fileInput struct {
	Fabio   *fabioInput
	Vault   *vaultInput
	Connect *connectInput
}

var fileSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{{Type: "fabio"}, {Type: "vault"}, {Type: "connect"}},
}

// namedSchema is the schema of one context (block type) of the language.
type namedSchema = hclhint.NamedSchema

// schemaIndex lists the schema of every context, the top level ("file") first. Hints use it to say where a
// misplaced name belongs; the documentation test checks docs/platform.md against it.
func schemaIndex() []namedSchema {
	return []namedSchema{
		{Name: "file", Schema: fileSchema},
		{Name: "fabio", Schema: fabioBlockSchema},
		{Name: "vault", Schema: vaultBlockSchema},
		{Name: "connect", Schema: connectBlockSchema},
		{Name: "builtin_proxy", Schema: builtinProxyBlockSchema},
	}
}

// Default returns the settings of a platform that wrote none: Fabio's own defaults, the Vault layout of the dev
// stack and `nomad setup vault`, and Nomad's Envoy sidecars. Each call returns a new value.
func Default() *Config {
	cfg, _ := (&fileInput{}).normalize()
	return cfg
}

// Parse parses src, the HCL text of a platform config file named filename in diagnostics. The config is nil
// when the diagnostics have errors.
func Parse(src []byte, filename string) (*Config, hcl.Diagnostics) {
	f, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, diags
	}
	return decodeBody(f.Body, diags)
}

// ParseFile reads and parses the platform config file at path. A file that cannot be read is reported as a
// diagnostic without a source range.
func ParseFile(path string) (*Config, hcl.Diagnostics) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read the platform config",
			Detail:   fmt.Sprintf("%v. Check the path given as the platform config (SKIFF_PLATFORM_CONFIG, -config).", err),
		}}
	}
	return Parse(src, path)
}

// parseJSON parses the JSON form that Publish writes; name stands for its source in diagnostics.
func parseJSON(src []byte, name string) (*Config, hcl.Diagnostics) {
	f, diags := hcljson.Parse(src, name)
	if diags.HasErrors() {
		return nil, diags
	}
	return decodeBody(f.Body, diags)
}

// decodeBody decodes the top level of a config, then normalizes every block. diags are earlier diagnostics
// (warnings of the parser) to keep.
func decodeBody(body hcl.Body, diags hcl.Diagnostics) (*Config, hcl.Diagnostics) {
	c, ds := content(body, fileSchema, "file")
	diags = append(diags, ds...)
	if c == nil {
		return nil, diags
	}
	in := &fileInput{}
	if b, ds := singleBlock(c, "fabio"); b != nil {
		diags = append(diags, ds...)
		in.Fabio, ds = decodeFabioBlock(b)
		diags = append(diags, ds...)
	}
	if b, ds := singleBlock(c, "vault"); b != nil {
		diags = append(diags, ds...)
		in.Vault, ds = decodeVaultBlock(b)
		diags = append(diags, ds...)
	}
	if b, ds := singleBlock(c, "connect"); b != nil {
		diags = append(diags, ds...)
		in.Connect, ds = decodeConnectBlock(b)
		diags = append(diags, ds...)
	}
	if diags.HasErrors() {
		return nil, diags
	}
	cfg, ds := in.normalize()
	if diags = append(diags, ds...); diags.HasErrors() {
		return nil, diags
	}
	return cfg, diags
}

// normalize turns the input into the model, applying every default and checking every value.
func (in *fileInput) normalize() (*Config, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	cfg := &Config{}
	var ds hcl.Diagnostics
	cfg.Fabio, ds = in.Fabio.normalize()
	diags = append(diags, ds...)
	cfg.Vault, ds = in.Vault.normalize()
	diags = append(diags, ds...)
	cfg.Connect, ds = in.Connect.normalize()
	return cfg, append(diags, ds...)
}

// HCL returns cfg as the text of a platform config file that Parse reads back to the same settings. Every
// setting is written, defaults included, so that the file shows what the platform uses.
func (cfg *Config) HCL() []byte {
	f := hclwrite.NewEmptyFile()
	root := f.Body()

	fabio := root.AppendNewBlock("fabio", nil).Body()
	fabio.SetAttributeValue("kv_path", cty.StringVal(cfg.Fabio.KVPath))
	fabio.SetAttributeValue("proxy_addr", cty.StringVal(cfg.Fabio.ProxyAddr))
	fabio.SetAttributeValue("ui_addr", cty.StringVal(cfg.Fabio.UIAddr))
	root.AppendNewline()

	vault := root.AppendNewBlock("vault", nil).Body()
	vault.SetAttributeValue("secrets_mount", cty.StringVal(cfg.Vault.SecretsMount))
	vault.SetAttributeValue("jwt_auth_path", cty.StringVal(cfg.Vault.JWTAuthPath))
	policies := cty.ListValEmpty(cty.String)
	if len(cfg.Vault.WorkloadPolicies) > 0 {
		var vs []cty.Value
		for _, p := range cfg.Vault.WorkloadPolicies {
			vs = append(vs, cty.StringVal(p))
		}
		policies = cty.ListVal(vs)
	}
	vault.SetAttributeValue("workload_policies", policies)
	root.AppendNewline()

	connect := root.AppendNewBlock("connect", nil).Body()
	connect.SetAttributeValue("mesh", cty.BoolVal(cfg.Connect.Mesh))
	if bp := cfg.Connect.BuiltinProxy; bp != nil {
		b := connect.AppendNewBlock("builtin_proxy", nil).Body()
		b.SetAttributeValue("launcher", cty.StringVal(bp.Launcher))
		b.SetAttributeValue("consul", cty.StringVal(bp.Consul))
		b.SetAttributeValue("consul_addr", cty.StringVal(bp.ConsulAddr))
	}
	return hclwrite.Format(f.Bytes())
}

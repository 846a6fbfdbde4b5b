package jobspec

import (
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Health is the health check of a service process (a Consul check registered by Nomad).
type Health struct {
	// Type is "http", "tcp" or "grpc".
	Type string `json:"type"`
	// Path is the HTTP path checked (http only).
	Path string `json:"path,omitempty"`
	// Port names the port checked (a Port.Name of the process).
	Port string `json:"port"`
	// Interval is the time between checks; Timeout bounds one check.
	Interval time.Duration `json:"interval"`
	Timeout  time.Duration `json:"timeout"`
	// CheckRestart restarts the task after failed checks; nil disables restarts.
	CheckRestart *CheckRestart `json:"check_restart,omitempty"`

	// DeclRange is the block header (or the process header for the default check); PortRange the port argument.
	DeclRange hcl.Range `json:"-"`
	PortRange hcl.Range `json:"-"`
}

// CheckRestart restarts a task whose health check keeps failing (Nomad's check_restart).
type CheckRestart struct {
	// Limit is the number of consecutive failures that trigger a restart; Grace the time after a start during
	// which failures are ignored.
	Limit int           `json:"limit"`
	Grace time.Duration `json:"grace"`
	// DeclRange is the check_restart block header.
	DeclRange hcl.Range `json:"-"`
}

// healthInput is a decoded health block before normalization.
type healthInput struct {
	DeclRange            hcl.Range
	Type, Path, Port     *string
	TypeRange, PathRange hcl.Range
	PortRange            hcl.Range
	Interval, Timeout    *time.Duration
	IntervalRange        hcl.Range
	TimeoutRange         hcl.Range
	CheckRestart         bool
	CheckRestartRange    hcl.Range
	RestartLimit         *int
	RestartLimitRange    hcl.Range
	RestartGrace         *time.Duration
	RestartGraceRange    hcl.Range
}

var healthBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type"},
		{Name: "path"},
		{Name: "port"},
		{Name: "interval"},
		{Name: "timeout"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "check_restart"}},
}

// checkRestartBlockSchema is the schema of the check_restart block nested in health (kept here: it has no
// meaning outside a health block).
var checkRestartBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "limit"},
		{Name: "grace"},
	},
}

// decodeHealthBlock decodes a health block and its optional check_restart block.
func decodeHealthBlock(d *decoder, block *hcl.Block, path string) (*healthInput, hcl.Diagnostics) {
	in := &healthInput{DeclRange: block.DefRange}
	c, diags := content(block.Body, healthBlockSchema, "health")
	if c == nil {
		return in, diags
	}
	var ds hcl.Diagnostics
	for _, name := range sortedKeys(c.Attributes) {
		a := c.Attributes[name]
		switch name {
		case "type":
			in.Type, ds = d.str(a, path+".type")
			in.TypeRange = a.Expr.Range()
		case "path":
			in.Path, ds = d.str(a, path+".path")
			in.PathRange = a.Expr.Range()
		case "port":
			in.Port, ds = d.str(a, path+".port")
			in.PortRange = a.Expr.Range()
		case "interval":
			in.Interval, ds = d.duration(a, path+".interval", false)
			in.IntervalRange = a.Expr.Range()
		case "timeout":
			in.Timeout, ds = d.duration(a, path+".timeout", false)
			in.TimeoutRange = a.Expr.Range()
		}
		diags = append(diags, ds...)
	}
	cr, ds := singleBlock(c, "check_restart")
	diags = append(diags, ds...)
	if cr == nil {
		return in, diags
	}
	in.CheckRestart, in.CheckRestartRange = true, cr.DefRange
	cc, ds := content(cr.Body, checkRestartBlockSchema, "check_restart")
	diags = append(diags, ds...)
	if cc == nil {
		return in, diags
	}
	if a := cc.Attributes["limit"]; a != nil {
		in.RestartLimit, ds = d.int(a, path+".check_restart.limit")
		in.RestartLimitRange = a.Expr.Range()
		diags = append(diags, ds...)
	}
	if a := cc.Attributes["grace"]; a != nil {
		in.RestartGrace, ds = d.duration(a, path+".check_restart.grace", true)
		in.RestartGraceRange = a.Expr.Range()
		diags = append(diags, ds...)
	}
	return in, diags
}

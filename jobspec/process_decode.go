package jobspec

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/gocty"
)

// decodeProcessBlock decodes a web, worker, cron, function, release or system block. Arguments and blocks the
// kind does not accept are reported (see kindAllows) and skipped.
func decodeProcessBlock(d *decoder, block *hcl.Block) (*processInput, hcl.Diagnostics) {
	kind := ProcessKind(block.Type)
	in := &processInput{Kind: kind, Name: block.Labels[0], DeclRange: block.DefRange, NameRange: block.LabelRanges[0]}
	path := string(kind) + "." + in.Name + "."
	c, diags := content(block.Body, processBlockSchema, string(kind))
	if c == nil {
		return in, diags
	}
	diags = append(diags, checkKind(kind, c)...)
	var ds hcl.Diagnostics
	str := func(name string, dst **string, rng *hcl.Range) {
		if a := c.Attributes[name]; a != nil {
			*dst, ds = d.str(a, path+name)
			*rng = a.Expr.Range()
			diags = append(diags, ds...)
		}
	}
	str("image", &in.Image, &in.ImageRange)
	str("artifact", &in.Artifact, &in.ArtifactRange)
	str("driver", &in.Driver, &in.DriverRange)
	str("schedule", &in.Schedule, &in.ScheduleRange)
	str("time_zone", &in.TimeZone, &in.TimeZoneRange)
	str("payload", &in.Payload, &in.PayloadRange)
	if a := c.Attributes["command"]; a != nil {
		in.Command, ds = d.strList(a, path+"command")
		diags = append(diags, ds...)
	}
	if a := c.Attributes["env"]; a != nil {
		in.Env, ds = d.strMap(a, path+"env")
		in.EnvRanges = keyRanges(a.Expr, in.Env)
		diags = append(diags, ds...)
	}
	if a := c.Attributes["meta"]; a != nil {
		in.Meta, ds = d.strMap(a, path+"meta")
		in.MetaRanges = keyRanges(a.Expr, in.Meta)
		diags = append(diags, ds...)
	}
	if a := c.Attributes["count"]; a != nil {
		in.Count, ds = d.int(a, path+"count")
		in.CountRange = a.Expr.Range()
		diags = append(diags, ds...)
	}
	if a := c.Attributes["prohibit_overlap"]; a != nil {
		in.ProhibitOverlap, ds = d.bool(a, path+"prohibit_overlap")
		diags = append(diags, ds...)
	}
	if a := c.Attributes["meta_required"]; a != nil {
		in.MetaRequired, ds = d.strList(a, path+"meta_required")
		in.MetaRequiredRange = a.Expr.Range()
		diags = append(diags, ds...)
	}
	if a := c.Attributes["meta_optional"]; a != nil {
		in.MetaOptional, ds = d.strList(a, path+"meta_optional")
		in.MetaOptionalRange = a.Expr.Range()
		diags = append(diags, ds...)
	}
	if a := c.Attributes["shutdown_delay"]; a != nil {
		in.ShutdownDelay, ds = d.duration(a, path+"shutdown_delay", true)
		in.ShutdownDelayRange = a.Expr.Range()
		diags = append(diags, ds...)
	}
	if a := c.Attributes["timeout"]; a != nil {
		in.Timeout, ds = d.duration(a, path+"timeout", false)
		in.TimeoutRange = a.Expr.Range()
		diags = append(diags, ds...)
	}
	in.Ports, ds = decodePorts(d, kind, c, path)
	diags = append(diags, ds...)

	for _, typ := range []string{"health", "resources", "rollout", "autoscale", "patch"} {
		b, ds := singleBlock(c, typ)
		diags = append(diags, ds...)
		if b == nil {
			continue
		}
		switch typ {
		case "health":
			in.Health, ds = decodeHealthBlock(d, b, path+"health")
		case "resources":
			in.Resources, ds = decodeResourcesBlock(d, b, path+"resources")
		case "rollout":
			in.Rollout, ds = decodeRolloutBlock(d, b, path+"rollout")
		case "autoscale":
			in.Autoscale, ds = decodeAutoscaleBlock(d, b, path+"autoscale")
		case "patch":
			in.Patch, ds = decodePatchBlock(d, b, path+"patch")
		}
		diags = append(diags, ds...)
	}
	for _, b := range c.Blocks {
		switch b.Type {
		case "route":
			r, ds := decodeRouteBlock(d, b, fmt.Sprintf("%sroute[%d]", path, len(in.Routes)))
			in.Routes = append(in.Routes, r)
			diags = append(diags, ds...)
		case "volume":
			v, ds := decodeVolumeBlock(d, b, path+"volume."+b.Labels[0])
			in.Volumes = append(in.Volumes, v)
			diags = append(diags, ds...)
		case "constraint":
			ci, ds := decodeConstraintBlock(d, b, fmt.Sprintf("%sconstraint[%d]", path, len(in.Constraints)))
			in.Constraints = append(in.Constraints, ci)
			diags = append(diags, ds...)
		}
	}
	return in, diags
}

// decodePorts reads port = N (the primary port) and ports = { name = N } into a list with the primary first.
func decodePorts(d *decoder, kind ProcessKind, c *hcl.BodyContent, path string) ([]*Port, hcl.Diagnostics) {
	var ports []*Port
	var diags hcl.Diagnostics
	if a := c.Attributes["port"]; a != nil {
		n, ds := d.int(a, path+"port")
		diags = append(diags, ds...)
		if n != nil {
			name := "main"
			if kind == KindWeb {
				name = "http"
			}
			ports = append(ports, &Port{Name: name, Number: *n, Range: a.Expr.Range()})
		}
	}
	if a := c.Attributes["ports"]; a != nil {
		v, ds := d.value(a, cty.Map(cty.Number), path+"ports")
		diags = append(diags, ds...)
		if !ds.HasErrors() && !v.IsNull() {
			for it := v.ElementIterator(); it.Next(); {
				k, ev := it.Element()
				name := k.AsString()
				rng := itemRange(a.Expr, name)
				var n int
				if ev.IsNull() || gocty.FromCtyValue(ev, &n) != nil {
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagError,
						Summary:  "Invalid port",
						Detail:   fmt.Sprintf("Port %q must be a whole number between 1 and 65535.", name),
						Subject:  rng.Ptr(),
					})
					continue
				}
				ports = append(ports, &Port{Name: name, Number: n, Range: rng})
			}
		}
	}
	return ports, diags
}

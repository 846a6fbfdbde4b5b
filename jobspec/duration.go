package jobspec

import (
	"fmt"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// duration evaluates a duration attribute written as a Go duration string ("10s", "1m30s"). Negative values are
// errors; zero is allowed only when allowZero. nil means null/unset.
func (d *decoder) duration(attr *hcl.Attribute, path string, allowZero bool) (*time.Duration, hcl.Diagnostics) {
	s, diags := d.str(attr, path)
	if s == nil {
		return nil, diags
	}
	dur, err := time.ParseDuration(*s)
	if err != nil {
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid duration",
			Detail:   fmt.Sprintf("The value of %q must be a duration such as \"500ms\", \"10s\" or \"1m30s\" (units ns, us, ms, s, m, h).", attr.Name),
			Subject:  attr.Expr.Range().Ptr(),
		})
	}
	if dur < 0 || (dur == 0 && !allowZero) {
		want := "positive"
		if allowZero {
			want = "zero or positive"
		}
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid duration",
			Detail:   fmt.Sprintf("The value of %q must be %s.", attr.Name, want),
			Subject:  attr.Expr.Range().Ptr(),
		})
	}
	return &dur, diags
}

// kindAllows reports whether a process of kind k accepts the argument or block name, and if not, why.
func kindAllows(k ProcessKind, name string) (bool, string) {
	switch name {
	case "route":
		return k == KindWeb, "Only web processes are routed. Declare the process as web \"name\" { ... } to receive HTTP traffic, or remove the route."
	case "health":
		return k.IsService(), "Health checks apply to web, worker and system processes; cron, function and release processes run to completion."
	case "rollout":
		return k.IsService(), "Only web, worker and system processes are rolled out; cron, function and release processes always run the current release."
	case "autoscale":
		return k == KindWeb || k == KindWorker, "Only web and worker processes can be autoscaled."
	case "count":
		if k == KindRelease {
			return false, "A release process runs exactly once per release; remove count."
		}
		return k != KindSystem, "A system process runs one instance on every eligible node; remove count, or use a worker."
	case "port", "ports":
		return k.IsService(), "Only web, worker and system processes listen on ports."
	case "shutdown_delay":
		return k.IsService(), "shutdown_delay applies to service processes (web, worker, system)."
	case "schedule", "time_zone", "prohibit_overlap":
		return k == KindCron, fmt.Sprintf("%s applies to cron processes only.", name)
	case "payload", "meta_required", "meta_optional":
		return k == KindFunction, fmt.Sprintf("%s applies to function processes only.", name)
	case "timeout":
		return k == KindRelease, "timeout applies to release processes only; service health checks take their own timeout."
	}
	return true, ""
}

// checkKind reports the arguments and blocks in c that the process kind does not accept.
func checkKind(k ProcessKind, c *hcl.BodyContent) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, name := range sortedKeys(c.Attributes) {
		if ok, why := kindAllows(k, name); !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Argument not valid for a %s process", k),
				Detail:   fmt.Sprintf("The argument %q is not valid in a %s process. %s", name, k, why),
				Subject:  c.Attributes[name].NameRange.Ptr(),
			})
			delete(c.Attributes, name)
		}
	}
	kept := c.Blocks[:0]
	for _, b := range c.Blocks {
		if ok, why := kindAllows(k, b.Type); !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  fmt.Sprintf("Block not valid for a %s process", k),
				Detail:   fmt.Sprintf("A %s block is not valid in a %s process. %s", b.Type, k, why),
				Subject:  b.TypeRange.Ptr(),
			})
			continue
		}
		kept = append(kept, b)
	}
	c.Blocks = kept
	return diags
}

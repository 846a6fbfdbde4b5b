package jobspec

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"

	"github.com/hashicorp/hcl/v2"
)

// validateHealth checks the health check of a service process.
func validateHealth(p *processInput) hcl.Diagnostics {
	var diags hcl.Diagnostics
	h := p.Health
	switch *h.Type {
	case "http", "tcp", "grpc":
	default:
		return append(diags, errAt(h.TypeRange, "Invalid health check type", "type must be \"http\", \"tcp\" or \"grpc\"."))
	}
	if *h.Path != "" && *h.Type != "http" {
		diags = append(diags, errAt(h.PathRange, "Path needs an http check", fmt.Sprintf("A %s check has no path: remove path, or set type = \"http\".", *h.Type)))
	}
	if *h.Type == "http" && !strings.HasPrefix(*h.Path, "/") {
		diags = append(diags, errAt(orRange(h.PathRange, h.DeclRange), "Invalid health check path", "path must start with \"/\", such as \"/healthz\"."))
	}
	if len(p.Ports) == 0 {
		diags = append(diags, errAt(h.DeclRange, "Health check needs a port", "Declare the port the process listens on (port = 8080) so that it can be checked."))
	} else if *h.Port != "" {
		found := false
		for _, port := range p.Ports {
			found = found || port.Name == *h.Port
		}
		if !found {
			diags = append(diags, errAt(orRange(h.PortRange, h.DeclRange), "Unknown port",
				fmt.Sprintf("The process has no port named %q; use %q or a key of ports.", *h.Port, p.Ports[0].Name)))
		}
	}
	if *h.Interval < minCheckDuration {
		diags = append(diags, errAt(orRange(h.IntervalRange, h.DeclRange), "Health check interval too short",
			fmt.Sprintf("Nomad runs checks at most once a second; set interval to at least 1s (it is %s).", *h.Interval)))
	}
	if *h.Timeout < minCheckDuration {
		diags = append(diags, errAt(orRange(h.TimeoutRange, h.DeclRange), "Health check timeout too short",
			fmt.Sprintf("Nomad requires a check timeout of at least 1s; set timeout to 1s or more (it is %s).", *h.Timeout)))
	}
	if *h.Interval >= minCheckDuration && *h.Timeout > *h.Interval {
		diags = append(diags, warnAt(orRange(h.TimeoutRange, h.DeclRange), "Health check timeout above interval",
			fmt.Sprintf("The timeout (%s) is longer than the interval (%s), so checks can overlap; use a timeout no longer than the interval.", *h.Timeout, *h.Interval)))
	}
	if h.CheckRestart && *h.RestartLimit < 1 {
		diags = append(diags, errAt(orRange(h.RestartLimitRange, h.CheckRestartRange), "Invalid check_restart limit",
			"limit is the number of failed checks before a restart and must be at least 1; remove check_restart to never restart."))
	}
	return diags
}

// validateRollout checks the rollout settings of a service process.
func validateRollout(p *processInput) hcl.Diagnostics {
	var diags hcl.Diagnostics
	r := p.Rollout
	switch *r.Strategy {
	case "rolling":
		if *r.Canary > 0 {
			diags = append(diags, errAt(r.StrategyRange, "Conflicting rollout strategy", "A rolling rollout has no canaries: remove canary, or set strategy = \"canary\"."))
		}
	case "canary":
		if p.Kind == KindSystem {
			diags = append(diags, errAt(orRange(r.CanaryRange, r.StrategyRange), "Canary not supported for system processes",
				"Nomad runs system jobs on every node and cannot run canaries for them; use a rolling rollout."))
		}
	default:
		diags = append(diags, errAt(r.StrategyRange, "Invalid rollout strategy", "strategy must be \"rolling\" or \"canary\"."))
	}
	if *r.Canary < 0 {
		diags = append(diags, errAt(r.CanaryRange, "Invalid canary count", "canary must be 0 or more."))
	}
	if *r.MaxParallel < 1 {
		diags = append(diags, errAt(orRange(r.MaxParallelRange, r.DeclRange), "Invalid max_parallel", "max_parallel must be at least 1."))
	}
	if *r.AutoPromote && *r.Canary == 0 {
		diags = append(diags, errAt(r.AutoPromoteRange, "Auto-promote without canary",
			"auto_promote promotes canaries, and this rollout has none: set canary = 1 (or more), or remove auto_promote."))
	}
	switch w := *r.CanaryWeight; {
	case r.WeightRange == (hcl.Range{}):
	case p.Kind != KindWeb:
		diags = append(diags, errAt(r.WeightRange, "Canary weight without routes",
			fmt.Sprintf("canary_weight is the share of routed traffic sent to canaries, and %s processes have no routes: remove canary_weight.", p.Kind)))
	case w < 0 || w > 100:
		diags = append(diags, errAt(r.WeightRange, "Invalid canary weight",
			"canary_weight is a percentage of the traffic, from 0 (spread evenly over all instances) to 100 (canaries only)."))
	case w > 0 && *r.Canary == 0:
		diags = append(diags, errAt(r.WeightRange, "Canary weight without canary",
			"canary_weight steers traffic to canaries, and this rollout has none: set canary = 1 (or more), or remove canary_weight."))
	}
	if *r.MinHealthyTime >= *r.HealthyDeadline {
		diags = append(diags, errAt(orRange(r.MinHealthyRange, orRange(r.DeadlineRange, r.DeclRange)), "Invalid rollout deadlines",
			fmt.Sprintf("min_healthy_time (%s) must be shorter than healthy_deadline (%s).", *r.MinHealthyTime, *r.HealthyDeadline)))
	}
	if *r.HealthyDeadline >= *r.Progress {
		diags = append(diags, errAt(orRange(r.ProgressRng, orRange(r.DeadlineRange, r.DeclRange)), "Invalid rollout deadlines",
			fmt.Sprintf("healthy_deadline (%s) must be shorter than progress_deadline (%s).", *r.HealthyDeadline, *r.Progress)))
	}
	return diags
}

// validateAutoscale checks min <= count <= max and the targets.
func validateAutoscale(p *processInput) hcl.Diagnostics {
	var diags hcl.Diagnostics
	a := p.Autoscale
	if *a.Min < 0 {
		diags = append(diags, errAt(a.MinRange, "Invalid autoscale range", "min must be 0 or more."))
	}
	if *a.Max < 1 || *a.Max < *a.Min {
		return append(diags, errAt(orRange(a.MaxRange, a.DeclRange), "Invalid autoscale range",
			fmt.Sprintf("max (%d) must be at least 1 and at least min (%d).", *a.Max, *a.Min)))
	}
	if *p.Count < *a.Min || *p.Count > *a.Max {
		diags = append(diags, errAt(orRange(p.CountRange, a.DeclRange), "Count outside autoscale range",
			fmt.Sprintf("count (%d) is the starting instance count and must lie between autoscale min (%d) and max (%d).", *p.Count, *a.Min, *a.Max)))
	}
	for _, t := range []struct {
		v   int
		rng hcl.Range
	}{{*a.CPU, a.CPURange}, {*a.Mem, a.MemRange}} {
		if t.v < 0 || t.v > 100 {
			diags = append(diags, errAt(t.rng, "Invalid autoscale target", "Targets are average utilization in percent, between 1 and 100."))
		}
	}
	if *a.CPU == 0 && *a.Mem == 0 && a.Policy == nil {
		diags = append(diags, errAt(a.DeclRange, "Missing autoscale target", "Set cpu or memory (target utilization in percent), or a policy."))
	}
	return diags
}

// validateRoute checks one route's host, path and redirect.
func validateRoute(r *routeInput) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if h := *r.Host; h != "" {
		switch {
		case strings.Contains(h, "://"):
			diags = append(diags, errAt(r.HostRange, "Invalid route host", "host is a host name only: drop the scheme (use https_only to force HTTPS)."))
		case strings.Contains(h, ":"):
			diags = append(diags, errAt(r.HostRange, "Port in route host", "The router listens on its own ports and sends traffic to the web process's port: remove the port from host."))
		case strings.Contains(h, "/"):
			diags = append(diags, errAt(r.HostRange, "Invalid route host", "host must not contain a path: put the path in path = \"/...\"."))
		case !hostPattern.MatchString(h) || len(h) > 253:
			diags = append(diags, errAt(r.HostRange, "Invalid route host", fmt.Sprintf("%q is not a valid lowercase host name (a leading \"*.\" wildcard is allowed).", h)))
		}
	}
	if p := *r.Path; !strings.HasPrefix(p, "/") || strings.ContainsAny(p, " \t\n?#") {
		diags = append(diags, errAt(r.PathRange, "Invalid route path", "path must start with \"/\" and contain no spaces, query or fragment."))
	} else if i := strings.IndexAny(p, routePathSpecial); i >= 0 || strings.IndexFunc(p, unicode.IsControl) >= 0 {
		diags = append(diags, errAt(r.PathRange, "Invalid route path", fmt.Sprintf(
			"path may not contain any of %s: the router reads them as glob patterns or variables.", routePathSpecial)))
	}
	if *r.HTTPSOnly {
		switch {
		case r.Redirect != nil:
			diags = append(diags, warnAt(r.DeclRange, "https_only has no effect on a redirect",
				"A redirect route answers every request with a redirect; remove https_only, or make the redirect URL https."))
		case *r.Host == "":
			diags = append(diags, errAt(r.DeclRange, "HTTPS-only route needs a host",
				"The router (Fabio) tells plain-HTTP requests apart by host name (host:80), so an https_only route must set host."))
		}
	}
	if r.Redirect != nil {
		u, err := url.Parse(*r.Redirect)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			diags = append(diags, errAt(r.RedirectRange, "Invalid redirect", "redirect must be an absolute http or https URL, such as \"https://www.example.com/\"."))
		} else if strings.ContainsAny(*r.Redirect, ", \t\n\"") {
			diags = append(diags, errAt(r.RedirectRange, "Invalid redirect",
				"The router's redirect option cannot carry commas, spaces or quotes: percent-encode them (%2C, %20, %22)."))
		}
		switch *r.RedirectCode {
		case 301, 302, 303, 307, 308:
		default:
			diags = append(diags, errAt(r.CodeRange, "Invalid redirect code", "redirect_code must be 301, 302, 303, 307 or 308."))
		}
	} else if r.CodeRange != (hcl.Range{}) {
		diags = append(diags, errAt(r.CodeRange, "Redirect code without redirect", "Set redirect to the target URL, or remove redirect_code."))
	}
	return diags
}

// routePathSpecial are the characters Fabio gives a meaning in a route path: glob patterns (its route table
// compiles every path as a glob) and $VAR expansion (it expands route tags against its environment).
const routePathSpecial = "*[]{}$\\\""

// validateRouteSet rejects two routes of the app with the same host and path.
func validateRouteSet(in *appInput) hcl.Diagnostics {
	var diags hcl.Diagnostics
	seen := map[string]*routeInput{}
	for _, p := range in.Processes {
		for _, r := range p.Routes {
			key := *r.Host + *r.Path
			if prev, dup := seen[key]; dup {
				diags = append(diags, errAt(r.DeclRange, "Duplicate route", fmt.Sprintf(
					"Another route (at %s) already matches host %q and path %q; the router could not tell them apart.", prev.DeclRange, *r.Host, *r.Path)))
				continue
			}
			seen[key] = r
		}
	}
	return append(diags, validateHTTPSOnlyCover(in)...)
}

// validateHTTPSOnlyCover warns about a route that an https_only route of the same host with a shorter path
// covers: the router matches the host first, so its HTTP-to-HTTPS redirect for the shorter path catches the
// longer route's plain-HTTP requests too.
func validateHTTPSOnlyCover(in *appInput) hcl.Diagnostics {
	var all []*routeInput
	for _, p := range in.Processes {
		all = append(all, p.Routes...)
	}
	var diags hcl.Diagnostics
	for _, r := range all {
		if *r.HTTPSOnly || r.Redirect != nil || *r.Host == "" {
			continue
		}
		for _, s := range all {
			if s == r || !*s.HTTPSOnly || s.Redirect != nil || *s.Host != *r.Host || !strings.HasPrefix(*r.Path, *s.Path) {
				continue
			}
			diags = append(diags, warnAt(r.DeclRange, "Route covered by https_only", fmt.Sprintf(
				"Plain-HTTP requests for %s%s are redirected to HTTPS by the https_only route at %s, whose path %q is a prefix of this one: the router matches the host first. Set https_only here too, or remove it there.",
				*r.Host, *r.Path, s.DeclRange, *s.Path)))
			break
		}
	}
	return diags
}

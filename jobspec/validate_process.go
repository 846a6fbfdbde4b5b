package jobspec

import (
	"fmt"
	"time"

	"github.com/hashicorp/cronexpr"
	"github.com/hashicorp/hcl/v2"

	_ "time/tzdata" // time zones must resolve on hosts and images without a zoneinfo database
)

// validateProcess checks one normalized process.
func validateProcess(app *appInput, p *processInput) hcl.Diagnostics {
	diags := checkDNSName("process", p.Name, p.NameRange)
	if full := app.Name + "-" + p.Name; len(full) > maxDNSLength && !diags.HasErrors() {
		diags = append(diags, errAt(p.NameRange, "Name too long", fmt.Sprintf(
			"The service name %q (app name, dash, process name) is longer than %d characters, the limit of a DNS label; shorten the names.", full, maxDNSLength)))
	}
	if p.Image == nil && p.Artifact == nil {
		diags = append(diags, errAt(p.DeclRange, "Missing image",
			"Set image (or artifact with driver = \"exec\") on the app to share it, or on this process."))
	}
	if p.ImageRange != app.ImageRange || p.ArtifactRange != app.ArtifactRange || p.DriverRange != (hcl.Range{}) {
		diags = append(diags, checkArtifact("process", p.Image, p.Artifact, p.Driver, p.ImageRange, p.ArtifactRange, orRange(p.DriverRange, p.DeclRange))...)
	}
	if p.Command != nil && len(p.Command) == 0 {
		diags = append(diags, errAt(p.DeclRange, "Empty command", "command must name at least the program to run, or be removed to use the image's default."))
	}
	diags = append(diags, checkEnv(p.Env, p.EnvRanges)...)
	diags = append(diags, checkMeta(p.Meta, p.MetaRanges)...)
	diags = append(diags, checkConstraints(p.Constraints)...)
	minCount := 0
	if p.Kind == KindCron || p.Kind == KindFunction {
		minCount = 1
	}
	if *p.Count < minCount && p.Kind != KindSystem {
		diags = append(diags, errAt(orRange(p.CountRange, p.DeclRange), "Invalid count", fmt.Sprintf("count of a %s process must be at least %d.", p.Kind, minCount)))
	}
	diags = append(diags, validatePorts(p)...)
	diags = append(diags, validateResources(p.Resources)...)
	diags = append(diags, validateVolumes(p)...)
	for _, r := range p.Routes {
		diags = append(diags, validateRoute(r)...)
	}
	switch p.Kind {
	case KindWeb:
		if len(p.Ports) == 0 {
			diags = append(diags, errAt(p.DeclRange, "Missing port", "A web process must listen on a port for its routes and health check: add port = 8080."))
		}
		if len(p.Routes) == 0 {
			diags = append(diags, warnAt(p.DeclRange, "Web process without routes",
				"No route sends traffic to this web process. Add a route block, or declare it as a worker if it is not meant to be reached over HTTP."))
		}
		if *p.ShutdownDelay < defaultWebShutdownDelay {
			diags = append(diags, warnAt(p.ShutdownDelayRange, "Short shutdown delay",
				"The router may still send requests to an instance for a few seconds after it is deregistered; below 5s, scale-downs and rollouts can cause 502 errors."))
		}
	case KindCron:
		diags = append(diags, validateCron(p)...)
	case KindFunction:
		diags = append(diags, validateFunction(p)...)
	}
	if p.Health != nil {
		diags = append(diags, validateHealth(p)...)
	}
	if p.Kind.IsService() {
		diags = append(diags, validateRollout(p)...)
	}
	if p.Autoscale != nil {
		diags = append(diags, validateAutoscale(p)...)
	}
	return diags
}

func validatePorts(p *processInput) hcl.Diagnostics {
	var diags hcl.Diagnostics
	numbers := map[int]string{}
	names := map[string]bool{}
	for _, port := range p.Ports {
		if port.Number < 1 || port.Number > 65535 {
			diags = append(diags, errAt(port.Range, "Invalid port", fmt.Sprintf("Port %d is out of range: use a number between 1 and 65535.", port.Number)))
			continue
		}
		if !portName.MatchString(port.Name) || len(port.Name) > maxDNSLength {
			diags = append(diags, errAt(port.Range, "Invalid port name", fmt.Sprintf("The port name %q must start with a lowercase letter and contain only lowercase letters, digits and underscores.", port.Name)))
		}
		if names[port.Name] {
			diags = append(diags, errAt(port.Range, "Duplicate port name", fmt.Sprintf("The port name %q is used twice (port = N is named %q); rename one.", port.Name, p.Ports[0].Name)))
		}
		names[port.Name] = true
		if other, dup := numbers[port.Number]; dup {
			diags = append(diags, errAt(port.Range, "Duplicate port", fmt.Sprintf("Port %d is already declared as %q in this process; each port can be used once.", port.Number, other)))
		}
		numbers[port.Number] = port.Name
	}
	return diags
}

func validateResources(r *resourcesInput) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if *r.CPU < 1 {
		diags = append(diags, errAt(orRange(r.CPURange, r.DeclRange), "Invalid CPU", "cpu is in MHz and must be at least 1."))
	}
	if *r.Memory < 10 {
		diags = append(diags, errAt(orRange(r.MemoryRange, r.DeclRange), "Invalid memory", "memory is in MB and must be at least 10."))
	}
	if *r.MemoryMax != 0 && *r.MemoryMax < *r.Memory {
		diags = append(diags, errAt(orRange(r.MaxRg, r.DeclRange), "Invalid memory_max",
			fmt.Sprintf("memory_max (%d MB) must be at least memory (%d MB); it is the hard limit above the reservation.", *r.MemoryMax, *r.Memory)))
	}
	return diags
}

func validateCron(p *processInput) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if *p.Schedule == "" {
		diags = append(diags, errAt(orRange(p.ScheduleRange, p.DeclRange), "Missing schedule",
			"A cron process needs a schedule, such as schedule = \"0 3 * * *\" (every day at 03:00)."))
	} else if _, err := parseCron(*p.Schedule); err != nil {
		diags = append(diags, errAt(p.ScheduleRange, "Invalid cron schedule", fmt.Sprintf(
			"The schedule %q cannot be parsed (%s). Use five fields (minute hour day-of-month month day-of-week), such as \"*/15 * * * *\", or a shorthand such as \"@daily\".", *p.Schedule, err)))
	}
	if *p.TimeZone == "" || *p.TimeZone == "Local" {
		diags = append(diags, errAt(orRange(p.TimeZoneRange, p.DeclRange), "Invalid time zone", "Use an IANA time zone name such as \"UTC\" or \"Europe/Berlin\"."))
	} else if _, err := time.LoadLocation(*p.TimeZone); err != nil {
		diags = append(diags, errAt(p.TimeZoneRange, "Invalid time zone", fmt.Sprintf("%q is not a known time zone: use an IANA name such as \"UTC\" or \"Europe/Berlin\".", *p.TimeZone)))
	}
	return diags
}

// parseCron parses a schedule with the library Nomad uses, turning its panics (it has had some) into errors.
func parseCron(s string) (expr *cronexpr.Expression, err error) {
	defer func() {
		if r := recover(); r != nil {
			expr, err = nil, fmt.Errorf("the schedule %q cannot be parsed", s)
		}
	}()
	return cronexpr.Parse(s)
}

func validateFunction(p *processInput) hcl.Diagnostics {
	var diags hcl.Diagnostics
	switch *p.Payload {
	case "required", "optional", "forbidden":
	default:
		diags = append(diags, errAt(p.PayloadRange, "Invalid payload", "payload must be \"required\", \"optional\" or \"forbidden\"."))
	}
	seen := map[string]string{}
	check := func(keys []string, rng hcl.Range, list string) {
		for _, k := range keys {
			if !metaKey.MatchString(k) {
				diags = append(diags, errAt(rng, "Invalid meta key", fmt.Sprintf("%q is not a valid meta key: use letters, digits, underscores, dots and dashes.", k)))
			}
			if prev, dup := seen[k]; dup {
				diags = append(diags, errAt(rng, "Duplicate meta key", fmt.Sprintf("%q is already listed in %s; list each key once.", k, prev)))
			}
			seen[k] = list
		}
	}
	check(p.MetaRequired, p.MetaRequiredRange, "meta_required")
	check(p.MetaOptional, p.MetaOptionalRange, "meta_optional")
	return diags
}

func validateVolumes(p *processInput) hcl.Diagnostics {
	var diags hcl.Diagnostics
	names := map[string]bool{}
	for _, v := range p.Volumes {
		if names[v.Name] {
			diags = append(diags, errAt(v.NameRange, "Duplicate volume name", fmt.Sprintf("A volume named %q is already declared in this process.", v.Name)))
		}
		names[v.Name] = true
		if *v.Type != "host" && *v.Type != "csi" {
			diags = append(diags, errAt(v.TypeRange, "Invalid volume type", "type must be \"host\" (a Nomad host volume) or \"csi\"."))
		}
		if d := deref(v.Dest); len(d) == 0 || d[0] != '/' {
			diags = append(diags, errAt(orRange(v.DestRange, v.DeclRange), "Invalid volume destination", "destination must be an absolute path in the task, such as \"/data\"."))
		}
	}
	return diags
}

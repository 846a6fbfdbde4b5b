package jobspec

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// validateApp checks a normalized app input: names, images, env and meta, processes, binds, upstreams and routes.
// It reports every problem it finds rather than stopping at the first.
func validateApp(in *appInput) hcl.Diagnostics {
	diags := checkDNSName("app", in.Name, in.NameRange)
	if !namespaceRe.MatchString(*in.Namespace) {
		diags = append(diags, errAt(in.NamespaceRange, "Invalid namespace",
			"A namespace is 1 to 128 letters, digits and dashes, and must exist in Nomad."))
	}
	if len(in.Datacenters) == 0 {
		diags = append(diags, errAt(in.DeclRange, "Empty datacenters",
			"datacenters must list at least one Nomad datacenter; remove the argument to allow all (\"*\")."))
	}
	for _, dc := range in.Datacenters {
		if strings.TrimSpace(dc) == "" {
			diags = append(diags, errAt(in.DeclRange, "Empty datacenter name", "Remove the empty entry from datacenters."))
		}
	}
	diags = append(diags, checkArtifact("app", in.Image, in.Artifact, in.Driver, in.ImageRange, in.ArtifactRange, in.DriverRange)...)
	diags = append(diags, checkEnv(in.Env, in.EnvRanges)...)
	diags = append(diags, checkMeta(in.Meta, in.MetaRanges)...)
	diags = append(diags, checkConstraints(in.Constraints)...)

	if len(in.Processes) == 0 {
		diags = append(diags, errAt(in.DeclRange, "App without processes",
			"Declare at least one process in the app: web, worker, cron, function, release or system."))
	}
	byName := map[string]*processInput{}
	for _, p := range in.Processes {
		if prev, ok := byName[p.Name]; ok {
			diags = append(diags, errAt(p.NameRange, "Duplicate process name", fmt.Sprintf(
				"A process named %q is already declared (%s %q at %s). Process names are unique across all kinds; rename one.",
				p.Name, prev.Kind, prev.Name, prev.DeclRange)))
			continue
		}
		byName[p.Name] = p
		diags = append(diags, validateProcess(in, p)...)
	}
	diags = append(diags, validateBinds(in, byName)...)
	diags = append(diags, validateUpstreams(in, byName)...)
	diags = append(diags, validateRouteSet(in)...)
	return diags
}

// checkArtifact checks that exactly one of image and artifact is set where required, and that the driver fits.
func checkArtifact(where string, image, artifact, driver *string, imageRng, artifactRng, driverRng hcl.Range) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if image != nil && artifact != nil {
		diags = append(diags, errAt(artifactRng, "Conflicting image and artifact",
			fmt.Sprintf("The %s sets both image (for the docker driver) and artifact (for the exec driver); keep one.", where)))
		return diags
	}
	if image != nil && (*image == "" || strings.ContainsAny(*image, " \t\n")) {
		diags = append(diags, errAt(imageRng, "Invalid image", "An image is a reference such as \"shop:1.4.2\" or \"registry.local/shop:1.4.2\", without spaces."))
	}
	if artifact != nil && (*artifact == "" || strings.ContainsAny(*artifact, " \t\n")) {
		diags = append(diags, errAt(artifactRng, "Invalid artifact", "An artifact is a URL such as \"https://files.local/shop.tar.gz\", without spaces."))
	}
	if driver == nil {
		return diags
	}
	switch *driver {
	case "docker":
		if artifact != nil && image == nil {
			diags = append(diags, errAt(driverRng, "Driver needs an image",
				"The docker driver runs an image: set image, or use driver = \"exec\" with an artifact."))
		}
	case "exec", "raw_exec":
		if image != nil && artifact == nil {
			diags = append(diags, errAt(driverRng, "Driver needs an artifact",
				fmt.Sprintf("The %s driver runs a binary from an artifact: set artifact, or use driver = \"docker\" with an image.", *driver)))
		}
	default:
		diags = append(diags, errAt(driverRng, "Unsupported driver", "driver must be \"docker\" (with image), \"exec\" or \"raw_exec\" (with artifact)."))
	}
	return diags
}

// checkConstraints checks constraint operators and attributes.
func checkConstraints(cs []*constraintInput) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, c := range cs {
		ok := false
		for _, op := range constraintOperators() {
			ok = ok || op == *c.Operator
		}
		if !ok {
			diags = append(diags, errAt(c.OperatorRange, "Invalid constraint operator",
				"operator must be one of "+strings.Join(constraintOperators(), ", ")+"."))
		}
		if *c.Attribute == "" && *c.Operator != "distinct_hosts" {
			diags = append(diags, errAt(c.DeclRange, "Missing constraint attribute",
				"Set attribute to a node attribute such as \"node.class\" or \"attr.kernel.name\"."))
		}
	}
	return diags
}

// validateBinds checks bind names, offerings, env prefixes and process references.
func validateBinds(in *appInput, procs map[string]*processInput) hcl.Diagnostics {
	var diags hcl.Diagnostics
	seen := map[string]bool{}
	prefixes := map[string]string{}
	for _, b := range in.Binds {
		diags = append(diags, checkDNSName("bind", b.Name, b.NameRange)...)
		if seen[b.Name] {
			diags = append(diags, errAt(b.NameRange, "Duplicate bind name", fmt.Sprintf("A bind named %q is already declared; rename one.", b.Name)))
		}
		seen[b.Name] = true
		if b.Offering != nil && !dnsLabel.MatchString(*b.Offering) {
			diags = append(diags, errAt(b.OfferingRange, "Invalid offering name",
				"An offering is named by a DNS label from the offerings catalog, such as \"postgres\"."))
		}
		if !envName.MatchString(*b.EnvPrefix) {
			diags = append(diags, errAt(orRange(b.PrefixRng, b.NameRange), "Invalid env_prefix",
				"env_prefix must be a valid environment variable name, such as \"DATABASE\" (which gives DATABASE_URL)."))
		} else if other, dup := prefixes[*b.EnvPrefix]; dup {
			diags = append(diags, errAt(orRange(b.PrefixRng, b.NameRange), "Duplicate env_prefix",
				fmt.Sprintf("The bind %q already produces variables starting with %s_; set a different env_prefix.", other, *b.EnvPrefix)))
		}
		prefixes[*b.EnvPrefix] = b.Name
		diags = append(diags, checkProcessRefs("bind", b.Processes, b.ProcessesRange, procs, false)...)
	}
	return diags
}

// validateUpstreams checks upstream names, ports and process references.
func validateUpstreams(in *appInput, procs map[string]*processInput) hcl.Diagnostics {
	var diags hcl.Diagnostics
	seen := map[string]bool{}
	ports := map[int]string{}
	tcpReported := map[string]bool{}
	for _, u := range in.Upstreams {
		diags = append(diags, checkDNSName("upstream", u.Name, u.NameRange)...)
		if seen[u.Name] {
			diags = append(diags, errAt(u.NameRange, "Duplicate upstream name", fmt.Sprintf("An upstream named %q is already declared; rename one.", u.Name)))
		}
		seen[u.Name] = true
		if !dnsLabel.MatchString(*u.Destination) || len(*u.Destination) > maxDNSLength {
			diags = append(diags, errAt(orRange(u.DestinationRange, u.NameRange), "Invalid upstream destination",
				"destination is a Consul service name: a DNS label such as \"payments-api\" (app name, dash, process name)."))
		}
		if u.LocalPort == nil {
			continue
		}
		lp := *u.LocalPort
		if lp < 1 || lp > 65535 {
			diags = append(diags, errAt(u.LocalPortRange, "Invalid port", "local_port must be between 1 and 65535."))
			continue
		}
		if other, dup := ports[lp]; dup {
			diags = append(diags, errAt(u.LocalPortRange, "Duplicate local port",
				fmt.Sprintf("The upstream %q already listens on local port %d; pick another port.", other, lp)))
		}
		ports[lp] = u.Name
		diags = append(diags, checkProcessRefs("upstream", u.Processes, u.ProcessesRange, procs, true)...)
		for _, p := range in.Processes {
			if !refersTo(u.Processes, p.Name) {
				continue
			}
			if h := p.Health; h != nil && p.Kind.IsService() && *h.Type == "tcp" && !tcpReported[p.Name] {
				// Nomad refuses TCP checks on Connect services: the process listens inside its network namespace.
				tcpReported[p.Name] = true
				diags = append(diags, errAt(orRange(h.TypeRange, h.DeclRange), "TCP health check in the Connect mesh",
					fmt.Sprintf("Process %q gets a Connect sidecar for its upstreams, and Nomad accepts only http and grpc checks on Connect services; add health { path = \"/healthz\" } (or type = \"grpc\").", p.Name)))
			}
			for _, port := range p.Ports {
				if port.Number == lp {
					diags = append(diags, errAt(u.LocalPortRange, "Port clash",
						fmt.Sprintf("local_port %d is also port %q of process %q, which shares its network namespace with the upstream's proxy; pick another port.", lp, port.Name, p.Name)))
				}
			}
		}
	}
	return diags
}

// refersTo reports whether a processes list (empty: all) includes name.
func refersTo(list []string, name string) bool {
	if len(list) == 0 {
		return true
	}
	for _, n := range list {
		if n == name {
			return true
		}
	}
	return false
}

func checkProcessRefs(what string, names []string, rng hcl.Range, procs map[string]*processInput, serviceOnly bool) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, n := range names {
		p, ok := procs[n]
		switch {
		case !ok:
			diags = append(diags, errAt(rng, "Unknown process", fmt.Sprintf("The %s refers to process %q, which is not declared in this app.", what, n)))
		case serviceOnly && !p.Kind.IsService():
			diags = append(diags, errAt(rng, "Upstream needs a service process",
				fmt.Sprintf("Process %q is a %s process; Connect upstreams apply to web, worker and system processes.", n, p.Kind)))
		}
	}
	return diags
}

package catalog

import (
	"crypto/sha256"
	"encoding/hex"
)

// maxServiceName is the longest service name that is still one DNS label.
const maxServiceName = 63

// ServiceName returns the Consul service name of a process: "<process>-<app>-<namespace>". Consul's free edition
// has a single namespace, so the tenant is part of the name; the name is stable across releases, and it is one
// DNS label, so the process answers at <name>.service.consul. A name longer than 63 characters is cut and
// suffixed with a hash of the full name, so that it stays unique and stable.
func ServiceName(app, namespace, process string) string {
	name := process + "-" + app + "-" + namespace
	if len(name) <= maxServiceName {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	suffix := hex.EncodeToString(sum[:])[:8]
	cut := name[:maxServiceName-len(suffix)-1]
	for len(cut) > 0 && cut[len(cut)-1] == '-' {
		cut = cut[:len(cut)-1]
	}
	return cut + "-" + suffix
}

// DNSName returns the Consul DNS name of a process's service.
func DNSName(app, namespace, process string) string {
	return ServiceName(app, namespace, process) + ".service.consul"
}

package catalog

import "strings"

// NomadTaskPrefix starts the Consul service ID of every service that Nomad registers for an allocation.
const NomadTaskPrefix = "_nomad-task-"

// SidecarSuffix ends the Consul service ID of a Connect sidecar proxy that Nomad registers: the parent
// service's ID followed by this suffix.
const SidecarSuffix = "-sidecar-proxy"

// allocIDLength is the length of a Nomad allocation ID (a UUID in its 8-4-4-4-12 form).
const allocIDLength = 36

// NomadServiceID returns the Consul service ID under which Nomad registers the group-level service of an
// allocation: "_nomad-task-<allocID>-group-<group>-<service>-<portLabel>". allocID may be a Nomad runtime
// variable such as "${NOMAD_ALLOC_ID}", which Nomad interpolates in task config.
func NomadServiceID(allocID, group, service, portLabel string) string {
	return NomadTaskPrefix + allocID + "-group-" + group + "-" + service + "-" + portLabel
}

// AllocIDOf returns the allocation ID in a Consul service ID that Nomad registered, and false for any other
// service ID.
func AllocIDOf(serviceID string) (string, bool) {
	rest, ok := strings.CutPrefix(serviceID, NomadTaskPrefix)
	if !ok || len(rest) < allocIDLength+1 || rest[allocIDLength] != '-' {
		return "", false
	}
	id := rest[:allocIDLength]
	for i, r := range id {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return "", false
			}
		default:
			if !strings.ContainsRune("0123456789abcdef", r) {
				return "", false
			}
		}
	}
	return id, true
}

// Package catalog owns skiff's view of Consul: the names under which processes are registered (and so found by
// DNS), Connect upstreams and the intentions that guard them, and the sweeping of registrations that outlived
// their allocations.
//
// # Service names
//
// Every web, worker or system process with a port is registered by Nomad in Consul as
//
//	<process>-<app>-<namespace>          e.g. "api-ledger-default"
//
// (ServiceName). Consul's free edition has a single namespace, so the tenant is part of the name. The name does
// not change across releases, canaries or rollbacks, and it is one DNS label: the healthy instances of a
// process answer at <process>-<app>-<namespace>.service.consul (A and SRV records; DNSName). Names longer than
// 63 characters are cut and suffixed with 8 hex digits of the SHA-256 of the full name, so they stay unique,
// stable and DNS-safe.
//
// An upstream block names its destination by that same service name (jobspec.Upstream.Destination, which
// defaults to the upstream's label): `destination = "api-ledger-default"` reaches the api process of the ledger
// app in the default namespace. A destination that is not a skiff service is any Consul service name.
//
// # Intentions
//
// Intentions is the planner (change.ResourcePlanner) of the app's Consul service-intentions config entries.
// Every service of an app gets a "*" → deny source (default deny, also under an ACL default policy of
// "allow"), and every upstream an allow source from each calling process's service on the destination's
// entry. Entries are shared between apps: each source skiff writes says in its Description which app owns it
// ("managed by skiff for <namespace>/<app>"), and an app only ever adds, changes or removes its own sources,
// with check-and-set writes so that concurrent deploys of different apps do not lose each other's sources.
//
// # Nomad-registered services
//
// Nomad registers a group service under the ID "_nomad-task-<alloc ID>-group-<group>-<service>-<port label>"
// and its Connect sidecar under that ID plus "-sidecar-proxy" (NomadServiceID). Sweep finds registrations whose
// allocation is gone or terminal — left behind by a crashed or wiped Nomad client — and deregisters them.
package catalog

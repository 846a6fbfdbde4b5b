// Package edge owns skiff's side of Fabio, the HTTP router in front of web processes.
//
// Routes. A web process's route blocks become Fabio `urlprefix-` tags on its Consul service (Tags); only skiff
// writes them. Fabio's Consul registry turns each tag of each healthy instance into a `route add` command, and
// RouteCommand renders the same text, so that a tag can be checked against Fabio's own parser (the unit tests
// do) and desired routes compared with Fabio's live table (Drift, behind `skiff routes`).
//
// Conflicts. Router is the change.ResourcePlanner of routes: at plan time it reads every live route from the
// Consul catalog with its owner (the skiff_app/skiff_namespace service meta) and refuses, with a diagnostic at
// the route's source range, a route whose host and path another app already serves.
//
// Canary weights. A web process with canaries registers them with the same tags plus CanaryTag (Nomad's
// canary_tags) and its canary_weight in the canary service meta. While a deployment has unpromoted canaries,
// Traffic (the change.TrafficController) writes one Consul KV key per service under Fabio's KV path
// (WeightStore) holding `route weight` commands that send that share of each route's requests to the canaries.
// Fabio rejects its whole routing table when a `route weight` command matches no target, which would freeze
// routing for every app; WeightCommands therefore anchors each weight on a placeholder target that it removes
// again in the same text, so a weight whose canaries are gone (promoted, failed, stopped) is simply inert.
package edge

// Package planner turns an app spec into desired state and drives the real stack towards it.
//
// Compile maps a jobspec.App to Nomad jobs: web and worker processes become the groups of one service job per
// app (so a release of them is atomic), cron processes periodic batch jobs, functions parameterized batch jobs,
// release processes batch jobs run once per release, and system processes system jobs. Every job carries meta
// that identifies the app, the release, the spec hash and skiff as its manager — that meta is how skiff finds
// what it owns, since it keeps no state of its own.
//
// Plan diffs desired against live state (Nomad's plan API with diff, plus jobs to prune); Deploy applies it in
// order — release task, jobs, watch, prune — and records the release in Consul KV so that Releases and Rollback
// work from any skiff process.
package planner

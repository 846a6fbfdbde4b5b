// Package server is skiff's platform API: the operations of the CLI as REST calls under /v1, for CI pipelines,
// the Terraform provider and the CLI's remote mode. It runs on gin with huma v2 (humagin): every operation is a
// typed handler registered with its OpenAPI metadata, and the OpenAPI 3.1 document is generated from the Go
// types and served at /v1/openapi.json and /v1/openapi.yaml.
//
// Handlers stay thin: they parse the input, call the planner (the same library calls as the CLI) and map the
// result. Errors have one JSON shape everywhere (application/problem+json with an errors[] array of stable codes
// and the request ID); see errors.go. Deployments run in the background: POST answers 202 with the release's
// URL once the release is recorded, GET reads its record (resolved from Nomad after a restart), and
// …/events streams its progress as Server-Sent Events that resume from Last-Event-ID.
//
// The server keeps no state that matters across a restart: releases, locks and formations live in Consul,
// jobs and deployments in Nomad. A server killed mid-deploy leaves a release that any skiff process resolves.
package server

// Package api is the Go client of skiff's platform API (`skiff serve`), for the Terraform provider, the CLI's
// remote mode and programs of your own. It is shaped like github.com/hashicorp/nomad/api: a Client made from a
// Config, a handle per resource, and methods that return the value, a *Meta and an error.
//
//	client, err := api.NewClient(api.DefaultConfig()) // SKIFF_ADDR, SKIFF_TOKEN
//	d, changed, _, err := client.Deployments().Create(ctx, "default", "shop", &api.Spec{Source: src}, nil)
//	if changed {
//		events, err := client.Deployments().Events(ctx, "default", "shop", d.Number(), 0)
//		for e := range events { ... } // to the end event; resumes after dropped connections
//	}
//
// Handles: Apps (List, Status, Plan, Destroy), Deployments (Create, Info, Cancel, Promote, Events), Releases
// (List with cursor pages, All, Info, Rollback), Formation (Info, Update), Runs (Create, Info, Wait),
// Functions (Dispatch), Logs (Get, Follow), Offerings (List) and Health (Get); Client.OpenAPI returns the
// server's OpenAPI document. A test fails when the server has an operation no method calls.
//
// Every answer other than 2xx is an *APIError with the HTTP status, the stable error codes (CodeNotFound,
// CodeLocked, CodeSpecInvalid, ...), the details and, for spec errors, the diagnostics with file, line and
// column. Check it with errors.As or the predicates IsNotFound, IsLocked, IsSpecInvalid, IsUnauthorized, ...
// Transport failures are wrapped errors naming the request; context errors stay visible to errors.Is.
//
// The types mirror the server's JSON rather than importing package server, which would bring gin, huma and
// the Nomad, Consul and Vault clients into every program; a test compares them with the OpenAPI document.
// The package depends on the standard library only.
//
// The token is sent as a bearer token and appears in no error, log or printed Config. Plain requests are
// bounded by Config.Timeout on top of the caller's context; event streams only by the context.
package api

// Package platform holds the settings of a skiff installation that change what skiff compiles and applies:
// where Fabio keeps its manual routes and which addresses it listens on, how skiff uses Vault, and which Connect
// sidecar the compiled jobs run. They belong to the platform, not to whoever runs skiff, so that every skiff
// process of one platform compiles the same jobs.
//
// The settings are written in an HCL file, skiff-server.hcl (Parse, ParseFile; the language is documented in
// docs/platform.md). `skiff serve -config skiff-server.hcl` publishes them to Consul KV under KVKey (Publish),
// and every other skiff process — the direct-mode CLI included — reads them back from there (Load), falling back
// to a file and then to Default only when nothing was published. Addresses and tokens of Nomad, Consul and Vault
// are not platform settings: they stay in the standard environment variables (NOMAD_ADDR, NOMAD_TOKEN,
// CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN, VAULT_ADDR, VAULT_TOKEN).
//
// Parsing follows jobspec's rules: one block type per file (model, input, schema and decode function side by
// side), input structs with pointers for "unset", defaults applied in one normalize step per block, and
// hcl.Diagnostics with a source range and a targeted hint for every mistake. The file holds literal values only:
// no variables and no functions.
//
// The published form is JSON in HCL's JSON syntax, with the same names as the file, so that what Load reads
// back from Consul goes through the same decoder and the same checks as the file did.
package platform

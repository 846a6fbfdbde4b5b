// Package jobspec implements skiff's app spec language: the HCL file (skiff.hcl) a developer keeps in the
// app's repository, decoded into an App model with hcl.Diagnostics that carry source ranges.
//
// # Entry points
//
// Parse decodes a spec held in memory and never touches the filesystem: it is the path the REST server and the
// Terraform provider use. LoadFile reads a spec from disk, together with the *.auto.skiffvars.hcl files beside it
// and the var files named in Options, and enables the file and templatefile functions relative to the spec's
// directory. Both return a nil *App whenever the diagnostics contain an error; warnings come with a usable App.
//
// # Phases
//
// A spec is decoded in phases, and decoding stops after the first phase that reports an error:
//
//  1. syntax and top-level structure (variable, locals and exactly one app block);
//  2. variables: declarations, then values from SKIFF_VAR_* environment variables, *.auto.skiffvars.hcl files,
//     var files and -var arguments (later sources win), type conversion and validation blocks;
//  3. locals, evaluated in dependency order;
//  4. the app body, evaluated against an eval context holding var.*, local.* and the function library,
//     into unexported input structs whose pointer fields record what was set;
//  5. normalization (every default applied in one place, normalize.go), conversion to the App model, and
//     semantic validation (names, ports, schedules, durations, resources, rollout, autoscale, routes, ...).
//
// # Diagnostics
//
// Every diagnostic has a Subject range; its Summary is a short phrase and its Detail says how to fix the problem.
// Values that derive from a sensitive variable are never included in diagnostics. Rendering is left to the
// callers: cmd/skiff prints text with source snippets, and DiagnosticsJSON gives the JSON form the CLI's -json
// flag and the REST server share.
//
// # Sensitivity
//
// Values derived from variables declared sensitive carry a cty mark while they are evaluated. The App records
// the model paths of such values in App.Sensitive (see App.IsSensitive for the path syntax) so renderers can redact them.
package jobspec

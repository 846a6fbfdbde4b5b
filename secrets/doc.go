// Package secrets owns skiff's view of Vault: config vars that must not appear in Nomad jobs, plan output or
// logs are kept in Vault's KV v2 engine and rendered into the task's environment at run time by a Nomad
// template, which reads them with the task's workload identity.
//
// Layout: the sensitive env vars of process P of job J in namespace N live at <mount>/data/N/J/P — the path
// that the devstack's (and `nomad setup vault`'s) workload policy lets job J read. Each secret carries custom
// metadata skiff_app and skiff_namespace, so that skiff can find and remove an app's secrets without keeping
// state of its own. Values never leave this package except into Vault: plans show key names only.
package secrets

// Package devstack starts and stops a real single-node HashiCorp stack on loopback: a Consul dev agent, a Vault
// dev server, a Nomad agent (server and client in one) wired to both through workload identity, Fabio reading
// routes from that Consul, and a Postgres 15 server. It serves two users: end-to-end tests, which start a fresh
// stack per test binary in a temp dir, and `skiff dev up`, which starts a long-lived stack whose state file lets
// a later `skiff dev down` find and stop it again.
//
// Nothing here is a fake: every component is the real binary, started by fork/exec on free loopback ports, polled
// for readiness (never slept for) and torn down so that no process or container is left behind. Each agent's log
// is kept in the stack's directory; Stack.Logs returns their tails for a failing test.
//
// Binaries are looked up on PATH, then in SKIFF_BIN_DIR (where scripts/install-hashistack puts them); each one's
// version is checked against versions.env, the single list of pins that the install script also reads.
package devstack

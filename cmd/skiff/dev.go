package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/cli"

	"github.com/skiffpaas/skiff/api"
	"github.com/skiffpaas/skiff/internal/devstack"
	"github.com/skiffpaas/skiff/platform"
)

// devDir is where `skiff dev` keeps the local stack: $SKIFF_DEV_DIR, else $XDG_STATE_HOME/skiff/dev, else
// ~/.local/state/skiff/dev.
func devDir() string {
	if d := os.Getenv("SKIFF_DEV_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "skiff", "dev")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "skiff-dev")
	}
	return filepath.Join(home, ".local", "state", "skiff", "dev")
}

// loadDevStack returns the running local stack, or an error that tells the user to start one.
func loadDevStack() (*devstack.Stack, error) {
	s, err := devstack.Load(devDir())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no dev stack in %s: start one with `skiff dev up`", devDir())
	}
	return s, err
}

// devUpCommand starts the local stack.
type devUpCommand struct{ ui cli.Ui }

func (c *devUpCommand) Synopsis() string {
	return "Start a local Nomad/Consul/Vault/Fabio/Postgres stack"
}
func (c *devUpCommand) Help() string {
	return `Usage: skiff dev up [-timeout 3m]

  Starts real Consul, Vault, Nomad, Fabio and Postgres agents on loopback (free ports), configured for
  skiff: Nomad registers services in Consul and reads Vault secrets through workload identity, Fabio
  routes from Consul, Vault's database engine issues Postgres credentials. State, data and logs live in
  $SKIFF_DEV_DIR (default ~/.local/state/skiff/dev). Binaries come from PATH or SKIFF_BIN_DIR
  (scripts/install-hashistack installs them). Run 'eval "$(skiff dev env)"' to point CLIs at it.

  The stack's platform config (its Fabio addresses, Consul's built-in proxy as the Connect sidecar) is
  written to skiff-server.hcl in the state dir and published to the stack's Consul, where skiff reads it.

  It also runs the platform API (skiff serve) over the stack on 127.0.0.1:7440 (another port when that one is
  taken), with its token in serve-token in the state dir; 'skiff dev env' points the CLI at it (remote mode).`
}

func (c *devUpCommand) Run(args []string) int {
	fl := flag.NewFlagSet("dev up", flag.ContinueOnError)
	timeout := fl.Duration("timeout", 3*time.Minute, "how long to wait for the stack to become ready")
	if err := fl.Parse(args); err != nil {
		return 1
	}
	dir := devDir()
	if s, err := devstack.Load(dir); err == nil {
		c.ui.Warn(fmt.Sprintf("A dev stack is already running in %s (stop it with `skiff dev down`).", dir))
		printDevStatus(c.ui, s)
		return 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	begin := time.Now()
	s, err := devstack.Start(ctx, devstack.Options{Dir: dir, Logf: func(f string, a ...any) {
		c.ui.Output("  " + fmt.Sprintf(f, a...))
	}})
	if err != nil {
		c.ui.Error("skiff dev up: " + err.Error())
		return 1
	}
	if exe, err := os.Executable(); err != nil {
		c.ui.Warn("skiff dev up: not starting skiff serve: " + err.Error())
	} else if err := s.StartServe(ctx, exe); err != nil {
		c.ui.Warn("skiff dev up: skiff serve did not start (the CLI stays in direct mode): " + err.Error())
	}
	c.ui.Output(fmt.Sprintf("Dev stack up in %s (state in %s).", time.Since(begin).Round(100*time.Millisecond), dir))
	printDevStatus(c.ui, s)
	c.ui.Output(fmt.Sprintf("\nPlatform config published to Consul KV %s (written to %s).", platform.KVKey, s.PlatformConfigFile()))
	c.ui.Output("\nPoint the nomad/consul/vault CLIs and skiff at it (the tokens are in the output of `skiff dev env`):")
	c.ui.Output(`  eval "$(skiff dev env)"`)
	return 0
}

// devDownCommand stops the local stack.
type devDownCommand struct{ ui cli.Ui }

func (c *devDownCommand) Synopsis() string { return "Stop the local stack and remove its data" }
func (c *devDownCommand) Help() string {
	return `Usage: skiff dev down [-keep]

  Stops every job in the dev stack's Nomad, then every agent, removes leftover containers and processes,
  and deletes the stack's data. -keep keeps the data and logs in the state dir.`
}

func (c *devDownCommand) Run(args []string) int {
	fl := flag.NewFlagSet("dev down", flag.ContinueOnError)
	keep := fl.Bool("keep", false, "keep data and logs")
	if err := fl.Parse(args); err != nil {
		return 1
	}
	s, err := loadDevStack()
	if err != nil {
		c.ui.Error("skiff dev down: " + err.Error())
		return 1
	}
	code := 0
	if err := s.Stop(); err != nil {
		c.ui.Warn("skiff dev down: " + err.Error())
	}
	if !*keep {
		if err := os.RemoveAll(s.Dir); err != nil {
			c.ui.Error("skiff dev down: " + err.Error())
			code = 1
		}
	}
	c.ui.Output("Dev stack stopped.")
	return code
}

// devStatusCommand shows the local stack's components and their health.
type devStatusCommand struct{ ui cli.Ui }

func (c *devStatusCommand) Synopsis() string { return "Show the local stack's addresses and health" }
func (c *devStatusCommand) Help() string {
	return "Usage: skiff dev status\n\n  Prints each component's address and whether it answers. Exits 1 if any is down."
}

func (c *devStatusCommand) Run(args []string) int {
	s, err := loadDevStack()
	if err != nil {
		c.ui.Error("skiff dev status: " + err.Error())
		return 1
	}
	if !printDevStatus(c.ui, s) {
		return 1
	}
	return 0
}

// printDevStatus prints one line per component and reports whether all are healthy. No tokens are printed.
func printDevStatus(ui cli.Ui, s *devstack.Stack) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	health := s.Health(ctx)
	addrs := map[string]string{
		"consul":   "http://" + s.Consul.HTTPAddr + "  (DNS " + s.Consul.DNSAddr + ", gRPC " + s.Consul.GRPCAddr + ")",
		"vault":    s.Vault.Addr,
		"nomad":    s.Nomad.Addr,
		"fabio":    "http://" + s.Fabio.ProxyAddr + "  (UI/API http://" + s.Fabio.UIAddr + ")",
		"postgres": s.Postgres.Addr + "  (superuser " + s.Postgres.User + ")",
	}
	ok := true
	for _, name := range []string{"consul", "vault", "postgres", "nomad", "fabio"} {
		state := "healthy"
		if err := health[name]; err != nil {
			state, ok = "DOWN: "+err.Error(), false
		}
		ui.Output(fmt.Sprintf("  %-9s %-60s %s", name, addrs[name], state))
	}
	if s.Serve != nil {
		state := "healthy"
		if err := serveHealth(ctx, s.Serve); err != nil {
			state, ok = "DOWN: "+err.Error(), false
		}
		ui.Output(fmt.Sprintf("  %-9s %-60s %s", "serve", s.Serve.Addr+"  (platform API)", state))
	}
	return ok
}

// devEnvCommand prints shell exports for the local stack.
type devEnvCommand struct{ ui cli.Ui }

func (c *devEnvCommand) Synopsis() string {
	return "Print shell exports (addresses and tokens) for the stack"
}
func (c *devEnvCommand) Help() string {
	return `Usage: skiff dev env

  Prints export lines for NOMAD_ADDR, CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN, VAULT_ADDR and VAULT_TOKEN, and,
  when the stack runs skiff serve, SKIFF_ADDR, SKIFF_TOKEN and SKIFF_PLATFORM_CONFIG: skiff then acts on apps
  through the platform API (remote mode); unset SKIFF_ADDR for direct mode (skiff routes, skiff sweep).
  Use: eval "$(skiff dev env)". The tokens are the dev stack's root tokens. skiff's other settings (Fabio's
  addresses, the Connect sidecar) are the platform config that 'skiff dev up' published to the stack's
  Consul (see docs/platform.md).`
}

func (c *devEnvCommand) Run(args []string) int {
	s, err := loadDevStack()
	if err != nil {
		c.ui.Error("skiff dev env: " + err.Error())
		return 1
	}
	env := s.Env()
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		c.ui.Output(fmt.Sprintf("export %s=%s", k, shellQuote(env[k])))
	}
	return 0
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// devCommand is the parent of the dev verbs; alone it prints their list.
type devCommand struct{ ui cli.Ui }

func (c *devCommand) Synopsis() string { return "Run a local Nomad/Consul/Vault/Fabio/Postgres stack" }
func (c *devCommand) Help() string {
	return `Usage: skiff dev <up|down|status|env>

  Manages a local single-node stack of the real agents, for trying skiff out and for development.`
}
func (c *devCommand) Run(args []string) int { return cli.RunResultHelp }

// devCleanCommand removes network leftovers of killed dev stacks.
type devCleanCommand struct{ ui cli.Ui }

func (c *devCleanCommand) Synopsis() string { return "Remove network rules left by killed dev stacks" }
func (c *devCleanCommand) Help() string {
	return `Usage: skiff dev clean

  Deletes the iptables rules that CNI created for Nomad allocations in bridge mode and that a killed Nomad
  agent left behind: a stale port-forwarding rule keeps redirecting its host port, on loopback too. It refuses
  to run while any Nomad agent runs on this machine, since their rules look the same. 'skiff dev down' cleans
  its own stack's rules.`
}

func (c *devCleanCommand) Run(args []string) int {
	if pids := nomadAgents(); len(pids) > 0 {
		c.ui.Error(fmt.Sprintf("skiff dev clean: Nomad agents are running (pids %v); stop them first", pids))
		return 1
	}
	n, err := devstack.CleanCNIRules(devstack.NomadRule)
	if err != nil {
		c.ui.Error("skiff dev clean: " + err.Error())
		return 1
	}
	c.ui.Output(fmt.Sprintf("Removed %d stale CNI rules.", n))
	return 0
}

// nomadAgents returns the pids of running `nomad agent` processes.
func nomadAgents() []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if err != nil {
			continue
		}
		args := strings.Split(string(b), "\x00")
		if len(args) > 1 && filepath.Base(args[0]) == "nomad" && args[1] == "agent" {
			out = append(out, pid)
		}
	}
	return out
}

// serveHealth asks the dev stack's skiff serve whether it is up.
func serveHealth(ctx context.Context, info *devstack.ServeInfo) error {
	c, err := api.NewClient(&api.Config{Address: info.Addr, Token: info.Token, Timeout: 5 * time.Second})
	if err != nil {
		return err
	}
	_, _, err = c.Health().Get(ctx)
	return err
}

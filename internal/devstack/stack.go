package devstack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/skiffpaas/skiff/platform"
)

// Options control Start. The zero value starts a complete stack in a new temp dir.
type Options struct {
	// Dir is the stack's state dir. Empty means a new temp dir, removed by Stop.
	Dir string
	// KeepDir keeps Dir (logs, state) after Stop.
	KeepDir bool
	// Logf, if set, receives one line per lifecycle step ("consul ready in 1.2s").
	Logf func(format string, args ...any)
}

// Stack is a running single-node stack. Its exported fields are the addresses and credentials of each component;
// the whole value round-trips through the state file (see Load), so any skiff process can stop it.
type Stack struct {
	Dir      string        `json:"dir"`
	Consul   *ConsulInfo   `json:"consul"`
	Vault    *VaultInfo    `json:"vault"`
	Nomad    *NomadInfo    `json:"nomad"`
	Fabio    *FabioInfo    `json:"fabio"`
	Postgres *PostgresInfo `json:"postgres"`
	// Serve is the platform API server, when StartServe started one.
	Serve     *ServeInfo `json:"serve,omitempty"`
	Processes []*process `json:"processes"`
	StartedAt time.Time  `json:"started_at"`
	TempDir   bool       `json:"temp_dir"`

	mu sync.Mutex
}

// stateFile is the name of the state file inside the stack dir.
const stateFile = "state.json"

// Start starts every component, waits until each is ready and configured, and writes the state file. On error
// everything started so far is stopped again. ctx bounds the start-up, not the stack's lifetime.
func Start(ctx context.Context, opts Options) (s *Stack, err error) {
	logf := opts.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	bins := make(map[string]string)
	for _, name := range Components {
		p, err := FindBinary(name)
		if err != nil {
			return nil, err
		}
		bins[name] = p
	}
	if err := DockerAvailable(ctx); err != nil {
		return nil, err
	}
	if err := ensurePauseImage(ctx); err != nil {
		return nil, fmt.Errorf("building the pause image: %w", err)
	}
	s = &Stack{Dir: opts.Dir, StartedAt: time.Now().UTC()}
	if s.Dir == "" {
		if s.Dir, err = os.MkdirTemp("", "skiff-devstack-"); err != nil {
			return nil, err
		}
		s.TempDir = !opts.KeepDir
	} else if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			logf("start failed, stopping what was started: %v", err)
			_ = s.Stop()
		}
	}()

	if err := installMeshProxy(ctx, s.Dir, bins["consul"]); err != nil {
		return s, err
	}
	begin := time.Now()
	step := func(name string, p *process, ready func(context.Context) error) error {
		if err := waitFor(ctx, p, ready); err != nil {
			return err
		}
		logf("%s ready after %s", name, time.Since(begin).Round(10*time.Millisecond))
		return nil
	}

	consulP, consulInfo, err := startConsul(s.Dir, bins["consul"], randomToken())
	if err != nil {
		return s, err
	}
	s.track(consulP)
	s.Consul = consulInfo
	vaultP, vaultInfo, err := startVault(s.Dir, bins["vault"], randomToken())
	if err != nil {
		return s, err
	}
	s.track(vaultP)
	s.Vault = vaultInfo
	pgP, pgInfo, err := startPostgres(s.Dir, randomToken())
	if err != nil {
		return s, err
	}
	s.track(pgP)
	s.Postgres = pgInfo

	if err := step("consul", consulP, consulReady(consulInfo)); err != nil {
		return s, err
	}
	fabioP, fabioInfo, err := startFabio(s.Dir, bins["fabio"], consulInfo)
	if err != nil {
		return s, err
	}
	s.track(fabioP)
	s.Fabio = fabioInfo
	if err := step("vault", vaultP, vaultReady(vaultInfo)); err != nil {
		return s, err
	}
	cni := ""
	if _, err := os.Stat("/usr/lib/cni/bridge"); err == nil {
		cni = "/usr/lib/cni"
	}
	nomadP, nomadInfo, err := startNomad(s.Dir, bins["nomad"], nomadConfig{
		consul: consulInfo, vault: vaultInfo, pauseImage: PauseImage, cniPath: cni, consulBin: bins["consul"]})
	if err != nil {
		return s, err
	}
	s.track(nomadP)
	s.Nomad = nomadInfo
	if err := step("postgres", pgP, postgresReady(pgInfo)); err != nil {
		return s, err
	}
	// Consul and Vault fetch Nomad's JWKS when the auth methods are written: Nomad's server must answer first.
	if err := step("nomad server", nomadP, nomadServerReady(nomadInfo)); err != nil {
		return s, err
	}
	nomadHostPort := nomadInfo.Addr[len("http://"):]
	if err := configureConsulWorkloadIdentity(consulInfo, nomadHostPort); err != nil {
		return s, err
	}
	if err := configureVault(ctx, vaultInfo, pgInfo, nomadHostPort); err != nil {
		return s, err
	}
	logf("vault configured (database engine, JWT auth for Nomad workload identity)")
	if err := registerOfferings(ctx, consulInfo, vaultInfo, pgInfo); err != nil {
		return s, err
	}
	if err := s.publishPlatform(ctx); err != nil {
		return s, err
	}
	logf("platform config written to %s and published to Consul KV %s", s.PlatformConfigFile(), platform.KVKey)
	if err := step("fabio", fabioP, fabioReady(fabioInfo)); err != nil {
		return s, err
	}
	if err := step("nomad client", nomadP, nomadReady(nomadInfo, true)); err != nil {
		return s, err
	}
	return s, s.save()
}

func (s *Stack) track(p *process) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Processes = append(s.Processes, p)
}

func (s *Stack) process(name string) *process {
	for _, p := range s.Processes {
		if p.Name == name {
			return p
		}
	}
	return nil
}

func (s *Stack) save() error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(s.Dir, stateFile), b, 0o600)
}

// Load reads the state file of a stack started with Options.Dir = dir. It returns an error wrapping
// os.ErrNotExist when there is none.
func Load(dir string) (*Stack, error) {
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		return nil, err
	}
	s := &Stack{}
	if err := json.Unmarshal(b, s); err != nil {
		return nil, fmt.Errorf("reading %s: %w", filepath.Join(dir, stateFile), err)
	}
	return s, nil
}

// Stop stops every job in Nomad (tasks outlive a Nomad client by design), then every agent, removes the
// containers and processes the stack's Nomad left, and removes the dir unless it was given or kept. Stop is
// safe to call on a partly started stack and more than once.
func (s *Stack) Stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var errs []error
	var allocs []string
	s.stopServe()
	if p := s.process("nomad"); p.alive() && s.Nomad != nil {
		allocs = allocIDs(s.Nomad)
		if err := stopAllJobs(s.Nomad, 45*time.Second); err != nil {
			errs = append(errs, fmt.Errorf("stopping jobs: %w", err))
		}
		waitTasksGone(s.Dir, s.Processes, 30*time.Second)
	}
	for _, name := range []string{"nomad", "fabio", "vault", "consul", "postgres"} {
		s.process(name).stop(syscall.SIGINT, 15*time.Second)
	}
	if s.Nomad != nil {
		allocDir := filepath.Join(s.Nomad.DataDir, "alloc")
		removeNomadContainers(ctx, allocDir)
		if entries, err := os.ReadDir(allocDir); err == nil {
			for _, e := range entries {
				allocs = append(allocs, e.Name())
			}
		}
		if len(allocs) > 0 {
			if _, err := CleanCNIRules(allocRule(allocs)); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if n := killProcessesUnder(s.Dir); n > 0 {
		errs = append(errs, fmt.Errorf("killed %d leftover processes that referenced %s", n, s.Dir))
	}
	unmountUnder(s.Dir)
	if s.Postgres != nil && s.Postgres.Dir != "" {
		if err := os.RemoveAll(s.Postgres.Dir); err != nil {
			errs = append(errs, err)
		}
	}
	if s.TempDir {
		if err := os.RemoveAll(s.Dir); err != nil {
			errs = append(errs, err)
		}
	} else {
		_ = os.Remove(filepath.Join(s.Dir, stateFile))
	}
	return errors.Join(errs...)
}

// Env returns the standard environment variables through which Nomad, Consul and Vault CLIs and skiff reach
// the stack: addresses and tokens only. skiff reads the rest of its settings from the platform config that Start
// published to the stack's Consul (see PlatformConfig). With StartServe, it also names the platform API
// (SKIFF_ADDR, SKIFF_TOKEN: the CLI's remote mode) and the platform config file. It includes tokens: callers
// print it only where the user asked for it (`skiff dev env`).
func (s *Stack) Env() map[string]string {
	return s.serveEnv(map[string]string{
		"NOMAD_ADDR":        s.Nomad.Addr,
		"CONSUL_HTTP_ADDR":  s.Consul.HTTPAddr,
		"CONSUL_HTTP_TOKEN": s.Consul.Token,
		"VAULT_ADDR":        s.Vault.Addr,
		"VAULT_TOKEN":       s.Vault.Token,
	})
}

// Logs returns the last n bytes of each agent's log, keyed by component name.
func (s *Stack) Logs(n int64) map[string]string {
	out := make(map[string]string)
	for _, p := range s.Processes {
		out[p.Name] = p.tail(n)
	}
	return out
}

func randomToken() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// Health checks every component the way Start waited for it and returns one entry per component: nil when it
// answers, else why not.
func (s *Stack) Health(ctx context.Context) map[string]error {
	checks := map[string]func(context.Context) error{
		"consul":   consulReady(s.Consul),
		"vault":    vaultReady(s.Vault),
		"nomad":    nomadReady(s.Nomad, true),
		"fabio":    fabioReady(s.Fabio),
		"postgres": postgresReady(s.Postgres),
	}
	out := make(map[string]error, len(checks))
	for name, check := range checks {
		if p := s.process(name); !p.alive() {
			out[name] = fmt.Errorf("process %d is not running", pidOf(p))
			continue
		}
		out[name] = check(ctx)
	}
	return out
}

func pidOf(p *process) int {
	if p == nil {
		return 0
	}
	return p.PID
}

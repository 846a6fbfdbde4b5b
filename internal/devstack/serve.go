package devstack

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// DefaultServePort is the port the dev stack's platform API listens on when it is free: `skiff serve`'s
// default, so that SKIFF_ADDR stays http://127.0.0.1:7440 from one dev stack to the next.
const DefaultServePort = 7440

// ServeInfo is the dev stack's platform API server (`skiff serve`).
type ServeInfo struct {
	// Addr is the server's base URL (http://127.0.0.1:7440).
	Addr string `json:"addr"`
	// TokenFile holds Token, the admin bearer token, in the stack dir.
	TokenFile string `json:"token_file"`
	Token     string `json:"token"`
}

// StartServe starts `skiffBin serve` over the stack as a background process like the agents (Stop stops it
// first), on DefaultServePort or, when that is taken, a free port, with a new token written to the stack dir;
// it waits until the server answers and records it in the state file. Call it after Start.
func (s *Stack) StartServe(ctx context.Context, skiffBin string) error {
	port := DefaultServePort
	if !portFree(port) {
		ports, err := freePorts(1)
		if err != nil {
			return err
		}
		port = ports[0]
	}
	info := &ServeInfo{Addr: "http://127.0.0.1:" + strconv.Itoa(port), TokenFile: filepath.Join(s.Dir, "serve-token"),
		Token: randomToken()}
	if err := os.WriteFile(info.TokenFile, []byte(info.Token+"\n"), 0o600); err != nil {
		return err
	}
	var env []string
	for k, v := range s.Env() {
		env = append(env, k+"="+v)
	}
	env = append(env, "SKIFF_ADDR=", "SKIFF_TOKEN=") // the server is not a client of another one
	args := []string{"serve", "-addr", fmt.Sprintf("127.0.0.1:%d", port), "-token-file", info.TokenFile}
	p, err := startProcess(s.Dir, "serve", skiffBin, args, env, nil)
	if err != nil {
		return err
	}
	s.track(p)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := waitFor(ctx, p, func(ctx context.Context) error { return httpOK(ctx, info.Addr+"/v1/health") }); err != nil {
		p.stop(syscall.SIGTERM, 5*time.Second)
		return err
	}
	s.Serve = info
	return s.save()
}

// stopServe stops the platform API server, letting it drain running deployments for a moment.
func (s *Stack) stopServe() {
	s.process("serve").stop(syscall.SIGTERM, 10*time.Second)
}

// serveEnv adds SKIFF_ADDR and SKIFF_TOKEN (the CLI's remote mode) and SKIFF_PLATFORM_CONFIG (where remote
// mode reads Fabio's address for the URLs it prints) to env when the stack runs `skiff serve`.
func (s *Stack) serveEnv(env map[string]string) map[string]string {
	if s.Serve == nil {
		return env
	}
	env["SKIFF_ADDR"] = s.Serve.Addr
	env["SKIFF_TOKEN"] = s.Serve.Token
	env["SKIFF_PLATFORM_CONFIG"] = s.PlatformConfigFile()
	return env
}

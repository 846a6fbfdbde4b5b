package devstack

import (
	"context"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// process is one agent the stack started. Its log goes to a file in the stack dir; its pid is recorded in the
// state file so that another skiff process can stop it.
type process struct {
	Name    string `json:"name"`
	PID     int    `json:"pid"`
	LogPath string `json:"log"`
}

// startProcess fork/execs bin with args in its own session (so it survives the CLI that started it and its
// children can be signalled as a group), with output appended to dir/name.log. cred, if not nil, runs it as
// another user.
func startProcess(dir, name, bin string, args []string, env []string, cred *syscall.Credential) (*process, error) {
	logPath := filepath.Join(dir, name+".log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Credential: cred}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &process{Name: name, PID: cmd.Process.Pid, LogPath: logPath}
	// Reap the child when it exits so it does not linger as a zombie while we are its parent.
	go func() { _ = cmd.Wait() }()
	return p, nil
}

// alive reports whether the process still exists.
func (p *process) alive() bool {
	if p == nil || p.PID <= 0 {
		return false
	}
	err := syscall.Kill(p.PID, 0)
	if err != nil {
		return false
	}
	// A zombie still answers kill(0); treat it as gone.
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.PID) + "/stat")
	if err != nil {
		return false
	}
	for i := 0; i+2 < len(b); i++ {
		if b[i] == ')' {
			return b[i+2] != 'Z'
		}
	}
	return true
}

// stop sends sig to the process group, waits up to grace for the leader to exit, then kills the group.
func (p *process) stop(sig syscall.Signal, grace time.Duration) {
	if p == nil || p.PID <= 0 {
		return
	}
	_ = syscall.Kill(-p.PID, sig)
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) && p.alive() {
		time.Sleep(50 * time.Millisecond)
	}
	_ = syscall.Kill(-p.PID, syscall.SIGKILL)
	for i := 0; i < 100 && p.alive(); i++ {
		time.Sleep(20 * time.Millisecond)
	}
}

// tail returns the last n bytes of the process log.
func (p *process) tail(n int64) string {
	f, err := os.Open(p.LogPath)
	if err != nil {
		return ""
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return ""
	}
	off := fi.Size() - n
	if off < 0 {
		off = 0
	}
	buf := make([]byte, fi.Size()-off)
	_, _ = f.ReadAt(buf, off)
	return string(buf)
}

// errExited is wrapped by waitFor when the awaited process died.
var errExited = errors.New("process exited")

// waitFor polls ready every 100ms until it returns nil, the process dies, or ctx ends. The last readiness error
// and the log tail are part of the returned error.
func waitFor(ctx context.Context, p *process, ready func(context.Context) error) error {
	var last error
	for {
		if last = ready(ctx); last == nil {
			return nil
		}
		if p != nil && !p.alive() {
			return fmt.Errorf("%s: %w before it was ready (%v); log tail:\n%s", p.Name, errExited, last, p.tail(4000))
		}
		select {
		case <-ctx.Done():
			tail := ""
			if p != nil {
				tail = p.tail(4000)
			}
			return fmt.Errorf("waiting for %s: %w (last: %v); log tail:\n%s", nameOf(p), ctx.Err(), last, tail)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func nameOf(p *process) string {
	if p == nil {
		return "component"
	}
	return p.Name
}

// Agent ports are drawn at random from a band below both Linux's ephemeral range (32768–60999), so that neither
// the kernel's choice of a listening port nor the source port of an outgoing connection lands on a port the
// stack has picked but not yet bound, and Nomad's dynamic port range (nomadDynamicPortLow–High, set explicitly
// in the agent config), so that a task's port mapping never shadows an agent (CNI's port-forwarding rules
// apply to loopback too).
const (
	portRangeLow  = 12000
	portRangeHigh = 19999
)

// Nomad's dynamic port range for task ports on the dev stack.
const (
	nomadDynamicPortLow  = 20000
	nomadDynamicPortHigh = 32000
)

// freePorts picks n distinct ports on 127.0.0.1 that are free for both TCP and UDP (Consul DNS and serf use
// both). They are released before returning; the caller's agent binds them a moment later.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	seen := map[int]bool{}
	for tries := 0; len(ports) < n; tries++ {
		if tries > 1000 {
			return nil, fmt.Errorf("no free ports found in %d–%d", portRangeLow, portRangeHigh)
		}
		port := portRangeLow + mrand.IntN(portRangeHigh-portRangeLow)
		if seen[port] || !portFree(port) {
			continue
		}
		seen[port] = true
		ports = append(ports, port)
	}
	return ports, nil
}

func portFree(port int) bool {
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	l.Close()
	u, err := net.ListenPacket("udp", addr)
	if err != nil {
		return false
	}
	u.Close()
	return true
}

package devstack

import (
	"context"
	"errors"
	"fmt"
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

// freePorts reserves n distinct free TCP ports on 127.0.0.1. The ports are released before returning, so a
// race with another process is possible but unlikely; all listeners are held until every port is chosen so
// that the n ports differ.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for len(ports) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		port := l.Addr().(*net.TCPAddr).Port
		// UDP too: Consul DNS and serf listen on both.
		u, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		u.Close()
		ports = append(ports, port)
	}
	return ports, nil
}

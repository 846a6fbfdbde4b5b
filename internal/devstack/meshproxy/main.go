// Command meshproxy launches Consul's built-in Connect proxy as the sidecar of a bridge-mode Nomad group on
// the dev stack, where Envoy cannot be installed.
//
//	meshproxy -consul /path/to/consul -consul-addr 127.0.0.1:8500 -sidecar-for <Nomad service ID>
//
// Nomad starts it under raw_exec, inside the group's network namespace, so that the proxy's listeners (its
// public port, and each upstream on 127.0.0.1:<local_port>) are where the app and Nomad's port mapping expect
// them. But the Consul agent and the other groups' sidecars listen on the host's loopback (the dev stack binds
// nothing else), which a network namespace cannot reach. So the launcher mirrors those ports: it listens on the
// same address inside the namespace and, for every connection, dials the original from the host's network
// namespace (that of its parent, Nomad's executor), which it enters with setns(2) on a locked thread for the
// dial only. It mirrors the Consul HTTP port, and the port of every instance of every upstream destination
// (watched with blocking queries), then runs `consul connect proxy -sidecar-for`, forwarding signals to it and
// exiting with its status. The built-in proxy binds its public listener to the sidecar's registered address
// (the host's loopback), so the launcher also relays the namespace's own address at that port to it: that is
// where Nomad's port mapping delivers inbound mesh connections. Outside a separate network namespace it runs
// the proxy directly.
//
// It is built from this file alone (standard library only) by devstack, like the pause image.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// setnsSyscall is setns(2)'s number; the syscall package does not name it on every architecture.
var setnsSyscall = map[string]uintptr{"amd64": 308, "arm64": 268, "riscv64": 268, "386": 346, "arm": 375,
	"ppc64le": 350, "s390x": 339}

func main() {
	consulBin := flag.String("consul", "consul", "path of the consul binary")
	consulAddr := flag.String("consul-addr", "127.0.0.1:8500", "host:port of the Consul agent's HTTP API on the host's loopback")
	sidecarFor := flag.String("sidecar-for", "", "Consul service ID of the service whose sidecar to run")
	hostNS := flag.String("host-netns", fmt.Sprintf("/proc/%d/ns/net", os.Getppid()), "network namespace to dial the host's loopback from")
	flag.Parse()
	log.SetPrefix("meshproxy: ")
	log.SetFlags(log.Ltime | log.Lmicroseconds)
	if *sidecarFor == "" {
		log.Fatal("-sidecar-for is required")
	}
	args := []string{"connect", "proxy", "-sidecar-for", *sidecarFor, "-http-addr", *consulAddr}

	same, err := sameNetns("/proc/self/ns/net", *hostNS)
	if err != nil {
		log.Fatal(err)
	}
	if !same {
		h, err := newHostDialer(*hostNS)
		if err != nil {
			log.Fatal(err)
		}
		m := &mirrors{dial: h.dial, active: map[string]bool{}}
		if err := m.ensure(*consulAddr); err != nil {
			log.Fatalf("mirroring the Consul agent: %v", err)
		}
		go m.watchSidecar(*consulAddr, *sidecarFor+"-sidecar-proxy")
	}
	os.Exit(run(*consulBin, args))
}

// run runs consul with args until it exits, forwarding SIGINT and SIGTERM, and returns its exit code.
func run(bin string, args []string) int {
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	if err := cmd.Start(); err != nil {
		log.Printf("starting %s: %v", bin, err)
		return 1
	}
	go func() {
		for s := range sigs {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		log.Print(err)
		return 1
	}
	return 0
}

func sameNetns(a, b string) (bool, error) {
	sa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	sb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(sa, sb), nil
}

// hostDialer dials TCP from the host's network namespace.
type hostDialer struct {
	host, own *os.File
	nr        uintptr
}

func newHostDialer(hostPath string) (*hostDialer, error) {
	nr, ok := setnsSyscall[runtime.GOARCH]
	if !ok {
		return nil, fmt.Errorf("setns: unsupported architecture %s", runtime.GOARCH)
	}
	host, err := os.Open(hostPath)
	if err != nil {
		return nil, err
	}
	// Every thread is still in the namespace the process started in.
	own, err := os.Open("/proc/self/ns/net")
	if err != nil {
		return nil, err
	}
	return &hostDialer{host: host, own: own, nr: nr}, nil
}

func (h *hostDialer) setns(f *os.File) error {
	if _, _, e := syscall.RawSyscall(h.nr, f.Fd(), syscall.CLONE_NEWNET, 0); e != 0 {
		return e
	}
	return nil
}

// dial creates the socket with the calling thread in the host's namespace (a socket stays in the namespace it
// was created in), then moves the thread back. A thread that cannot move back stays locked and dies with its
// goroutine, so no other goroutine ever runs in the wrong namespace.
func (h *hostDialer) dial(ctx context.Context, addr string) (net.Conn, error) {
	errc := make(chan error, 1)
	connc := make(chan net.Conn, 1)
	go func() {
		runtime.LockOSThread()
		if err := h.setns(h.host); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("entering the host network namespace: %w", err)
			return
		}
		conn, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, "tcp", addr)
		if err := h.setns(h.own); err != nil {
			if conn != nil {
				conn.Close()
			}
			errc <- fmt.Errorf("leaving the host network namespace: %w", err)
			return // the thread stays locked and is discarded
		}
		runtime.UnlockOSThread()
		if err != nil {
			errc <- err
			return
		}
		connc <- conn
	}()
	select {
	case c := <-connc:
		return c, nil
	case err := <-errc:
		return nil, err
	}
}

// mirrors are the host loopback ports answered inside the namespace.
type mirrors struct {
	dial   func(context.Context, string) (net.Conn, error)
	mu     sync.Mutex
	active map[string]bool
}

// ensure listens on addr inside the namespace, unless it already does, and relays every connection to addr
// on the host.
func (m *mirrors) ensure(addr string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.active[addr] {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	m.active[addr] = true
	log.Printf("mirroring host %s", addr)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				log.Printf("accept on %s: %v", addr, err)
				return
			}
			go relay(c, func() (net.Conn, error) { return m.dial(context.Background(), addr) }, "host "+addr)
		}
	}()
	return nil
}

// relay copies between c and a connection from dial until both directions are done.
func relay(c net.Conn, dial func() (net.Conn, error), target string) {
	defer c.Close()
	u, err := dial()
	if err != nil {
		log.Printf("dialing %s: %v", target, err)
		return
	}
	defer u.Close()
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		if tc, ok := dst.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
		done <- struct{}{}
	}
	go pipe(u, c)
	go pipe(c, u)
	<-done
	<-done
}

// watchSidecar reads the sidecar's registration from the agent, exposes its public listener and mirrors every
// instance of each upstream destination as long as the launcher runs.
//
// Consul's built-in proxy binds its public listener to the address and port the sidecar is registered with —
// the host's loopback and the host port, not Nomad's bind_address — so inside the namespace it answers on
// 127.0.0.1 only, where the host's port mapping (to the namespace's own address) does not reach it. The
// launcher listens on the namespace's other addresses at that port and relays to the proxy.
func (m *mirrors) watchSidecar(consulAddr, proxyID string) {
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, addr string) (net.Conn, error) {
		return m.dial(ctx, addr)
	}}}
	base := "http://" + consulAddr
	var svc struct {
		Address string
		Port    int
		Proxy   struct {
			Upstreams []struct {
				DestinationName string
				Datacenter      string
			}
		}
	}
	for backoff := 250 * time.Millisecond; ; backoff = min(2*backoff, 5*time.Second) {
		err := getJSON(client, base+"/v1/agent/service/"+url.PathEscape(proxyID), &svc)
		if err == nil {
			break
		}
		log.Printf("reading %s from the agent (retrying): %v", proxyID, err)
		time.Sleep(backoff)
	}
	if ip := net.ParseIP(svc.Address); ip != nil && ip.IsLoopback() && svc.Port != 0 {
		exposePublic(net.JoinHostPort(svc.Address, strconv.Itoa(svc.Port)), svc.Port)
	}
	for _, u := range svc.Proxy.Upstreams {
		go m.watchDestination(client, base, u.DestinationName, u.Datacenter)
	}
}

// exposePublic relays port on every non-loopback IPv4 address of the namespace to the proxy at target.
func exposePublic(target string, port int) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		log.Printf("listing the namespace's addresses: %v", err)
		return
	}
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok || ipn.IP.IsLoopback() || ipn.IP.To4() == nil {
			continue
		}
		addr := net.JoinHostPort(ipn.IP.String(), strconv.Itoa(port))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			log.Printf("exposing the public listener on %s: %v", addr, err)
			continue
		}
		log.Printf("exposing the public listener %s on %s", target, addr)
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					log.Printf("accept on %s: %v", addr, err)
					return
				}
				go relay(c, func() (net.Conn, error) { return net.DialTimeout("tcp", target, 5*time.Second) }, target)
			}
		}()
	}
}

// watchDestination mirrors the loopback address of every instance of the Connect service dest.
func (m *mirrors) watchDestination(client *http.Client, base, dest, dc string) {
	var index uint64
	backoff := 250 * time.Millisecond
	for {
		q := url.Values{"index": {strconv.FormatUint(index, 10)}, "wait": {"30s"}}
		if dc != "" {
			q.Set("dc", dc)
		}
		var entries []struct {
			Node    struct{ Address string }
			Service struct {
				Address string
				Port    int
			}
		}
		next, err := getJSONIndex(client, base+"/v1/health/connect/"+url.PathEscape(dest)+"?"+q.Encode(), &entries)
		if err != nil {
			log.Printf("watching %s (retrying): %v", dest, err)
			time.Sleep(backoff)
			backoff = min(2*backoff, 5*time.Second)
			continue
		}
		backoff = 250 * time.Millisecond
		if next < index {
			next = 0
		}
		index = next
		for _, e := range entries {
			host := e.Service.Address
			if host == "" {
				host = e.Node.Address
			}
			ip := net.ParseIP(host)
			if ip == nil || !ip.IsLoopback() || e.Service.Port == 0 {
				continue
			}
			if err := m.ensure(net.JoinHostPort(host, strconv.Itoa(e.Service.Port))); err != nil {
				log.Printf("cannot mirror %s instance %s:%d: %v", dest, host, e.Service.Port, err)
			}
		}
	}
}

func getJSON(client *http.Client, u string, v any) error {
	_, err := getJSONIndex(client, u, v)
	return err
}

func getJSONIndex(client *http.Client, u string, v any) (uint64, error) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	if tok := os.Getenv("CONSUL_HTTP_TOKEN"); tok != "" {
		req.Header.Set("X-Consul-Token", tok)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return 0, fmt.Errorf("%s: %s", resp.Status, b)
	}
	idx, _ := strconv.ParseUint(resp.Header.Get("X-Consul-Index"), 10, 64)
	return idx, json.NewDecoder(resp.Body).Decode(v)
}

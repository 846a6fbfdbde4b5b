package compile_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner/compile"
)

// BenchmarkCompile measures the whole cost of going from a spec file to Nomad jobs: jobspec.Parse of the
// source (held in memory, as the API server gets it) and compile.Compile. scripts/bench-compile compares it
// with BenchmarkNomadParse.
func BenchmarkCompile(b *testing.B) {
	for _, e := range examples(b) {
		src, err := os.ReadFile(e.Path)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(e.Name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				app, diags := jobspec.Parse(e.Path, src, e.options())
				if diags.HasErrors() {
					b.Fatal(diags.Error())
				}
				if _, err := compile.Compile(app, corpusOptions()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkNomadParse measures Nomad's own parser on the hand-written jobs of the same app (the cost of the
// equivalent Nomad files): one op is one PUT /v1/jobs/parse per file of the example, to a `nomad agent -dev` of
// the pinned binary that the benchmark starts on loopback and stops after. ns/op is the whole round trip (the
// client's JSON encoding, loopback HTTP, the agent's jobspec2 parse and JSON encoding, the client's decoding
// into nomadapi.Job; uncompressed, see identityEncoding) with nothing subtracted. B/op and allocs/op are this
// test process's side of it only; the agent's side is reported as agent-B/op and agent-allocs/op: the growth of
// the agent's runtime.MemStats TotalAlloc and Mallocs over the loop, divided by the ops, which includes the
// agent's background work (a few hundred KB/s when idle). A missing nomad binary fails the benchmark.
func BenchmarkNomadParse(b *testing.B) {
	nomad := startNomadDev(b, findNomad(b))
	for _, e := range examples(b) {
		files := nomadFiles(b, e.Name)
		if len(files) == 0 {
			b.Fatalf("testdata/nomad/%s holds no jobs", e.Name)
		}
		reqs := make([]*nomadapi.JobsParseRequest, len(files))
		for i, f := range files {
			reqs[i] = &nomadapi.JobsParseRequest{JobHCL: string(f.Body)}
		}
		b.Run(e.Name, func(b *testing.B) {
			b.ReportAllocs()
			before := agentAllocs(b, nomad)
			ops := 0
			for b.Loop() {
				for i, req := range reqs {
					if _, err := nomad.Jobs().ParseHCLOpts(req); err != nil {
						b.Fatalf("%s: %v", files[i].Path, err)
					}
				}
				ops++
			}
			after := agentAllocs(b, nomad)
			b.ReportMetric(float64(after.bytes-before.bytes)/float64(ops), "agent-B/op")
			b.ReportMetric(float64(after.mallocs-before.mallocs)/float64(ops), "agent-allocs/op")
		})
	}
}

// memStats is what agentAllocs reads of an agent's runtime.MemStats.
type memStats struct {
	bytes, mallocs uint64
}

// agentAllocs reads TotalAlloc and Mallocs of the agent's Go runtime from its heap profile in text form
// (/v1/agent/pprof/heap?debug=1 ends with the runtime.MemStats; a dev agent enables the endpoint).
func agentAllocs(tb testing.TB, c *nomadapi.Client) memStats {
	tb.Helper()
	prof, err := c.Agent().Lookup("heap", nomadapi.PprofOptions{Debug: 1}, nil)
	if err != nil {
		tb.Fatalf("reading the agent's heap profile: %v", err)
	}
	var m memStats
	found := 0
	sc := bufio.NewScanner(bytes.NewReader(prof))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimPrefix(sc.Text(), "# "), " = ")
		if !ok {
			continue
		}
		switch k {
		case "TotalAlloc":
			m.bytes, err = strconv.ParseUint(v, 10, 64)
		case "Mallocs":
			m.mallocs, err = strconv.ParseUint(v, 10, 64)
		default:
			continue
		}
		if err != nil {
			tb.Fatalf("agent heap profile: %s: %v", k, err)
		}
		found++
	}
	if found != 2 {
		tb.Fatalf("the agent's heap profile holds no runtime.MemStats TotalAlloc and Mallocs")
	}
	return m
}

// startNomadDev starts `nomad agent -dev` (server and client in one, in-memory state) on free loopback ports,
// with a data dir and log in tb's temp dir, waits until it parses a job, and stops it in tb.Cleanup; the tail of
// its log is logged when tb failed. It is configured like internal/devstack's agent where that matters here
// (no cloud fingerprinting, no update check) and kept to itself: it joins and registers with no Consul that
// happens to listen on the default address, and it has no docker driver, whose dangling-container collector
// would remove the containers of other Nomad agents on this machine.
func startNomadDev(tb testing.TB, nomad nomadCLI) *nomadapi.Client {
	tb.Helper()
	dir := tb.TempDir()
	ports := freeLoopbackPorts(tb, 3)
	cfg := fmt.Sprintf(`
data_dir             = %q
bind_addr            = "127.0.0.1"
log_level            = "WARN"
disable_update_check = true
ports {
  http = %d
  rpc  = %d
  serf = %d
}
client {
  options = {
    "fingerprint.denylist" = "env_aws,env_gce,env_azure,env_digitalocean"
    "driver.denylist"      = "docker"
  }
}
consul {
  server_auto_join = false
  client_auto_join = false
  auto_advertise   = false
}
`, filepath.Join(dir, "data"), ports[0], ports[1], ports[2])
	cfgPath := filepath.Join(dir, "agent.hcl")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		tb.Fatal(err)
	}
	logPath := filepath.Join(dir, "agent.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(nomad.bin, "agent", "-dev", "-config", cfgPath)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		tb.Fatalf("starting %s agent -dev: %v", nomad.bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); logFile.Close() }()
	tb.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if tb.Failed() {
			tb.Logf("nomad agent -dev log (tail):\n%s", logTail(logPath, 4096))
		}
	})

	ncfg := nomadapi.DefaultConfig()
	ncfg.Address = fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DisableCompression = true // or the transport asks for gzip itself
	ncfg.HttpClient = &http.Client{Transport: identityEncoding{tr}}
	c, err := nomadapi.NewClient(ncfg)
	if err != nil {
		tb.Fatal(err)
	}
	probe := &nomadapi.JobsParseRequest{JobHCL: `job "probe" {
  group "g" {
    task "t" {
      driver = "docker"
    }
  }
}`}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		_, err := c.Jobs().ParseHCLOpts(probe)
		if err == nil {
			return c
		}
		select {
		case werr := <-exited:
			exited <- werr // for the cleanup
			tb.Fatalf("nomad agent -dev exited before it was ready: %v", werr)
		case <-ctx.Done():
			tb.Fatalf("nomad agent -dev did not answer /v1/jobs/parse within 30s: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// identityEncoding sends requests without an Accept-Encoding header, so that the agent answers uncompressed:
// nomadapi asks for gzip on every request, and the agent's gzip writer would cost it about 0.8 MB per answer,
// which is transport and not parsing (`nomad job run` parses without any HTTP at all).
type identityEncoding struct {
	next http.RoundTripper
}

func (t identityEncoding) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Del("Accept-Encoding")
	return t.next.RoundTrip(req)
}

// freeLoopbackPorts returns n distinct ports of 127.0.0.1 that the kernel handed out as free for TCP and that
// are free for UDP too (serf uses both). They are released before returning, so an agent can bind them.
func freeLoopbackPorts(tb testing.TB, n int) []int {
	tb.Helper()
	var ports []int
	var held []net.Listener
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	for tries := 0; len(ports) < n; tries++ {
		if tries > 100 {
			tb.Fatalf("found only %d free loopback ports of %d", len(ports), n)
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatal(err)
		}
		held = append(held, l)
		port := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		u.Close()
		ports = append(ports, port)
	}
	return ports
}

// logTail returns the last n bytes of the file at path, or why it cannot.
func logTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

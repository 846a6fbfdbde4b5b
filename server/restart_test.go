package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
	"github.com/skiffpaas/skiff/planner"
)

// TestServeKilledMidDeployment is R6: `skiff serve` is killed with SIGKILL while a deployment it runs is rolling
// out; a restarted server reports the release and the deployment from Nomad and Consul, the event stream
// resumes after Last-Event-ID and ends with the outcome, and nothing was applied twice.
func TestServeKilledMidDeployment(t *testing.T) {
	s := stack.Get(t)
	image, _ := devstacktest.DemoImage(t, "api")
	bin, addr := buildSkiff(t), freeAddr(t)
	serve := func() *exec.Cmd { return startServe(t, bin, addr, s.Env()) }
	c := &apiClient{t: t, base: "http://" + addr, http: &http.Client{Timeout: 2 * time.Minute}}
	app := "/v1/namespaces/default/apps/ci-r6"
	spec := scenarioSpec(image, "v1", false)
	spec["spec"] = strings.NewReplacer(`app "ci"`, `app "ci-r6"`, `path  = "/ci"`, `path  = "/ci-r6"`,
		`min_healthy_time  = "1s"`, `min_healthy_time  = "8s"`, `healthy_deadline  = "10s"`, `healthy_deadline  = "40s"`,
		`progress_deadline = "15s"`, `progress_deadline = "60s"`).Replace(spec["spec"].(string))

	first := serve()
	t.Cleanup(func() { _ = first.Process.Kill() })
	status, hdr, body := c.do("POST", app+"/deployments", spec)
	if status != 202 {
		t.Fatalf("deploy: %d %s", status, body)
	}
	last := readUntil(t, c.base+hdr.Get("Location")+"/events", "progress")
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()

	second := serve()
	t.Cleanup(func() {
		c.do("DELETE", app, nil)
		_ = second.Process.Signal(syscall.SIGTERM)
		_ = second.Wait()
	})
	status, _, body = c.do("GET", app+"/deployments/1", nil)
	var d struct{ State string }
	if err := json.Unmarshal(body, &d); status != 200 || err != nil || (d.State != "deploying" && d.State != "succeeded") {
		t.Fatalf("deployment after the restart: %d %s", status, body)
	}
	events := c.events(app+"/deployments/1/events", last, 2*time.Minute)
	if id := events[0]["id"].(float64); int(id) != last+1 {
		t.Errorf("resumed stream starts at id %v, want %d", id, last+1)
	}
	if end := events[len(events)-1]; end["state"] != "succeeded" {
		t.Fatalf("resumed stream ended %v", end)
	}
	n, _ := s.Nomad.Client()
	job, _, err := n.Jobs().Info("ci-r6", nil)
	if err != nil || *job.Version != 0 {
		t.Fatalf("job version %v (%v): the deploy was applied more than once", job, err)
	}
	cl, _ := s.Consul.Client()
	rs, err := planner.NewStack(n, cl).History(context.Background(), "default", "ci-r6")
	if err != nil || len(rs) != 1 {
		t.Fatalf("releases %d (%v), want 1", len(rs), err)
	}
}

// readUntil reads an event stream until an event of kind, and returns that event's id.
func readUntil(t *testing.T, url, kind string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var e map[string]any
		_ = json.Unmarshal([]byte(data), &e)
		if e["kind"] == kind {
			return int(e["id"].(float64))
		}
		if e["kind"] == "end" {
			t.Fatalf("the deployment ended before a %s event: %v", kind, e)
		}
	}
	t.Fatalf("stream ended without a %s event", kind)
	return 0
}

// buildSkiff builds the skiff CLI into a temp dir.
func buildSkiff(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "skiff")
	build := exec.Command("go", "build", "-o", bin, "./cmd/skiff")
	build.Dir = devstacktest.ModuleRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building skiff: %v\n%s", err, out)
	}
	return bin
}

// freeAddr returns a free loopback address.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServe starts `skiff serve` on addr with the stack's env and waits until it answers.
func startServe(t *testing.T, bin, addr string, env map[string]string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "-addr", addr}, args...)...)
	cmd.Env = append(os.Environ(), "SKIFF_SERVER_TOKEN="+token)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if resp, err := http.Get("http://" + addr + "/v1/health"); err == nil {
			resp.Body.Close()
			return cmd
		}
		if time.Now().After(deadline) {
			t.Fatal("skiff serve never answered /v1/health")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestServeDrainsOnSIGTERM stops `skiff serve` with SIGTERM while a deployment rolls out: it stops accepting,
// lets the deployment finish within -drain, records the release succeeded and exits 0.
func TestServeDrainsOnSIGTERM(t *testing.T) {
	s := stack.Get(t)
	image, _ := devstacktest.DemoImage(t, "api")
	bin, addr := buildSkiff(t), freeAddr(t)
	srv := startServe(t, bin, addr, s.Env(), "-drain", "90s")
	c := &apiClient{t: t, base: "http://" + addr, http: &http.Client{Timeout: time.Minute}}
	app := "/v1/namespaces/default/apps/ci-drain"
	spec := scenarioSpec(image, "v1", false)
	spec["spec"] = strings.NewReplacer(`app "ci"`, `app "ci-drain"`, `path  = "/ci"`, `path  = "/ci-drain"`,
		`min_healthy_time  = "1s"`, `min_healthy_time  = "6s"`, `healthy_deadline  = "10s"`, `healthy_deadline  = "40s"`,
		`progress_deadline = "15s"`, `progress_deadline = "60s"`).Replace(spec["spec"].(string))
	status, hdr, body := c.do("POST", app+"/deployments", spec)
	if status != 202 {
		t.Fatalf("deploy: %d %s", status, body)
	}
	readUntil(t, c.base+hdr.Get("Location")+"/events", "progress")
	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := srv.Wait(); err != nil {
		t.Fatalf("skiff serve exited with %v after SIGTERM", err)
	}
	n, _ := s.Nomad.Client()
	cl, _ := s.Consul.Client()
	st := planner.NewStack(n, cl)
	t.Cleanup(func() { _, _ = st.Destroy(context.Background(), "default", "ci-drain", planner.DeployOptions{}) })
	rs, err := st.Releases.List(context.Background(), "default", "ci-drain")
	if err != nil || len(rs) != 1 || rs[0].State != "succeeded" {
		t.Fatalf("after the drain: %+v, %v; want release 1 succeeded by the draining server", rs, err)
	}
}

package devstack_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
	"github.com/jackc/pgx/v5"

	"github.com/skiffpaas/skiff/internal/devstack"
	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
)

// TestProofRealStack exercises every real component once, before any skiff feature exists: a FROM-scratch
// image under the docker driver registered in Consul (through workload identity), found by DNS SRV, routed by
// Fabio, reading a Vault-issued Postgres credential through workload identity; Vault credentials that log in to
// Postgres; and the same binary under the exec driver.
func TestProofRealStack(t *testing.T) {
	s := devstacktest.Start(t)
	image, binary := devstacktest.DemoImage(t, "proof")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	// The exec task downloads the binary as an artifact from this loopback server.
	files := httptest.NewServer(http.FileServer(http.Dir(filepath.Dir(binary))))
	defer files.Close()

	setupVaultDBRole(t, ctx, s)

	nomad, err := s.Nomad.Client()
	if err != nil {
		t.Fatal(err)
	}
	job := proofJob(image, files.URL+"/demoapp", s.Postgres.Addr)
	if _, _, err := nomad.Jobs().Register(job, nil); err != nil {
		t.Fatalf("registering job: %v", err)
	}

	t.Run("consul service passing (docker)", func(t *testing.T) { waitPassing(t, ctx, s, "proof-docker") })
	t.Run("consul service passing (exec)", func(t *testing.T) {
		addr := waitPassing(t, ctx, s, "proof-exec")
		body := waitHTTP(t, ctx, "http://"+addr+"/")
		if !strings.Contains(body, "hello from proof-exec") {
			t.Fatalf("exec app answered %q", body)
		}
	})
	t.Run("dns srv", func(t *testing.T) {
		addr := waitPassing(t, ctx, s, "proof-docker")
		_, port, _ := net.SplitHostPort(addr)
		srv := devstacktest.SRV(t, s.Consul.DNSAddr, "proof-docker.service.consul.")
		if len(srv) != 1 || fmt.Sprint(srv[0].Port) != port {
			t.Fatalf("SRV answers %v, want one with port %s", srv, port)
		}
	})
	t.Run("fabio route", func(t *testing.T) {
		body := waitHTTP(t, ctx, "http://"+s.Fabio.ProxyAddr+"/proof/")
		if !strings.Contains(body, "hello from proof-docker") {
			t.Fatalf("fabio answered %q", body)
		}
	})
	t.Run("app reads vault db creds via workload identity", func(t *testing.T) {
		body := waitHTTP(t, ctx, "http://"+s.Fabio.ProxyAddr+"/proof/db")
		if strings.TrimSpace(body) != "db ok" {
			t.Fatalf("/db answered %q", body)
		}
	})
	t.Run("vault dynamic postgres credential", func(t *testing.T) {
		vault, _ := s.Vault.Client()
		sec, err := vault.Logical().ReadWithContext(ctx, "database/creds/proof")
		if err != nil {
			t.Fatal(err)
		}
		user, pass := sec.Data["username"].(string), sec.Data["password"].(string)
		conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://%s:%s@%s/postgres?sslmode=disable", user, pass, s.Postgres.Addr))
		if err != nil {
			t.Fatalf("login with the Vault-issued credential failed: %v", err)
		}
		defer conn.Close(ctx)
		var one int
		if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
			t.Fatalf("SELECT 1 = %d, %v", one, err)
		}
	})
}

func proofJob(image, artifactURL, pgAddr string) *nomadapi.Job {
	job := nomadapi.NewServiceJob("proof", "proof", "global", 50)
	job.Datacenters = []string{"dc1"}
	check := func() []nomadapi.ServiceCheck {
		return []nomadapi.ServiceCheck{{Name: "healthz", Type: "http", Path: "/healthz",
			Interval: time.Second, Timeout: time.Second}}
	}
	port := func() []*nomadapi.NetworkResource {
		return []*nomadapi.NetworkResource{{DynamicPorts: []nomadapi.Port{{Label: "http"}}}}
	}
	docker := nomadapi.NewTaskGroup("docker", 1)
	docker.Networks = port()
	docker.Services = []*nomadapi.Service{{Name: "proof-docker", PortLabel: "http", Provider: "consul",
		Tags: []string{"urlprefix-/proof strip=/proof"}, Checks: check()}}
	dt := nomadapi.NewTask("app", "docker")
	dt.Config = map[string]interface{}{"image": image, "network_mode": "host"}
	dt.Env = map[string]string{"APP_NAME": "proof-docker"}
	dt.Vault = &nomadapi.Vault{Role: "proof"}
	tmpl := fmt.Sprintf(`{{ with secret "database/creds/proof" }}DATABASE_URL=postgres://{{ .Data.username }}:{{ .Data.password }}@%s/postgres?sslmode=disable{{ end }}`, pgAddr)
	dt.Templates = []*nomadapi.Template{{EmbeddedTmpl: &tmpl, DestPath: ptr("secrets/db.env"), Envvars: ptr(true)}}
	dt.Resources = &nomadapi.Resources{CPU: ptr(100), MemoryMB: ptr(64)}
	docker.AddTask(dt)

	exec := nomadapi.NewTaskGroup("exec", 1)
	exec.Networks = port()
	exec.Services = []*nomadapi.Service{{Name: "proof-exec", PortLabel: "http", Provider: "consul", Checks: check()}}
	et := nomadapi.NewTask("app", "exec")
	et.Config = map[string]interface{}{"command": "local/demoapp"}
	et.Env = map[string]string{"APP_NAME": "proof-exec"}
	et.Artifacts = []*nomadapi.TaskArtifact{{GetterSource: ptr(artifactURL), GetterMode: ptr("file"),
		RelativeDest: ptr("local/demoapp")}}
	et.Resources = &nomadapi.Resources{CPU: ptr(100), MemoryMB: ptr(64)}
	exec.AddTask(et)

	job.AddTaskGroup(docker)
	job.AddTaskGroup(exec)
	return job
}

// setupVaultDBRole creates the database role "proof" and a JWT role of the same name whose tokens may read its
// credentials — what skiff's secrets package does per binding.
func setupVaultDBRole(t *testing.T, ctx context.Context, s *devstack.Stack) {
	t.Helper()
	vault, err := s.Vault.Client()
	if err != nil {
		t.Fatal(err)
	}
	writes := []struct {
		path string
		data map[string]interface{}
	}{
		{"database/roles/proof", map[string]interface{}{
			"db_name":             s.Vault.DatabaseConfig,
			"creation_statements": []string{`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';`},
			"default_ttl":         "1h", "max_ttl": "2h"}},
		{"auth/" + s.Vault.JWTPath + "/role/proof", map[string]interface{}{
			"role_type": "jwt", "bound_audiences": []string{"vault.io"},
			"user_claim": "/nomad_job_id", "user_claim_json_pointer": true,
			"token_type": "service", "token_policies": []string{"proof-db"}, "token_period": "30m"}},
	}
	if err := vault.Sys().PutPolicyWithContext(ctx, "proof-db", `path "database/creds/proof" { capabilities = ["read"] }`); err != nil {
		t.Fatal(err)
	}
	for _, w := range writes {
		if _, err := vault.Logical().WriteWithContext(ctx, w.path, w.data); err != nil {
			t.Fatalf("writing %s: %v", w.path, err)
		}
	}
}

// waitPassing waits until Consul lists a passing instance of service and returns its address.
func waitPassing(t *testing.T, ctx context.Context, s *devstack.Stack, service string) string {
	t.Helper()
	consul, err := s.Consul.Client()
	if err != nil {
		t.Fatal(err)
	}
	for {
		entries, _, err := consul.Health().Service(service, "", true, nil)
		if err == nil && len(entries) > 0 {
			e := entries[0]
			return net.JoinHostPort(e.Service.Address, fmt.Sprint(e.Service.Port))
		}
		select {
		case <-ctx.Done():
			t.Fatalf("service %s never passing (last err %v)", service, err)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// waitHTTP GETs url until it answers 200 and returns the body.
func waitHTTP(t *testing.T, ctx context.Context, url string) string {
	t.Helper()
	var last string
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return string(b)
			}
			last = fmt.Sprintf("%s: %s", resp.Status, b)
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			t.Fatalf("GET %s never answered 200 (last: %s)", url, last)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func ptr[T any](v T) *T { return &v }

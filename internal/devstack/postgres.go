package devstack

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/jackc/pgx/v5"
)

// PostgresInfo is where the stack's Postgres listens and its superuser, which Vault's database secrets engine
// uses to create dynamic users.
type PostgresInfo struct {
	Addr     string `json:"addr"` // host:port
	User     string `json:"user"`
	Password string `json:"password"`
	// Dir is Postgres's own dir when it is not inside the stack dir (Stop removes it); empty otherwise.
	Dir string `json:"dir,omitempty"`
}

// URL returns a connection URL for the superuser.
func (p *PostgresInfo) URL() string {
	return fmt.Sprintf("postgres://%s:%s@%s/postgres?sslmode=disable", p.User, p.Password, p.Addr)
}

// postgresBinDir finds initdb and postgres: PATH first, then Debian's layout.
func postgresBinDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if _, err := exec.LookPath("postgres"); err == nil {
			return filepath.Dir(p), nil
		}
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) > 0 {
		return filepath.Dir(matches[len(matches)-1]), nil
	}
	return "", fmt.Errorf("postgres not found: install Debian's postgresql-15 (initdb and postgres must be on PATH " +
		"or under /usr/lib/postgresql/*/bin)")
}

// postgresCredential returns the user to run Postgres as: itself when not root, else the "postgres" system user
// (Postgres refuses to run as root).
func postgresCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root and there is no 'postgres' user to run Postgres as: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func startPostgres(dir, password string) (*process, *PostgresInfo, error) {
	bindir, err := postgresBinDir()
	if err != nil {
		return nil, nil, err
	}
	cred, err := postgresCredential()
	if err != nil {
		return nil, nil, err
	}
	ports, err := freePorts(1)
	if err != nil {
		return nil, nil, err
	}
	info := &PostgresInfo{Addr: fmt.Sprintf("127.0.0.1:%d", ports[0]), User: "skiff", Password: password}
	pgdir := filepath.Join(dir, "postgres")
	if cred != nil && !traversable(dir) {
		// The stack dir sits below a directory the postgres user cannot enter (such as root's home, where
		// `skiff dev up` keeps its state): give Postgres a dir of its own under the temp dir.
		if pgdir, err = os.MkdirTemp("", "skiff-postgres-"); err != nil {
			return nil, nil, err
		}
		info.Dir = pgdir
	}
	data := filepath.Join(pgdir, "data")
	if err := os.MkdirAll(pgdir, 0o700); err != nil {
		return nil, nil, err
	}
	pwfile := filepath.Join(pgdir, "pwfile")
	if err := os.WriteFile(pwfile, []byte(password+"\n"), 0o600); err != nil {
		return nil, nil, err
	}
	if cred != nil {
		// The stack dir must be traversable by the postgres user; its own dir belongs to it.
		if err := os.Chmod(dir, 0o711); err != nil {
			return nil, nil, err
		}
		for _, p := range []string{pgdir, pwfile} {
			if err := os.Chown(p, int(cred.Uid), int(cred.Gid)); err != nil {
				return nil, nil, err
			}
		}
	}
	initdb := exec.Command(filepath.Join(bindir, "initdb"), "-D", data, "-U", info.User, "--pwfile", pwfile,
		"--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--no-instructions")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, nil, fmt.Errorf("initdb: %w: %s", err, out)
	}
	_ = os.Remove(pwfile)
	args := []string{"-D", data, "-p", strconv.Itoa(ports[0]), "-k", pgdir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "log_destination=stderr"}
	p, err := startProcess(pgdir, "postgres", filepath.Join(bindir, "postgres"), args, nil, cred)
	if err != nil {
		return nil, nil, err
	}
	return p, info, nil
}

func postgresReady(info *PostgresInfo) func(context.Context) error {
	return func(ctx context.Context) error {
		conn, err := pgx.Connect(ctx, info.URL())
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		var one int
		return conn.QueryRow(ctx, "SELECT 1").Scan(&one)
	}
}

// traversable reports whether every directory from / down to dir may be entered by other users, so that the
// postgres user can reach a dir inside it.
func traversable(dir string) bool {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	for p := filepath.Dir(abs); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		if p == "/" {
			return true
		}
	}
}

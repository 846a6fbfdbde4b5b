package devstack

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

//go:embed versions.env
var versionsEnv string

// Components lists the HashiCorp-stack binaries that devstack runs, in start order.
var Components = []string{"consul", "vault", "nomad", "fabio"}

// Pins returns the pinned version of each binary in Components, keyed by binary name.
func Pins() map[string]string {
	pins := make(map[string]string)
	sc := bufio.NewScanner(strings.NewReader(versionsEnv))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || !strings.HasSuffix(k, "_VERSION") {
			continue
		}
		pins[strings.ToLower(strings.TrimSuffix(k, "_VERSION"))] = v
	}
	return pins
}

// MissingBinaryError reports a binary that is neither on PATH nor in SKIFF_BIN_DIR.
type MissingBinaryError struct {
	Name    string
	Version string
	Looked  []string
}

func (e *MissingBinaryError) Error() string {
	return fmt.Sprintf("%s %s not found (looked in PATH and %s); install it with scripts/install-hashistack",
		e.Name, e.Version, strings.Join(e.Looked, ", "))
}

// VersionMismatchError reports a binary whose version is not the pinned one.
type VersionMismatchError struct {
	Name, Path, Want, Got string
}

func (e *VersionMismatchError) Error() string {
	return fmt.Sprintf("%s at %s is version %q, skiff needs %s; put the pinned version first on PATH or in SKIFF_BIN_DIR "+
		"(scripts/install-hashistack installs it)", e.Name, e.Path, e.Got, e.Want)
}

// BinDir returns the directory where scripts/install-hashistack installs binaries: $SKIFF_BIN_DIR, else
// ~/.local/share/skiff/bin.
func BinDir() string {
	if d := os.Getenv("SKIFF_BIN_DIR"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "skiff-bin")
	}
	return filepath.Join(home, ".local", "share", "skiff", "bin")
}

var versionRE = regexp.MustCompile(`v?(\d+\.\d+\.\d+)`)

// FindBinary locates the named binary (PATH first, then BinDir) and checks that it reports the pinned version.
// The first candidate with the right version wins; if only wrong versions exist, the error says so.
func FindBinary(name string) (string, error) {
	want := Pins()[name]
	var candidates []string
	if p, err := exec.LookPath(name); err == nil {
		candidates = append(candidates, p)
	}
	if p := filepath.Join(BinDir(), name); fileExecutable(p) {
		candidates = append(candidates, p)
	}
	var mismatch error
	for _, p := range candidates {
		got, err := binaryVersion(name, p)
		if err != nil {
			mismatch = err
			continue
		}
		if want == "" || got == want {
			return p, nil
		}
		mismatch = &VersionMismatchError{Name: name, Path: p, Want: want, Got: got}
	}
	if mismatch != nil {
		return "", mismatch
	}
	return "", &MissingBinaryError{Name: name, Version: want, Looked: []string{BinDir()}}
}

func binaryVersion(name, path string) (string, error) {
	arg := "version"
	if name == "fabio" {
		arg = "-v"
	}
	out, err := exec.Command(path, arg).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("running %s %s: %w: %s", path, arg, err, out)
	}
	m := versionRE.FindSubmatch(out)
	if m == nil {
		return "", fmt.Errorf("%s %s printed no version: %q", path, arg, out)
	}
	return string(m[1]), nil
}

func fileExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// errNoDocker is returned when the Docker engine does not answer.
var errNoDocker = errors.New("the Docker engine is not reachable (is dockerd running? `docker info` must succeed)")

package devstacktest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/skiffpaas/skiff/internal/devstack"
)

// DemoImage builds internal/demoapp as a static binary, packs it FROM scratch into a local Docker image tagged
// "skiff-demo:<version>", and returns the tag. The binary itself is returned too, for exec-driver tests.
func DemoImage(t testing.TB, version string) (tag, binary string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	root := ModuleRoot(t)
	binary = filepath.Join(t.TempDir(), "demoapp")
	if err := devstack.BuildGoBinary(ctx, root, "./internal/demoapp", binary); err != nil {
		t.Fatal(err)
	}
	tag = "skiff-demo:" + version
	if err := devstack.BuildScratchImage(ctx, tag, binary); err != nil {
		t.Fatal(err)
	}
	return tag, binary
}

// ModuleRoot returns the directory holding skiff's go.mod.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		t.Fatalf("not inside the skiff module")
	}
	return filepath.Dir(gomod)
}

package devstack

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

//go:embed pause/main.go
var pauseSource []byte

// PauseImage is the tag of the locally built infra image for bridge-mode groups. Bump the suffix when the
// pause source changes.
const PauseImage = "skiff-pause:1"

// DockerAvailable returns nil when the Docker engine answers.
func DockerAvailable(ctx context.Context) error {
	if _, err := exec.LookPath("docker"); err != nil {
		return fmt.Errorf("%w: the docker CLI is not on PATH", errNoDocker)
	}
	out, err := exec.CommandContext(ctx, "docker", "version", "--format", "{{.Server.Version}}").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w: %s", errNoDocker, strings.TrimSpace(string(out)))
	}
	return nil
}

// ImageExists reports whether the Docker engine has an image with the given tag.
func ImageExists(ctx context.Context, tag string) bool {
	return exec.CommandContext(ctx, "docker", "image", "inspect", tag).Run() == nil
}

// BuildGoBinary compiles the Go main package at pkg (an import path or a directory, resolved in dir) into a
// static linux binary at out.
func BuildGoBinary(ctx context.Context, dir, pkg, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w: %s", pkg, err, b)
	}
	return nil
}

// BuildScratchImage builds a Docker image tagged tag that holds only the static binary at bin, as /app, run as
// its default command (CMD, so a Nomad task's command replaces it) — FROM scratch, so that nothing needs to be
// pulled.
func BuildScratchImage(ctx context.Context, tag, bin string) error {
	ctxDir, err := os.MkdirTemp("", "skiff-image-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(ctxDir)
	b, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(ctxDir, "app"), b, 0o755); err != nil {
		return err
	}
	dockerfile := "FROM scratch\nCOPY app /app\nCMD [\"/app\"]\n"
	if err := os.WriteFile(filepath.Join(ctxDir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "docker", "build", "-q", "-t", tag, ctxDir)
	// The classic builder needs no build-kit images, which could not be pulled here.
	cmd.Env = append(os.Environ(), "DOCKER_BUILDKIT=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("docker build %s: %w: %s", tag, err, out)
	}
	return nil
}

// ensurePauseImage builds PauseImage from the embedded pause source unless the engine already has it.
func ensurePauseImage(ctx context.Context) error {
	if ImageExists(ctx, PauseImage) {
		return nil
	}
	dir, err := os.MkdirTemp("", "skiff-pause-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "main.go"), pauseSource, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module skiffpause\n\ngo 1.21\n"), 0o644); err != nil {
		return err
	}
	bin := filepath.Join(dir, "pause")
	if err := BuildGoBinary(ctx, dir, ".", bin); err != nil {
		return err
	}
	return BuildScratchImage(ctx, PauseImage, bin)
}

// removeNomadContainers force-removes the Docker containers that the Nomad client with the given data dir
// started (it labels them with the alloc ID; their names end in the alloc ID, whose dir lives in the data dir).
func removeNomadContainers(ctx context.Context, allocDir string) {
	entries, err := os.ReadDir(allocDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		out, err := exec.CommandContext(ctx, "docker", "ps", "-aq", "--filter",
			"label=com.hashicorp.nomad.alloc_id="+e.Name()).Output()
		if err != nil {
			continue
		}
		for _, id := range strings.Fields(string(out)) {
			_ = exec.CommandContext(ctx, "docker", "rm", "-f", id).Run()
		}
	}
}

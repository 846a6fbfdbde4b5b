package devstack_test

import (
	"testing"

	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
)

func TestStackStartStop(t *testing.T) {
	s := devstacktest.Start(t)
	if s.Nomad == nil || s.Consul == nil || s.Vault == nil || s.Fabio == nil || s.Postgres == nil {
		t.Fatalf("stack incomplete: %+v", s)
	}
}

package planner_test

import (
	"os"
	"testing"

	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
)

// stack is the one dev stack every end-to-end test of this package shares (each uses apps of its own).
var stack devstacktest.Shared

func TestMain(m *testing.M) { os.Exit(stack.Run(m)) }

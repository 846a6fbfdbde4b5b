package server_test

import (
	"os"
	"testing"

	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
)

// stack is the one dev stack the server's end-to-end tests share.
var stack devstacktest.Shared

func TestMain(m *testing.M) { os.Exit(stack.Run(m)) }

// Command pause is the infra container of bridge-mode Nomad groups on the dev stack: it holds the group's
// network namespace and exits on SIGTERM or SIGINT. It is built FROM scratch by devstack because no image can be
// pulled on the machines skiff is tested on.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM, syscall.SIGINT)
	<-c
}

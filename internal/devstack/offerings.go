package devstack

import (
	"context"
	"net"
	"strconv"

	"github.com/skiffpaas/skiff/secrets"
)

// registerOfferings puts the stack's Postgres into skiff's offerings catalog as "postgres", so that specs can
// bind it: Vault's database engine issues the credentials, apps connect to 127.0.0.1 (processes in the host's
// network namespace, such as exec tasks, reach it; docker bridge containers do not).
func registerOfferings(ctx context.Context, c *ConsulInfo, v *VaultInfo, pg *PostgresInfo) error {
	client, err := c.Client()
	if err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(pg.Addr)
	if err != nil {
		return err
	}
	p, _ := strconv.Atoi(port)
	return (&secrets.Offerings{KV: client.KV()}).Put(ctx, &secrets.Offering{
		Name: "postgres", Kind: "postgres", Host: host, Port: p, Database: "postgres",
		VaultMount: v.DatabaseMount, VaultConnection: v.DatabaseConfig,
	})
}

package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/hashicorp/cli"
	consulapi "github.com/hashicorp/consul/api"

	"github.com/skiffpaas/skiff/secrets"
)

// offeringsCommand lists the offerings catalog.
type offeringsCommand struct{ ui cli.Ui }

func (c *offeringsCommand) Synopsis() string { return "List the backing services apps can bind" }
func (c *offeringsCommand) Help() string {
	return `Usage: skiff offerings [-json]

  Lists the offerings catalog (Consul KV skiff/offerings/): each backing service a bind block can name,
  where it is, and the Vault database connection that issues its credentials.`
}

func (c *offeringsCommand) Run(args []string) int {
	fl := flag.NewFlagSet("offerings", flag.ContinueOnError)
	asJSON := fl.Bool("json", false, "print JSON")
	token := addTokenFlag(fl)
	if err := fl.Parse(args); err != nil {
		return 1
	}
	ctx, cancel := signalContext()
	defer cancel()
	list, err := listOfferings(ctx, token)
	if err != nil {
		return reportError(c.ui, "offerings", err)
	}
	if *asJSON {
		b, _ := json.MarshalIndent(list, "", "  ")
		c.ui.Output(string(b))
		return 0
	}
	tw := tabwriter.NewWriter(stdout(c.ui), 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tADDRESS\tDATABASE\tVAULT")
	for _, o := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s:%d\t%s\t%s/config/%s\n", o.Name, o.Kind, o.Host, o.Port, o.Database, o.VaultMount, o.VaultConnection)
	}
	tw.Flush()
	return 0
}

// offeringsRegisterCommand adds an offering.
type offeringsRegisterCommand struct{ ui cli.Ui }

func (c *offeringsRegisterCommand) Synopsis() string {
	return "Register a backing service apps can bind"
}
func (c *offeringsRegisterCommand) Help() string {
	return `Usage: skiff offerings register -name NAME -host HOST -port PORT [-database DB] [-kind postgres]
                                 [-vault-mount database] -vault-connection CONFIG

  Registers (or replaces) an offering: apps that bind NAME get credentials from Vault's database secrets
  engine at -vault-mount, connection -vault-connection (which an operator configured with a superuser), and
  connect to HOST:PORT/DB.`
}

func (c *offeringsRegisterCommand) Run(args []string) int {
	fl := flag.NewFlagSet("offerings register", flag.ContinueOnError)
	o := &secrets.Offering{}
	fl.StringVar(&o.Name, "name", "", "offering name (what bind blocks name)")
	fl.StringVar(&o.Kind, "kind", "postgres", "offering kind")
	fl.StringVar(&o.Host, "host", "", "host apps connect to")
	fl.IntVar(&o.Port, "port", 5432, "port apps connect to")
	fl.StringVar(&o.Database, "database", "postgres", "database name")
	fl.StringVar(&o.VaultMount, "vault-mount", "database", "mount of Vault's database secrets engine")
	fl.StringVar(&o.VaultConnection, "vault-connection", "", "name of the engine's connection config")
	if err := fl.Parse(args); err != nil {
		return 1
	}
	if o.Name == "" || o.Host == "" || o.VaultConnection == "" {
		c.ui.Error("skiff offerings register: -name, -host and -vault-connection are required\n\n" + c.Help())
		return 1
	}
	if err := needDirect(); err != nil {
		return reportError(c.ui, "offerings register", err)
	}
	if o.Kind != "postgres" {
		c.ui.Error(fmt.Sprintf("skiff offerings register: kind %q is not supported (only postgres)", o.Kind))
		return 1
	}
	cat, err := offeringsFromEnv()
	if err != nil {
		return reportError(c.ui, "offerings register", err)
	}
	ctx, cancel := signalContext()
	defer cancel()
	if err := cat.Put(ctx, o); err != nil {
		return reportError(c.ui, "offerings register", err)
	}
	c.ui.Output(fmt.Sprintf("Registered offering %q.", o.Name))
	return 0
}

// listOfferings reads the catalog: through the API in remote mode, else from Consul KV (no Nomad needed).
func listOfferings(ctx context.Context, token *string) ([]*secrets.Offering, error) {
	if remoteMode() {
		b, err := newBackend(token)
		if err != nil {
			return nil, err
		}
		return b.(*remoteBackend).Offerings(ctx)
	}
	cat, err := offeringsFromEnv()
	if err != nil {
		return nil, err
	}
	names, err := cat.Names(ctx)
	if err != nil {
		return nil, err
	}
	var list []*secrets.Offering
	for _, n := range names {
		o, err := cat.Get(ctx, n)
		if err != nil {
			return nil, err
		}
		list = append(list, o)
	}
	return list, nil
}

func offeringsFromEnv() (*secrets.Offerings, error) {
	client, err := consulapi.NewClient(consulapi.DefaultConfig())
	if err != nil {
		return nil, err
	}
	return &secrets.Offerings{KV: client.KV()}, nil
}

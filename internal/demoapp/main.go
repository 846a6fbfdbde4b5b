// Command demoapp is the small app that skiff's end-to-end tests and the quick-start demo deploy. It is built
// as a static binary and packed FROM scratch into a local Docker image (no image can be pulled).
//
// As a server (the default) it listens on $PORT (else $NOMAD_PORT_http, else 8080) and answers:
//
//	/          "hello from <$APP_NAME> <$APP_VERSION>" (200)
//	/healthz   200, or 500 when $FAIL_HEALTH is "1" — for failing-deploy tests
//	/db        connects to $DATABASE_URL and runs SELECT 1 — proves Vault-issued credentials work; the URL is
//	           never echoed
//	/envhash   ?name=NAME: the sha256 of env var NAME — proves a secret arrived without echoing it
//	/upstream/NAME[/PATH]  GET http://$<NAME>_ADDR/PATH, the Connect upstream NAME, relaying status and body
//
// Other modes, for batch processes: `demoapp exit N` exits with status N after printing a line; `demoapp
// payload` prints the dispatch payload file ($NOMAD_TASK_DIR/payload or the path in $PAYLOAD_PATH).
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

func main() {
	if len(os.Args) > 1 {
		os.Exit(batch(os.Args[1:]))
	}
	port := firstNonEmpty(os.Getenv("PORT"), os.Getenv("NOMAD_PORT_http"), "8080")
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello from %s %s\n", firstNonEmpty(os.Getenv("APP_NAME"), "demoapp"), os.Getenv("APP_VERSION"))
	})
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if os.Getenv("FAIL_HEALTH") == "1" {
			http.Error(w, "unhealthy on purpose (FAIL_HEALTH=1)", http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/envhash", envHash)
	mux.HandleFunc("/upstream/", callUpstream)
	mux.HandleFunc("/db", func(w http.ResponseWriter, r *http.Request) {
		if err := pingDB(r.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "db ok")
	})
	srv := &http.Server{Addr: ":" + port, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	fmt.Printf("demoapp listening on :%s\n", port)
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func pingDB(ctx context.Context) error {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		return fmt.Errorf("DATABASE_URL is not set")
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		// pgx errors can carry the connection string's user but never the password.
		return fmt.Errorf("connecting to the database failed")
	}
	defer conn.Close(ctx)
	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("SELECT 1 failed: %v", err)
	}
	return nil
}

func batch(args []string) int {
	switch args[0] {
	case "exit":
		code := 0
		if len(args) > 1 {
			code, _ = strconv.Atoi(args[1])
		}
		fmt.Printf("demoapp batch run, exiting %d\n", code)
		return code
	case "sleep":
		d, _ := time.ParseDuration(args[len(args)-1])
		fmt.Printf("demoapp batch run, sleeping %s\n", d)
		time.Sleep(d)
		return 0
	case "payload":
		path := firstNonEmpty(os.Getenv("PAYLOAD_PATH"), filepath.Join(os.Getenv("NOMAD_TASK_DIR"), "payload"))
		b, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Printf("payload: %s\n", b)
		return 0
	default:
		fmt.Fprintf(os.Stderr, "unknown mode %q\n", args[0])
		return 2
	}
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// callUpstream answers /upstream/<name>[/path] by fetching http://$<NAME>_ADDR/[path] — the address of the
// Connect upstream <name> that skiff injects — and relaying the status and body, prefixed by "upstream <name>:".
// A failed call answers 502 with the error. It proves the call crosses the mesh from inside the app.
func callUpstream(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/upstream/")
	name, path, _ := strings.Cut(rest, "/")
	env := strings.ToUpper(strings.ReplaceAll(name, "-", "_")) + "_ADDR"
	addr := os.Getenv(env)
	if name == "" || addr == "" {
		http.Error(w, fmt.Sprintf("no upstream %q: $%s is not set", name, env), http.StatusNotFound)
		return
	}
	// A fresh connection per call: a Connect proxy authorizes connections, so a pooled one would outlive a
	// revoked intention.
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get("http://" + addr + "/" + path)
	if err != nil {
		http.Error(w, fmt.Sprintf("upstream %s: %v", name, err), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	w.WriteHeader(resp.StatusCode)
	fmt.Fprintf(w, "upstream %s: %s", name, b)
}

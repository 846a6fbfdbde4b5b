package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
)

// envHash answers /envhash?name=NAME with the hex sha256 of the env var NAME ("unset" when it is not set), so
// that tests can check a secret reached the task without the app ever echoing it.
func envHash(w http.ResponseWriter, r *http.Request) {
	v, ok := os.LookupEnv(r.URL.Query().Get("name"))
	if !ok {
		fmt.Fprintln(w, "unset")
		return
	}
	sum := sha256.Sum256([]byte(v))
	fmt.Fprintln(w, hex.EncodeToString(sum[:]))
}

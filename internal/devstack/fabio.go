package devstack

import (
	"context"
	"fmt"
	"net/http"
)

// FabioInfo is where the stack's Fabio proxies HTTP and serves its UI/API.
type FabioInfo struct {
	ProxyAddr string `json:"proxy_addr"` // host:port of the HTTP proxy listener
	UIAddr    string `json:"ui_addr"`    // host:port of the UI and /api/routes
	// KVPath is the Consul KV path Fabio reads manual route commands (canary weights) from.
	KVPath string `json:"kv_path"`
}

func startFabio(dir, bin string, consul *ConsulInfo) (*process, *FabioInfo, error) {
	ports, err := freePorts(2)
	if err != nil {
		return nil, nil, err
	}
	info := &FabioInfo{
		ProxyAddr: fmt.Sprintf("127.0.0.1:%d", ports[0]),
		UIAddr:    fmt.Sprintf("127.0.0.1:%d", ports[1]),
		KVPath:    "/fabio/config",
	}
	args := []string{
		"-registry.backend", "consul",
		"-registry.consul.addr", consul.HTTPAddr,
		"-registry.consul.token", consul.Token,
		"-registry.consul.kvpath", info.KVPath,
		"-registry.consul.register.enabled=false",
		"-registry.consul.checksRequired", "all",
		"-proxy.addr", info.ProxyAddr,
		"-ui.addr", info.UIAddr,
		"-log.level", "INFO",
	}
	p, err := startProcess(dir, "fabio", bin, args, nil, nil)
	if err != nil {
		return nil, nil, err
	}
	return p, info, nil
}

func fabioReady(info *FabioInfo) func(context.Context) error {
	return func(ctx context.Context) error { return httpOK(ctx, "http://"+info.UIAddr+"/health") }
}

// httpOK GETs url and returns nil when it answers 200.
func httpOK(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

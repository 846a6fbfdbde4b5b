package devstacktest

import (
	"testing"
	"time"

	"github.com/miekg/dns"
)

// SRV asks the DNS server at server (host:port, such as the stack's Consul DNS address) for the SRV records of
// name (fully qualified, such as "web-shop-default.service.consul.") over UDP, and fails t when it cannot.
func SRV(t testing.TB, server, name string) []*dns.SRV {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(name, dns.TypeSRV)
	in, _, err := (&dns.Client{Net: "udp", Timeout: 2 * time.Second}).Exchange(m, server)
	if err != nil {
		t.Fatalf("DNS SRV %s @%s: %v", name, server, err)
	}
	var out []*dns.SRV
	for _, rr := range in.Answer {
		if r, ok := rr.(*dns.SRV); ok {
			out = append(out, r)
		}
	}
	return out
}

package api

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Environment variables DefaultConfig reads.
const (
	// EnvAddress names the API server's base URL (http://host:port, optionally with a path prefix).
	EnvAddress = "SKIFF_ADDR"
	// EnvToken holds the bearer token.
	EnvToken = "SKIFF_TOKEN"
)

// DefaultAddress is the address of `skiff serve` with its default -addr.
const DefaultAddress = "http://127.0.0.1:7440"

// DefaultTimeout bounds one request (not an event stream) when Config.Timeout is zero. A deploy answers as soon
// as its release is recorded, but a destroy or a promotion answers only when it is done.
const DefaultTimeout = 2 * time.Minute

// Config configures a Client. The zero value is not usable: start from DefaultConfig.
type Config struct {
	// Address is the server's base URL: scheme http or https, a host, and optionally a path prefix (for a
	// server behind a reverse proxy); no query or fragment.
	Address string
	// Token is the bearer token sent with every request. It is never logged, printed (see String) or put in
	// an error.
	Token string
	// HTTPClient sends the requests; nil means a client of this package's own (see DefaultHTTPClient). An
	// http.Client with a Timeout also cuts event streams after that timeout; Events reconnects, but prefer
	// a client without one and let Config.Timeout bound plain requests.
	HTTPClient *http.Client
	// Timeout bounds each request except event streams, on top of the caller's context: zero means
	// DefaultTimeout, a negative value means no bound but the context's.
	Timeout time.Duration
	// UserAgent is sent as User-Agent (default "skiff-api-go").
	UserAgent string
}

// DefaultConfig returns a Config with Address from SKIFF_ADDR (else DefaultAddress) and Token from
// SKIFF_TOKEN. It does not validate the address; NewClient does.
func DefaultConfig() *Config {
	c := &Config{Address: DefaultAddress, Token: os.Getenv(EnvToken)}
	if a := strings.TrimSpace(os.Getenv(EnvAddress)); a != "" {
		c.Address = a
	}
	return c
}

// String describes the config without its token, so that printing a Config (%v, %+v) never leaks it.
func (c *Config) String() string {
	tok := "unset"
	if c.Token != "" {
		tok = "set (redacted)"
	}
	return fmt.Sprintf("api.Config{Address: %q, Token: %s, Timeout: %s}", c.Address, tok, c.Timeout)
}

// GoString is String, for %#v.
func (c *Config) GoString() string { return c.String() }

// DefaultHTTPClient returns the HTTP client NewClient uses when Config.HTTPClient is nil: the environment's
// proxy settings, bounded dialing and TLS handshakes, idle connections reused, and no overall timeout (which
// would cut event streams; Config.Timeout bounds plain requests instead).
func DefaultHTTPClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       90 * time.Second,
	}}
}

// Client talks to one skiff API server. It is safe for concurrent use; it holds no per-request state.
type Client struct {
	base      *url.URL
	token     string
	http      *http.Client
	timeout   time.Duration
	userAgent string
}

// NewClient returns a client for config (DefaultConfig when nil). It fails when the address is not an http or
// https URL with a host, or has a query or fragment. An empty token is allowed (health and the OpenAPI
// document need none); every other call then fails with an *APIError whose code is unauthorized.
func NewClient(config *Config) (*Client, error) {
	if config == nil {
		config = DefaultConfig()
	}
	base, err := parseAddress(config.Address)
	if err != nil {
		return nil, err
	}
	if strings.ContainsAny(config.Token, " \t\r\n") {
		return nil, errors.New("skiff: the token contains white space (a stray newline from a file?)")
	}
	c := &Client{base: base, token: config.Token, http: config.HTTPClient, timeout: config.Timeout,
		userAgent: config.UserAgent}
	if c.http == nil {
		c.http = DefaultHTTPClient()
	}
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	if c.userAgent == "" {
		c.userAgent = "skiff-api-go"
	}
	return c, nil
}

// parseAddress validates a server address and returns it with no trailing slash.
func parseAddress(addr string) (*url.URL, error) {
	addr = strings.TrimSpace(addr)
	if addr == "" {
		return nil, errors.New("skiff: no server address: set SKIFF_ADDR (e.g. http://127.0.0.1:7440)")
	}
	if !strings.Contains(addr, "://") {
		return nil, fmt.Errorf("skiff: the server address %q must start with http:// or https://", addr)
	}
	u, err := url.Parse(addr)
	if err != nil {
		return nil, fmt.Errorf("skiff: the server address %q is not a URL: %w", addr, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("skiff: the server address %q must start with http:// or https://", addr)
	case u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("skiff: the server address %q has no host", addr)
	case u.User != nil:
		return nil, fmt.Errorf("skiff: the server address must not hold credentials; use SKIFF_TOKEN")
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return nil, fmt.Errorf("skiff: the server address %q must not have a query or fragment", addr)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("skiff: the server address %q has an invalid port", addr)
		}
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// Address returns the server's base URL as configured (without a trailing slash).
func (c *Client) Address() string { return c.base.String() }

// Meta is what every answer says besides its body.
type Meta struct {
	// RequestID is the request's ID (the Request-Id header): the server logs it, and error bodies repeat it.
	RequestID string
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// RequestTime is how long the request took, up to the end of reading the body.
	RequestTime time.Duration
}

// WriteMeta is the Meta of a deploy or a rollback.
type WriteMeta struct {
	Meta
	// Location is the URL path of the deployment the write started (the Location header); empty when nothing
	// changed.
	Location string
	// Notes are remarks of the server on the write (a deployment that waits for promotion, an idempotent
	// retry).
	Notes []string
}

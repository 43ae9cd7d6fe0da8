package rest

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// Transport tuning. A controller manager runs many workers and informers against a single
// server, so the pool keeps more idle connections per host than net/http's default of 2
// (which would make every burst open and close sockets). Over TLS the transport negotiates
// HTTP/2, multiplexing all requests on one connection; the ping settings detect a dead
// connection (server restarted, NAT dropped) within ~45 s instead of hanging a watch forever.
const (
	maxIdleConnsPerHost = 25
	idleConnTimeout     = 90 * time.Second
	tlsHandshakeTimeout = 10 * time.Second
	dialTimeout         = 30 * time.Second
	dialKeepAlive       = 30 * time.Second
	h2ReadIdleTimeout   = 30 * time.Second
	h2PingTimeout       = 15 * time.Second
)

// newTransport builds the shared round tripper for a Config: TLS material, pooling, and the
// authentication header.
func newTransport(cfg *Config) (http.RoundTripper, error) {
	tlsCfg, err := tlsConfig(cfg)
	if err != nil {
		return nil, err
	}
	dialer := &net.Dialer{Timeout: dialTimeout, KeepAlive: dialKeepAlive}
	t := &http.Transport{
		Proxy:               nil, // the API server is reached directly, never through $HTTPS_PROXY
		DialContext:         dialer.DialContext,
		TLSClientConfig:     tlsCfg,
		TLSHandshakeTimeout: tlsHandshakeTimeout,
		MaxIdleConnsPerHost: maxIdleConnsPerHost,
		IdleConnTimeout:     idleConnTimeout,
		// A custom TLS config disables HTTP/2 unless asked for explicitly.
		ForceAttemptHTTP2: true,
		HTTP2: &http.HTTP2Config{
			SendPingTimeout: h2ReadIdleTimeout,
			PingTimeout:     h2PingTimeout,
		},
	}
	var rt http.RoundTripper = t
	switch {
	case cfg.BearerToken != "" || cfg.BearerTokenFile != "":
		rt = &bearerAuth{next: rt, token: cfg.BearerToken, file: cfg.BearerTokenFile}
	case cfg.Username != "":
		rt = &basicAuth{next: rt, user: cfg.Username, password: cfg.Password}
	}
	return rt, nil
}

// tlsConfig loads the CA bundle and client certificate a Config names (plain-HTTP servers
// simply never use the result).
func tlsConfig(cfg *Config) (*tls.Config, error) {
	out := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: cfg.ServerName, InsecureSkipVerify: cfg.Insecure}
	ca := cfg.CAData
	if len(ca) == 0 && cfg.CAFile != "" {
		b, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read CA file: %w", err)
		}
		ca = b
	}
	if len(ca) > 0 {
		if cfg.Insecure {
			// kubectl refuses this combination too: it is always a configuration mistake.
			return nil, fmt.Errorf("specifying a root certificates file with the insecure flag is not allowed")
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(ca) {
			return nil, fmt.Errorf("CA data contains no PEM certificate")
		}
		out.RootCAs = pool
	}
	certPEM, keyPEM := cfg.CertData, cfg.KeyData
	if len(certPEM) == 0 && cfg.CertFile != "" {
		b, err := os.ReadFile(cfg.CertFile)
		if err != nil {
			return nil, fmt.Errorf("read client certificate: %w", err)
		}
		certPEM = b
	}
	if len(keyPEM) == 0 && cfg.KeyFile != "" {
		b, err := os.ReadFile(cfg.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("read client key: %w", err)
		}
		keyPEM = b
	}
	if len(certPEM) > 0 || len(keyPEM) > 0 {
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, fmt.Errorf("load client certificate: %w", err)
		}
		out.Certificates = []tls.Certificate{pair}
	}
	return out, nil
}

// bearerAuth adds "Authorization: Bearer". A token file is re-read at most once a minute:
// service account tokens are rotated by the kubelet well before they expire, and reading the
// file on every request would be wasteful.
type bearerAuth struct {
	next  http.RoundTripper
	token string
	file  string

	mu       sync.Mutex
	cached   string
	readTime time.Time
}

const tokenFileRefresh = time.Minute

func (b *bearerAuth) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := b.currentToken()
	if err != nil {
		return nil, err
	}
	if req.Header.Get("Authorization") == "" && tok != "" {
		req = req.Clone(req.Context())
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return b.next.RoundTrip(req)
}

func (b *bearerAuth) currentToken() (string, error) {
	if b.token != "" {
		return b.token, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cached != "" && time.Since(b.readTime) < tokenFileRefresh {
		return b.cached, nil
	}
	data, err := os.ReadFile(b.file)
	if err != nil {
		if b.cached != "" {
			return b.cached, nil // keep using the last good token through a transient read error
		}
		return "", fmt.Errorf("read bearer token file: %w", err)
	}
	b.cached, b.readTime = strings.TrimSpace(string(data)), time.Now()
	return b.cached, nil
}

// basicAuth adds HTTP basic credentials.
type basicAuth struct {
	next           http.RoundTripper
	user, password string
}

func (b *basicAuth) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.SetBasicAuth(b.user, b.password)
	return b.next.RoundTrip(req)
}

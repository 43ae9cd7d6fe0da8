package spdy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// The HTTP headers of the upgrade handshake.
const (
	HeaderConnection = "Connection"
	HeaderUpgrade    = "Upgrade"
	// HeaderProtocolVersion carries the subprotocols the client offers (one value each,
	// or comma separated) and, in the answer, the one the server chose.
	HeaderProtocolVersion = "X-Stream-Protocol-Version"
	// HeaderAcceptedProtocolVersions lists the server's subprotocols when none matched.
	HeaderAcceptedProtocolVersions = "X-Accepted-Stream-Protocol-Versions"
	// UpgradeValue is what clients put in the Upgrade header.
	UpgradeValue = "SPDY/3.1"
)

// IsUpgradeRequest reports whether r asks to upgrade to SPDY/3.1.
func IsUpgradeRequest(r *http.Request) bool {
	return headerContains(r.Header, HeaderConnection, "upgrade") && headerContains(r.Header, HeaderUpgrade, "spdy/3.1")
}

func headerContains(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		if strings.Contains(strings.ToLower(v), token) {
			return true
		}
	}
	return false
}

// NegotiateProtocol picks the subprotocol of an upgrade request: the first the client
// offers that the server supports. When the client offers none, or none in common, it
// answers the request itself with upstream's error (400, or 403 listing the server's
// protocols in X-Accepted-Stream-Protocol-Versions) and returns an error. On success the
// choice is set in the response headers, to be sent with the 101.
func NegotiateProtocol(w http.ResponseWriter, r *http.Request, serverProtocols []string) (string, error) {
	values, ok := r.Header[http.CanonicalHeaderKey(HeaderProtocolVersion)]
	if !ok {
		err := fmt.Errorf("unable to upgrade: header %s does not exist in request with %d headers", HeaderProtocolVersion, len(r.Header))
		http.Error(w, err.Error(), http.StatusBadRequest)
		return "", err
	}
	var client []string
	for _, v := range values {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				client = append(client, p)
			}
		}
	}
	if len(client) == 0 {
		err := fmt.Errorf("unable to upgrade: header %s contains %s, but no valid protocols", HeaderProtocolVersion, values)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return "", err
	}
	for _, c := range client {
		for _, s := range serverProtocols {
			if c == s {
				w.Header().Set(HeaderProtocolVersion, c)
				return c, nil
			}
		}
	}
	for _, s := range serverProtocols {
		w.Header().Add(HeaderAcceptedProtocolVersions, s)
	}
	err := fmt.Errorf("unable to upgrade: unable to negotiate protocol: client supports %v, server accepts %v", client, serverProtocols)
	http.Error(w, err.Error(), http.StatusForbidden)
	return "", err
}

// Upgrade answers r with 101 Switching Protocols and starts a server session on the
// hijacked connection. Headers already set on w (the negotiated protocol) go with the 101.
// When r is not a SPDY upgrade it answers 400 itself and returns an error.
func Upgrade(w http.ResponseWriter, r *http.Request, accept AcceptFunc) (*Conn, error) {
	if !IsUpgradeRequest(r) {
		err := fmt.Errorf("unable to upgrade: missing upgrade headers in request: %v", r.Header)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return nil, err
	}
	w.Header().Set(HeaderConnection, "Upgrade")
	w.Header().Set(HeaderUpgrade, UpgradeValue)
	w.WriteHeader(http.StatusSwitchingProtocols)
	netConn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, fmt.Errorf("unable to upgrade: hijack the connection: %w", err)
	}
	// The client may have sent its first frames right behind the request; they are in
	// the server's read buffer.
	return NewServerConn(&bufferedConn{Conn: netConn, r: rw.Reader}, accept), nil
}

// bufferedConn reads through a bufio.Reader that may hold bytes already received.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// UpgradeError is a refused upgrade: the server answered with something else than 101.
type UpgradeError struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

func (e *UpgradeError) Error() string {
	body := strings.TrimSpace(string(e.Body))
	if body == "" {
		body = http.StatusText(e.StatusCode)
	}
	return fmt.Sprintf("unable to upgrade connection: %s", body)
}

// maxErrorBody bounds how much of a refusal's body is kept.
const maxErrorBody = 50000

// Dial opens a SPDY session to rawURL (http only): it sends a POST asking to upgrade with
// the given subprotocols and returns the session and the protocol the server chose. A
// server that refuses gives an *UpgradeError.
func Dial(ctx context.Context, rawURL string, protocols []string) (*Conn, string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, "", fmt.Errorf("spdy dial %q: %w", rawURL, err)
	}
	if u.Scheme != "http" {
		return nil, "", fmt.Errorf("spdy dial %s: scheme %q is not implemented (only http)", rawURL, u.Scheme)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "80")
	}
	var d net.Dialer
	netConn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return nil, "", fmt.Errorf("spdy dial %s: %w", rawURL, err)
	}
	conn, proto, err := upgradeClient(ctx, netConn, u, protocols)
	if err != nil {
		netConn.Close()
		return nil, "", err
	}
	return conn, proto, nil
}

// upgradeClient performs the client side of the handshake on an open connection.
func upgradeClient(ctx context.Context, netConn net.Conn, u *url.URL, protocols []string) (*Conn, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), nil)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set(HeaderConnection, "Upgrade")
	req.Header.Set(HeaderUpgrade, UpgradeValue)
	for _, p := range protocols {
		req.Header.Add(HeaderProtocolVersion, p)
	}
	// Abandon the handshake if the context ends while it is in flight.
	stop := context.AfterFunc(ctx, func() { netConn.Close() })
	defer stop()
	if err := req.Write(netConn); err != nil {
		return nil, "", fmt.Errorf("spdy upgrade %s: %w", u.Redacted(), err)
	}
	br := bufio.NewReader(netConn)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return nil, "", fmt.Errorf("spdy upgrade %s: %w", u.Redacted(), err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
		return nil, "", &UpgradeError{StatusCode: resp.StatusCode, Header: resp.Header, Body: body}
	}
	if !strings.EqualFold(resp.Header.Get(HeaderUpgrade), UpgradeValue) {
		return nil, "", errors.New("unable to upgrade connection: the server did not switch to " + UpgradeValue)
	}
	return NewClientConn(&bufferedConn{Conn: netConn, r: br}, nil), resp.Header.Get(HeaderProtocolVersion), nil
}

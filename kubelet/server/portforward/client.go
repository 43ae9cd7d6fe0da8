package portforward

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/skiff-k8s/skiff/kubelet/server/spdy"
)

// Client is a port-forward session opened to a server: each Forward opens a stream pair
// on it, as kubectl does for each local connection.
type Client struct {
	conn      *spdy.Conn
	requestID atomic.Int64
}

// Dial opens a session over SPDY to rawURL (a runtime's streaming URL, or a kubelet's
// /portForward URL).
func Dial(ctx context.Context, rawURL string) (*Client, error) {
	conn, protocol, err := spdy.Dial(ctx, rawURL, []string{ProtocolV1})
	if err != nil {
		return nil, err
	}
	if protocol != ProtocolV1 {
		conn.Close()
		return nil, fmt.Errorf("port-forward server at %s chose protocol %q, not %s", rawURL, protocol, ProtocolV1)
	}
	return &Client{conn: conn}, nil
}

// NewClient runs a session on an established connection (a WebSocket tunnel, say).
func NewClient(c net.Conn) *Client { return &Client{conn: spdy.NewClientConn(c, nil)} }

// Done is closed when the session has ended.
func (c *Client) Done() <-chan struct{} { return c.conn.Done() }

// Close ends the session and every forward on it.
func (c *Client) Close() error { return c.conn.Close() }

// Forward connects local to port on the server's side and copies both ways: local's
// bytes until it ends (then a half-close), the remote bytes until the server ends the
// stream. It then returns the server's error message, if it wrote one, as a *RemoteError.
func (c *Client) Forward(ctx context.Context, port int32, local io.ReadWriter) error {
	id := strconv.FormatInt(c.requestID.Add(1)-1, 10)
	headers := func(typ string) http.Header {
		return http.Header{HeaderStreamType: {typ}, HeaderPort: {strconv.Itoa(int(port))}, HeaderRequestID: {id}}
	}
	errStream, err := c.conn.CreateStream(headers(StreamTypeError))
	if err != nil {
		return fmt.Errorf("create error stream for port %d: %w", port, err)
	}
	// Nothing is ever written to the server on the error stream.
	errStream.Close()
	data, err := c.conn.CreateStream(headers(StreamTypeData))
	if err != nil {
		errStream.Reset()
		return fmt.Errorf("create data stream for port %d: %w", port, err)
	}
	defer data.Reset()

	remoteDone := make(chan struct{})
	go func() {
		_, _ = io.Copy(local, data)
		close(remoteDone)
	}()
	go func() {
		_, _ = io.Copy(data, local)
		data.Close()
	}()
	select {
	case <-remoteDone:
	case <-ctx.Done():
		errStream.Reset()
		return ctx.Err()
	}
	msg, err := io.ReadAll(errStream)
	if err != nil {
		return fmt.Errorf("read error stream for port %d: %w", port, err)
	}
	if len(msg) > 0 {
		return &RemoteError{Message: string(msg)}
	}
	return nil
}

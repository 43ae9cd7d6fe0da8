package wschannel

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gorilla/websocket"
)

// Dial opens a WebSocket to rawURL (http:// or ws://) offering protocols, for clients of
// the channel protocols (tests, tools). A refused handshake returns an error holding the
// server's status and body.
func Dial(ctx context.Context, rawURL string, protocols []string) (*Conn, error) {
	ws, err := dial(ctx, rawURL, protocols)
	if err != nil {
		return nil, err
	}
	return NewConn(ws, ws.Subprotocol()), nil
}

// DialTunnel opens a tunneling WebSocket (see TunnelConn) offering protocols, and returns
// it with the protocol the server chose.
func DialTunnel(ctx context.Context, rawURL string, protocols []string) (*TunnelConn, string, error) {
	ws, err := dial(ctx, rawURL, protocols)
	if err != nil {
		return nil, "", err
	}
	return NewTunnelConn(ws), ws.Subprotocol(), nil
}

func dial(ctx context.Context, rawURL string, protocols []string) (*websocket.Conn, error) {
	u := rawURL
	switch {
	case strings.HasPrefix(u, "http://"):
		u = "ws://" + strings.TrimPrefix(u, "http://")
	case strings.HasPrefix(u, "https://"):
		u = "wss://" + strings.TrimPrefix(u, "https://")
	}
	d := websocket.Dialer{Subprotocols: protocols}
	ws, resp, err := d.DialContext(ctx, u, nil)
	if err != nil {
		if resp != nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 50000))
			resp.Body.Close()
			return nil, &HandshakeError{StatusCode: resp.StatusCode, Body: string(body)}
		}
		return nil, fmt.Errorf("websocket dial %s: %w", rawURL, err)
	}
	return ws, nil
}

// HandshakeError is a refused WebSocket upgrade.
type HandshakeError struct {
	StatusCode int
	Body       string
}

func (e *HandshakeError) Error() string {
	return fmt.Sprintf("websocket handshake refused: %d %s: %s", e.StatusCode, http.StatusText(e.StatusCode), strings.TrimSpace(e.Body))
}

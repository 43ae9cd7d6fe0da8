package wschannel

import (
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// TunnelProtocolPrefix starts the subprotocols that tunnel another protocol through
// binary WebSocket messages: "SPDY/3.1+portforward.k8s.io" is SPDY port-forwarding.
const TunnelProtocolPrefix = "SPDY/3.1+"

// TunnelConn is a net.Conn whose bytes travel in binary WebSocket messages: each Write is
// one message, and Read returns the messages' payloads as one byte stream, with no
// channel byte. kubectl 1.31+ runs its SPDY port-forward session over one.
type TunnelConn struct {
	ws *websocket.Conn

	readMu  sync.Mutex
	current io.Reader // the message being read

	writeMu   sync.Mutex
	closeOnce sync.Once
}

// NewTunnelConn wraps an established WebSocket.
func NewTunnelConn(ws *websocket.Conn) *TunnelConn { return &TunnelConn{ws: ws} }

func (t *TunnelConn) Read(p []byte) (int, error) {
	t.readMu.Lock()
	defer t.readMu.Unlock()
	for {
		if t.current == nil {
			typ, r, err := t.ws.NextReader()
			if err != nil {
				var ce *websocket.CloseError
				if errors.As(err, &ce) && ce.Code == websocket.CloseNormalClosure {
					return 0, io.EOF
				}
				return 0, err
			}
			if typ != websocket.BinaryMessage {
				return 0, errors.New("wschannel: tunnel received a non-binary message")
			}
			t.current = r
		}
		n, err := t.current.Read(p)
		if err == io.EOF {
			t.current = nil
			if n == 0 {
				continue
			}
			err = nil
		}
		return n, err
	}
}

func (t *TunnelConn) Write(p []byte) (int, error) {
	t.writeMu.Lock()
	defer t.writeMu.Unlock()
	if err := t.ws.WriteMessage(websocket.BinaryMessage, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close sends a normal-closure close frame and closes the connection.
func (t *TunnelConn) Close() error {
	var err error
	t.closeOnce.Do(func() {
		msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
		_ = t.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
		err = t.ws.Close()
	})
	return err
}

func (t *TunnelConn) LocalAddr() net.Addr  { return t.ws.LocalAddr() }
func (t *TunnelConn) RemoteAddr() net.Addr { return t.ws.RemoteAddr() }

func (t *TunnelConn) SetDeadline(d time.Time) error {
	return errors.Join(t.ws.SetReadDeadline(d), t.ws.SetWriteDeadline(d))
}
func (t *TunnelConn) SetReadDeadline(d time.Time) error  { return t.ws.SetReadDeadline(d) }
func (t *TunnelConn) SetWriteDeadline(d time.Time) error { return t.ws.SetWriteDeadline(d) }

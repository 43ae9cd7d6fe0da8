// Package wschannel carries several byte streams ("channels") over one WebSocket, as
// Kubernetes' "channel.k8s.io" subprotocols do: every binary message starts with one byte
// naming its channel (0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize for exec and attach;
// two per port for port-forward), followed by the data. The variants:
//
//	v5.channel.k8s.io         binary; a message [255, n] half-closes channel n (kubectl 1.30+)
//	v4.channel.k8s.io         binary, no half-close (the error channel holds a Status)
//	channel.k8s.io            binary, the original protocol
//	v4.base64.channel.k8s.io  text messages: the channel as an ASCII digit, then base64
//	base64.channel.k8s.io     the same, original protocol
//
// It also provides TunnelConn, the net.Conn that kubectl 1.31+ uses to run SPDY inside
// binary WebSocket messages ("SPDY/3.1+portforward.k8s.io").
//
// What it promises: per channel, bytes arrive in order; each Write is one message; reads
// of a channel nobody reads are dropped rather than stalling the others; when the socket
// ends, every channel reader sees io.EOF (a normal close) or the error.
package wschannel

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// The subprotocols.
const (
	ProtocolV5         = "v5.channel.k8s.io"
	ProtocolV4         = "v4.channel.k8s.io"
	ProtocolV4Base64   = "v4.base64.channel.k8s.io"
	ProtocolV1         = "channel.k8s.io"
	ProtocolV1Base64   = "base64.channel.k8s.io"
	closeSignalChannel = 255
)

// IsBase64 reports whether protocol sends base64 text messages.
func IsBase64(protocol string) bool { return strings.Contains(protocol, "base64.") }

// IsWebSocketRequest reports whether r asks to upgrade to a WebSocket.
func IsWebSocketRequest(r *http.Request) bool { return websocket.IsWebSocketUpgrade(r) }

// RequestedProtocols lists the subprotocols r offers, in its order.
func RequestedProtocols(r *http.Request) []string { return websocket.Subprotocols(r) }

// writeTimeout bounds one message write: a client that stops reading does not hold a
// goroutine forever.
const writeTimeout = 60 * time.Second

// Conn is one WebSocket carrying channels.
type Conn struct {
	ws          *websocket.Conn
	protocol    string
	base64      bool
	closeSignal bool

	writeMu sync.Mutex

	mu      sync.Mutex
	readers map[byte]*io.PipeWriter
	started bool
	closed  chan struct{}
	endErr  error
}

// Accept completes the WebSocket handshake of r, choosing the first subprotocol the
// client offers that is in supported (a client offering none gets "" when supported
// includes "", which means the original binary protocol). When none match it answers 403
// with upstream's message and returns an error.
func Accept(w http.ResponseWriter, r *http.Request, supported []string) (*Conn, error) {
	ws, chosen, err := upgrade(w, r, supported)
	if err != nil {
		return nil, err
	}
	return NewConn(ws, chosen), nil
}

// AcceptTunnel completes the handshake of a tunneling request, choosing the first
// subprotocol offered that is in supported, and returns the tunnel and that protocol.
func AcceptTunnel(w http.ResponseWriter, r *http.Request, supported []string) (*TunnelConn, string, error) {
	ws, chosen, err := upgrade(w, r, supported)
	if err != nil {
		return nil, "", err
	}
	return NewTunnelConn(ws), chosen, nil
}

func upgrade(w http.ResponseWriter, r *http.Request, supported []string) (*websocket.Conn, string, error) {
	offered := RequestedProtocols(r)
	if len(offered) == 0 {
		offered = []string{""}
	}
	chosen, ok := "", false
	for _, o := range offered {
		if slices.Contains(supported, o) {
			chosen, ok = o, true
			break
		}
	}
	if !ok {
		err := fmt.Errorf("requested protocol(s) are not supported: %v; supports %v", RequestedProtocols(r), supported)
		http.Error(w, err.Error(), http.StatusForbidden)
		return nil, "", err
	}
	header := http.Header{}
	if chosen != "" {
		header.Set("Sec-Websocket-Protocol", chosen)
	}
	up := websocket.Upgrader{
		// The kubelet sits behind the apiserver, which has authenticated the caller;
		// browsers' Origin headers name the apiserver, not the kubelet.
		CheckOrigin:      func(*http.Request) bool { return true },
		HandshakeTimeout: 10 * time.Second,
	}
	ws, err := up.Upgrade(w, r, header)
	if err != nil {
		return nil, "", fmt.Errorf("websocket upgrade: %w", err)
	}
	return ws, chosen, nil
}

// NewConn wraps an established WebSocket that uses protocol (one of the channel
// protocols).
func NewConn(ws *websocket.Conn, protocol string) *Conn {
	return &Conn{
		ws:          ws,
		protocol:    protocol,
		base64:      IsBase64(protocol),
		closeSignal: protocol == ProtocolV5,
		readers:     map[byte]*io.PipeWriter{},
		closed:      make(chan struct{}),
	}
}

// Protocol is the negotiated subprotocol.
func (c *Conn) Protocol() string { return c.protocol }

// Reader returns the reader of channel ch. Call it for every channel to be read before
// Run: messages on other channels are dropped.
func (c *Conn) Reader(ch byte) io.Reader {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started {
		panic("wschannel: Reader called after Run")
	}
	pr, pw := io.Pipe()
	c.readers[ch] = pw
	return pr
}

// Run reads messages until the socket ends, feeding the channel readers. It returns when
// the peer closes or the connection fails, after ending every reader.
func (c *Conn) Run() {
	c.mu.Lock()
	c.started = true
	c.mu.Unlock()
	err := c.readLoop()
	c.mu.Lock()
	c.endErr = err
	for _, pw := range c.readers {
		pw.CloseWithError(err) // nil: readers see io.EOF
	}
	c.mu.Unlock()
	close(c.closed)
}

// Done is closed when Run has returned.
func (c *Conn) Done() <-chan struct{} { return c.closed }

func (c *Conn) readLoop() error {
	for {
		typ, data, err := c.ws.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) && (ce.Code == websocket.CloseNormalClosure || ce.Code == websocket.CloseGoingAway) {
				return nil
			}
			return err
		}
		if len(data) == 0 {
			continue
		}
		if typ != websocket.BinaryMessage && !c.base64 {
			continue
		}
		if c.closeSignal && data[0] == closeSignalChannel {
			if len(data) == 2 {
				c.closeReader(data[1])
			}
			continue
		}
		ch, payload := data[0], data[1:]
		if c.base64 {
			ch -= '0'
			decoded := make([]byte, base64.StdEncoding.DecodedLen(len(payload)))
			n, err := base64.StdEncoding.Decode(decoded, payload)
			if err != nil {
				continue
			}
			payload = decoded[:n]
		}
		c.mu.Lock()
		pw := c.readers[ch]
		c.mu.Unlock()
		if pw == nil || len(payload) == 0 {
			continue
		}
		// Blocks until the channel's reader takes the data; a reader that went away has
		// closed its pipe, and its data is dropped.
		_, _ = pw.Write(payload)
	}
}

// closeReader ends channel ch's reader with io.EOF (the peer's v5 close signal).
func (c *Conn) closeReader(ch byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if pw := c.readers[ch]; pw != nil {
		pw.Close()
	}
}

// CloseReaders ends every channel reader with err, unblocking Run if a reader stopped
// reading. Use it when the session is over on this side.
func (c *Conn) CloseReaders(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, pw := range c.readers {
		if err == nil {
			err = io.ErrClosedPipe
		}
		// Writes into the pipe now fail: data for the channel is dropped.
		pw.CloseWithError(err)
	}
}

// Write sends data on channel ch as one message (an empty data slice sends a message
// holding only the channel byte).
func (c *Conn) Write(ch byte, data []byte) error {
	var msg []byte
	typ := websocket.BinaryMessage
	if c.base64 {
		typ = websocket.TextMessage
		msg = make([]byte, 1+base64.StdEncoding.EncodedLen(len(data)))
		msg[0] = '0' + ch
		base64.StdEncoding.Encode(msg[1:], data)
	} else {
		msg = make([]byte, 1+len(data))
		msg[0] = ch
		copy(msg[1:], data)
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return c.ws.WriteMessage(typ, msg)
}

// SendClose sends the v5 close signal for channel ch (no-op on other protocols).
func (c *Conn) SendClose(ch byte) error {
	if !c.closeSignal {
		return nil
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	return c.ws.WriteMessage(websocket.BinaryMessage, []byte{closeSignalChannel, ch})
}

// Writer returns an io.Writer for channel ch.
func (c *Conn) Writer(ch byte) io.Writer { return channelWriter{c, ch} }

type channelWriter struct {
	c  *Conn
	ch byte
}

func (w channelWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if err := w.c.Write(w.ch, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close ends the WebSocket: a normal-closure close frame, then the connection. The peer's
// readers see io.EOF.
func (c *Conn) Close() error {
	c.writeMu.Lock()
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
	_ = c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
	c.writeMu.Unlock()
	return c.ws.Close()
}

// drainTimeout is how long CloseAfterPeer waits for the peer's close frame.
const drainTimeout = 2 * time.Second

// CloseAfterPeer sends the close frame, then waits (briefly) for Run to see the peer's
// answer before closing the connection: closing at once could reset the TCP connection
// while the peer still has our last messages unread.
func (c *Conn) CloseAfterPeer() error {
	c.writeMu.Lock()
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
	err := c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
	c.writeMu.Unlock()
	if err == nil {
		c.CloseReaders(nil)
		select {
		case <-c.closed:
		case <-time.After(drainTimeout):
		}
	}
	return c.ws.Close()
}

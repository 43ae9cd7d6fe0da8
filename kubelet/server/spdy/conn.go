package spdy

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// AcceptFunc decides about a stream the peer opened. It runs on the connection's reading
// goroutine, after the SYN_REPLY went out: it must not block (hand the stream to another
// goroutine). Returning an error resets the stream.
type AcceptFunc func(*Stream) error

// ErrConnClosed is returned by operations on a closed connection.
var ErrConnClosed = errors.New("spdy: connection closed")

// ErrStreamReset is returned by writes on a stream the peer reset (and by CreateStream
// when the peer refuses the stream).
var ErrStreamReset = errors.New("spdy: stream reset by peer")

// replyTimeout bounds how long CreateStream waits for the peer's SYN_REPLY.
const replyTimeout = 30 * time.Second

// maxChunk is the largest DATA frame Write sends; larger writes are split so that one big
// write does not hold the connection for long.
const maxChunk = 32 * 1024

// Conn is one SPDY session over a net.Conn.
type Conn struct {
	netConn net.Conn
	framer  *framer
	server  bool
	accept  AcceptFunc

	// writeMu serializes frame writes (and the header compressor they use).
	writeMu sync.Mutex

	mu           sync.Mutex
	streams      map[uint32]*Stream
	nextID       uint32 // next stream id we open: odd for clients, even for servers
	lastPeerID   uint32 // highest stream id the peer opened
	nextPingID   uint32
	pings        map[uint32]chan struct{}
	goneAway     bool // peer sent GOAWAY: open no more streams
	closed       bool
	done         chan struct{} // closed when the reading loop ends
	closeErr     error         // why the reading loop ended (nil for a clean EOF)
	closeOnce    sync.Once
	closeNetOnce sync.Once
}

// NewServerConn starts a session on c as the server (the side that answered the HTTP
// upgrade). accept is called for each stream the client opens; nil refuses them all.
func NewServerConn(c net.Conn, accept AcceptFunc) *Conn {
	return newConn(c, true, accept)
}

// NewClientConn starts a session on c as the client. accept handles streams the server
// opens (Kubernetes' servers never do; nil refuses them).
func NewClientConn(c net.Conn, accept AcceptFunc) *Conn {
	return newConn(c, false, accept)
}

func newConn(c net.Conn, server bool, accept AcceptFunc) *Conn {
	conn := &Conn{
		netConn: c,
		framer:  newFramer(c, c),
		server:  server,
		accept:  accept,
		streams: map[uint32]*Stream{},
		pings:   map[uint32]chan struct{}{},
		done:    make(chan struct{}),
	}
	if server {
		conn.nextID, conn.nextPingID = 2, 2
	} else {
		conn.nextID, conn.nextPingID = 1, 1
	}
	go conn.readLoop()
	return conn
}

// Done is closed once the connection has ended (peer closed it, a protocol error, or
// Close).
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err is why the connection ended: nil while it runs or after a clean close.
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeErr
}

// RemoteAddr is the peer's address.
func (c *Conn) RemoteAddr() net.Addr { return c.netConn.RemoteAddr() }

// CreateStream opens a stream with headers and waits for the peer's SYN_REPLY.
func (c *Conn) CreateStream(headers http.Header) (*Stream, error) {
	c.mu.Lock()
	if c.closed || c.goneAway {
		c.mu.Unlock()
		return nil, ErrConnClosed
	}
	// Ids must increase in the order SYN_STREAMs are sent, so the id is taken and the
	// frame written while holding writeMu.
	c.mu.Unlock()

	c.writeMu.Lock()
	c.mu.Lock()
	id := c.nextID
	c.nextID += 2
	s := newStream(c, id, headers)
	s.replied = make(chan struct{})
	c.streams[id] = s
	c.mu.Unlock()
	err := c.framer.writeFrame(&Frame{Control: true, Type: TypeSynStream, StreamID: id, Headers: headers})
	c.writeMu.Unlock()
	if err != nil {
		c.removeStream(id)
		return nil, fmt.Errorf("spdy: open stream: %w", err)
	}

	timer := time.NewTimer(replyTimeout)
	defer timer.Stop()
	select {
	case <-s.replied:
		if err := s.replyErr; err != nil {
			return nil, err
		}
		return s, nil
	case <-c.done:
		return nil, ErrConnClosed
	case <-timer.C:
		s.Reset()
		return nil, fmt.Errorf("spdy: no reply to stream %d within %s", id, replyTimeout)
	}
}

// Ping sends a PING and waits for its echo, returning the round trip time.
func (c *Conn) Ping() (time.Duration, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return 0, ErrConnClosed
	}
	id := c.nextPingID
	c.nextPingID += 2
	ch := make(chan struct{})
	c.pings[id] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.pings, id)
		c.mu.Unlock()
	}()
	start := time.Now()
	if err := c.writeFrame(&Frame{Control: true, Type: TypePing, PingID: id}); err != nil {
		return 0, err
	}
	select {
	case <-ch:
		return time.Since(start), nil
	case <-c.done:
		return 0, ErrConnClosed
	}
}

// Close says GOAWAY and closes the connection. Streams still open end: their readers see
// io.EOF, their writers an error.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		last := c.lastPeerID
		c.mu.Unlock()
		// Best effort: the peer may be gone already.
		_ = c.netConn.SetWriteDeadline(time.Now().Add(time.Second))
		_ = c.writeFrame(&Frame{Control: true, Type: TypeGoAway, LastGoodStreamID: last})
		c.closeNet()
	})
	<-c.done
	return nil
}

func (c *Conn) closeNet() {
	c.closeNetOnce.Do(func() { _ = c.netConn.Close() })
}

func (c *Conn) writeFrame(f *Frame) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	return c.framer.writeFrame(f)
}

func (c *Conn) stream(id uint32) *Stream {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.streams[id]
}

func (c *Conn) removeStream(id uint32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.streams, id)
}

// readLoop reads frames until the connection ends, dispatching each.
func (c *Conn) readLoop() {
	var err error
	for {
		var f *Frame
		f, err = c.framer.readFrame()
		if err != nil {
			break
		}
		if err = c.handle(f); err != nil {
			break
		}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
		err = nil
	}
	if err != nil {
		slog.Debug("spdy connection ended", "remote", c.netConn.RemoteAddr(), "err", err)
	}
	c.mu.Lock()
	c.closed = true
	c.closeErr = err
	streams := c.streams
	c.streams = map[uint32]*Stream{}
	c.mu.Unlock()
	for _, s := range streams {
		s.connEnded()
	}
	c.closeNet()
	close(c.done)
}

// handle applies one frame. An error ends the connection.
func (c *Conn) handle(f *Frame) error {
	if !f.Control {
		s := c.stream(f.StreamID)
		if s == nil {
			// Data for a stream that was reset or never existed: drop it, as the draft
			// allows after a reset.
			return nil
		}
		s.receive(f.Data, f.Flags&FlagFin != 0)
		if s.finished() {
			c.removeStream(s.id)
		}
		return nil
	}
	switch f.Type {
	case TypeSynStream:
		return c.handleSynStream(f)
	case TypeSynReply:
		if s := c.stream(f.StreamID); s != nil && s.replied != nil {
			s.replyOnce.Do(func() { close(s.replied) })
			if f.Flags&FlagFin != 0 {
				s.receive(nil, true)
			}
		}
	case TypeHeaders:
		if s := c.stream(f.StreamID); s != nil && f.Flags&FlagFin != 0 {
			s.receive(nil, true)
		}
	case TypeRstStream:
		if s := c.stream(f.StreamID); s != nil {
			c.removeStream(f.StreamID)
			s.reset(fmt.Errorf("%w (status %d)", ErrStreamReset, f.Status))
		}
	case TypePing:
		// The sender's parity tells an echo of our ping from the peer's own ping.
		ours := (f.PingID%2 == 0) == c.server
		if !ours {
			return c.writeFrame(f)
		}
		c.mu.Lock()
		if ch, ok := c.pings[f.PingID]; ok {
			close(ch)
			delete(c.pings, f.PingID)
		}
		c.mu.Unlock()
	case TypeGoAway:
		c.mu.Lock()
		c.goneAway = true
		c.mu.Unlock()
	case TypeSettings, TypeWindowUpdate:
		// Flow control and settings are not implemented (see the package comment).
	}
	return nil
}

func (c *Conn) handleSynStream(f *Frame) error {
	peerParity := uint32(1) // clients open odd ids
	if !c.server {
		peerParity = 0
	}
	c.mu.Lock()
	if f.StreamID == 0 || f.StreamID%2 != peerParity || f.StreamID <= c.lastPeerID {
		c.mu.Unlock()
		return c.writeFrame(&Frame{Control: true, Type: TypeRstStream, StreamID: f.StreamID, Status: StatusProtocolError})
	}
	c.lastPeerID = f.StreamID
	if c.accept == nil || c.closed {
		c.mu.Unlock()
		return c.writeFrame(&Frame{Control: true, Type: TypeRstStream, StreamID: f.StreamID, Status: StatusRefusedStream})
	}
	s := newStream(c, f.StreamID, f.Headers)
	c.streams[f.StreamID] = s
	c.mu.Unlock()
	if f.Flags&FlagFin != 0 {
		s.receive(nil, true)
	}
	if f.Flags&FlagUnidirectional != 0 {
		s.markLocalClosed()
	}
	if err := c.writeFrame(&Frame{Control: true, Type: TypeSynReply, StreamID: f.StreamID, Headers: http.Header{}}); err != nil {
		return err
	}
	if err := c.accept(s); err != nil {
		slog.Debug("spdy stream refused", "stream", f.StreamID, "err", err)
		s.Reset()
	}
	return nil
}

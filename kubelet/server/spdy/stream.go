package spdy

import (
	"fmt"
	"io"
	"net/http"
	"sync"
)

// maxBuffered bounds the data received on one stream and not read yet. When a stream's
// buffer is full the connection stops reading until that stream's reader catches up: a
// slow consumer slows its peer down instead of growing memory without limit.
const maxBuffered = 1 << 20

// Stream is one SPDY stream: a full-duplex byte stream with headers. Read, Write and Close
// may be called from different goroutines.
type Stream struct {
	conn    *Conn
	id      uint32
	headers http.Header

	// replied is closed when the SYN_REPLY for a stream we opened arrives (nil for
	// streams the peer opened); replyErr is set first if a reset came instead.
	replied   chan struct{}
	replyErr  error
	replyOnce sync.Once

	mu           sync.Mutex
	cond         *sync.Cond
	buf          []byte
	remoteClosed bool  // peer sent FIN (or the connection ended)
	readErr      error // the stream was reset: reads fail with this
	localClosed  bool  // we sent FIN or reset: writes fail
	resetErr     error // the peer reset the stream: why writes fail
}

func newStream(c *Conn, id uint32, headers http.Header) *Stream {
	if headers == nil {
		headers = http.Header{}
	}
	s := &Stream{conn: c, id: id, headers: headers}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// Identifier is the stream's id.
func (s *Stream) Identifier() uint32 { return s.id }

// Headers are the headers of the SYN_STREAM that opened the stream.
func (s *Stream) Headers() http.Header { return s.headers }

// receive appends data from the peer and records its FIN. It blocks while the buffer is
// full (see maxBuffered).
func (s *Stream) receive(data []byte, fin bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.buf) >= maxBuffered && s.readErr == nil && !s.remoteClosed {
		s.cond.Wait()
	}
	if s.readErr == nil && !s.remoteClosed {
		s.buf = append(s.buf, data...)
	}
	if fin {
		s.remoteClosed = true
	}
	s.cond.Broadcast()
}

// Read reads data the peer sent. It returns io.EOF after the peer's FIN (or the end of
// the connection) once the buffered data is consumed.
func (s *Stream) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.buf) == 0 {
		if s.readErr != nil {
			return 0, s.readErr
		}
		if s.remoteClosed {
			return 0, io.EOF
		}
		s.cond.Wait()
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	if len(s.buf) == 0 {
		s.buf = nil
	}
	s.cond.Broadcast()
	return n, nil
}

// Write sends p as DATA frames.
func (s *Stream) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		chunk := p[:min(len(p), maxChunk)]
		if err := s.writeData(chunk, false); err != nil {
			return written, err
		}
		written += len(chunk)
		p = p[len(chunk):]
	}
	return written, nil
}

func (s *Stream) writeData(data []byte, fin bool) error {
	s.mu.Lock()
	switch {
	case s.resetErr != nil:
		err := s.resetErr
		s.mu.Unlock()
		return err
	case s.localClosed || s.readErr != nil:
		s.mu.Unlock()
		return fmt.Errorf("spdy: write on closed stream %d", s.id)
	}
	if fin {
		s.localClosed = true
	}
	s.mu.Unlock()
	var flags uint8
	if fin {
		flags = FlagFin
	}
	return s.conn.writeFrame(&Frame{StreamID: s.id, Flags: flags, Data: data})
}

// Close half-closes the stream: it sends FIN, after which this side writes no more. The
// peer may go on sending; Read keeps working.
func (s *Stream) Close() error {
	s.mu.Lock()
	if s.localClosed {
		s.mu.Unlock()
		return nil
	}
	s.mu.Unlock()
	err := s.writeData(nil, true)
	s.mu.Lock()
	done := s.remoteClosed
	s.mu.Unlock()
	if done {
		s.conn.removeStream(s.id)
	}
	return err
}

// Reset abandons the stream in both directions (RST_STREAM CANCEL).
func (s *Stream) Reset() error {
	s.mu.Lock()
	already := s.localClosed && s.remoteClosed
	s.localClosed = true
	if s.readErr == nil {
		s.readErr = io.ErrClosedPipe
	}
	s.buf = nil
	s.cond.Broadcast()
	s.mu.Unlock()
	s.conn.removeStream(s.id)
	if already {
		return nil
	}
	return s.conn.writeFrame(&Frame{Control: true, Type: TypeRstStream, StreamID: s.id, Status: StatusCancel})
}

// finished reports whether both sides have closed the stream, so the connection can
// forget it.
func (s *Stream) finished() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.localClosed && s.remoteClosed
}

// markLocalClosed stops writes (a unidirectional stream the peer opened).
func (s *Stream) markLocalClosed() {
	s.mu.Lock()
	s.localClosed = true
	s.mu.Unlock()
}

// reset applies the peer's RST_STREAM. Like spdystream, which Kubernetes' servers use and
// which resets every stream when it closes a session (right after writing the outcome),
// a reset ends reading as the peer's FIN does: what arrived before it is still read,
// then io.EOF. Writing fails from now on.
func (s *Stream) reset(err error) {
	s.mu.Lock()
	s.remoteClosed = true
	s.localClosed = true
	s.resetErr = err
	s.cond.Broadcast()
	s.mu.Unlock()
	if s.replied != nil {
		s.replyOnce.Do(func() {
			s.replyErr = err
			close(s.replied)
		})
	}
}

// connEnded applies the end of the connection: readers get what is buffered, then EOF
// (as spdystream does: the peer hanging up ends every stream), and writers an error.
func (s *Stream) connEnded() {
	s.mu.Lock()
	s.remoteClosed = true
	s.localClosed = true
	s.cond.Broadcast()
	s.mu.Unlock()
	if s.replied != nil {
		s.replyOnce.Do(func() {
			s.replyErr = ErrConnClosed
			close(s.replied)
		})
	}
}

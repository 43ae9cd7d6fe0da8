package remotecommand

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/kubelet/server/spdy"
	"github.com/skiff-k8s/skiff/kubelet/server/wschannel"
)

// StreamCreationTimeout is how long a SPDY client has, after the upgrade, to open all the
// streams its request announced (upstream's default).
const StreamCreationTimeout = 30 * time.Second

// webSocketProtocols are the WebSocket subprotocols served, preferred first ("" is a
// client that names none: the original binary protocol).
var webSocketProtocols = []string{
	wschannel.ProtocolV5, wschannel.ProtocolV4, wschannel.ProtocolV4Base64,
	wschannel.ProtocolV1, wschannel.ProtocolV1Base64, "",
}

// spdyProtocols are the SPDY subprotocols served. The original channel.k8s.io is left
// out: every kubectl since 1.4 offers v4, and v1 has known bugs of its own.
var spdyProtocols = []string{ProtocolV4, ProtocolV3, ProtocolV2}

// Session is one accepted exec or attach, as the server sees it: the client's streams and
// the way to report the outcome. Streams the request did not ask for are nil.
type Session struct {
	Options  Options
	Protocol string
	Stdin    io.Reader
	Stdout   io.Writer
	Stderr   io.Writer
	// Resize delivers the client's terminal sizes (tty sessions on protocols that have a
	// resize channel); it is closed when the client stops sending them.
	Resize <-chan TerminalSize

	report    func(metav1.Status) error
	end       func() error
	gone      <-chan struct{}
	closeOnce sync.Once
	done      chan struct{}
}

// Accept upgrades r (a WebSocket or SPDY request) into a Session with the streams opts
// names. When the upgrade cannot happen it has answered r with an HTTP error itself and
// returns an error.
func Accept(w http.ResponseWriter, r *http.Request, opts Options) (*Session, error) {
	if wschannel.IsWebSocketRequest(r) {
		return acceptWebSocket(w, r, opts)
	}
	if spdy.IsUpgradeRequest(r) {
		return acceptSPDY(w, r, opts)
	}
	err := errors.New("unable to upgrade: missing upgrade headers in request")
	http.Error(w, err.Error(), http.StatusBadRequest)
	return nil, err
}

// Done is closed once the session has finished.
func (s *Session) Done() <-chan struct{} { return s.done }

// ClientGone is closed when the client's connection has ended (it hung up, or the
// session finished). A request's context does not end when a hijacked connection does:
// this is how the server notices a client that left.
func (s *Session) ClientGone() <-chan struct{} { return s.gone }

// Finish reports the outcome (see StatusFor) and ends the session.
func (s *Session) Finish(err error) { s.FinishStatus(StatusFor(err)) }

// FinishStatus reports st on the error channel (as the protocol version spells it) and
// ends the session. Only the first call has an effect.
func (s *Session) FinishStatus(st metav1.Status) {
	s.closeOnce.Do(func() {
		if err := s.report(st); err != nil {
			slog.Debug("remote command: report status", "err", err)
		}
		if err := s.end(); err != nil {
			slog.Debug("remote command: close session", "err", err)
		}
		close(s.done)
	})
}

// statusBytes renders st for the error channel: JSON for v4 and later, the message alone
// (and nothing on success) for older protocols.
func statusBytes(protocol string, st metav1.Status) []byte {
	switch protocol {
	case ProtocolV5, ProtocolV4, wschannel.ProtocolV4Base64:
		b, err := json.Marshal(st)
		if err != nil {
			return []byte(fmt.Sprintf(`{"metadata":{},"status":"Failure","message":%q}`, err.Error()))
		}
		return b
	}
	if st.Status == metav1.StatusSuccess {
		return nil
	}
	return []byte(st.Message)
}

func acceptWebSocket(w http.ResponseWriter, r *http.Request, opts Options) (*Session, error) {
	c, err := wschannel.Accept(w, r, webSocketProtocols)
	if err != nil {
		return nil, err
	}
	s := &Session{Options: opts, Protocol: c.Protocol(), done: make(chan struct{}), gone: c.Done()}
	if opts.Stdin {
		s.Stdin = c.Reader(ChannelStdin)
	}
	if opts.TTY {
		s.Resize = decodeResizes(c.Reader(ChannelResize))
	}
	go c.Run()
	if opts.Stdout {
		s.Stdout = c.Writer(ChannelStdout)
	}
	if opts.Stderr {
		s.Stderr = c.Writer(ChannelStderr)
	}
	// An empty message on the lowest writable channel tells the client the session is
	// established, as upstream's servers do.
	first := ChannelError
	switch {
	case opts.Stdout:
		first = ChannelStdout
	case opts.Stderr:
		first = ChannelStderr
	}
	if err := c.Write(first, nil); err != nil {
		c.Close()
		return nil, fmt.Errorf("write to websocket: %w", err)
	}
	s.report = func(st metav1.Status) error {
		if b := statusBytes(s.Protocol, st); b != nil {
			return c.Write(ChannelError, b)
		}
		return nil
	}
	s.end = c.CloseAfterPeer
	return s, nil
}

func acceptSPDY(w http.ResponseWriter, r *http.Request, opts Options) (*Session, error) {
	protocol, err := spdy.NegotiateProtocol(w, r, spdyProtocols)
	if err != nil {
		return nil, err
	}
	incoming := make(chan *spdy.Stream, 8)
	conn, err := spdy.Upgrade(w, r, func(st *spdy.Stream) error {
		select {
		case incoming <- st:
			return nil
		default:
			return errors.New("too many streams")
		}
	})
	if err != nil {
		return nil, err
	}

	expected := map[string]bool{StreamTypeError: true}
	if opts.Stdin {
		expected[StreamTypeStdin] = true
	}
	if opts.Stdout {
		expected[StreamTypeStdout] = true
	}
	if opts.Stderr {
		expected[StreamTypeStderr] = true
	}
	if opts.TTY && protocol != ProtocolV2 {
		expected[StreamTypeResize] = true
	}
	streams, err := waitForStreams(conn, incoming, expected)
	if err != nil {
		conn.Close()
		return nil, err
	}

	s := &Session{Options: opts, Protocol: protocol, done: make(chan struct{}), gone: conn.Done()}
	if st := streams[StreamTypeStdin]; st != nil {
		s.Stdin = st
	}
	if st := streams[StreamTypeStdout]; st != nil {
		s.Stdout = st
	}
	if st := streams[StreamTypeStderr]; st != nil {
		s.Stderr = st
	}
	if st := streams[StreamTypeResize]; st != nil {
		s.Resize = decodeResizes(st)
	}
	errStream := streams[StreamTypeError]
	s.report = func(st metav1.Status) error {
		if b := statusBytes(protocol, st); b != nil {
			if _, err := errStream.Write(b); err != nil {
				return err
			}
		}
		return nil
	}
	s.end = func() error {
		// Half-close what the server writes, so the client's copies see EOF, then hang
		// up.
		for _, typ := range []string{StreamTypeStdout, StreamTypeStderr, StreamTypeError} {
			if st := streams[typ]; st != nil {
				st.Close()
			}
		}
		return conn.Close()
	}
	return s, nil
}

// waitForStreams collects the streams the client opens until each expected type has
// one, the client hangs up, or StreamCreationTimeout passes.
func waitForStreams(conn *spdy.Conn, incoming <-chan *spdy.Stream, expected map[string]bool) (map[string]*spdy.Stream, error) {
	got := map[string]*spdy.Stream{}
	timer := time.NewTimer(StreamCreationTimeout)
	defer timer.Stop()
	for len(got) < len(expected) {
		select {
		case st := <-incoming:
			typ := st.Headers().Get(HeaderStreamType)
			if !expected[typ] || got[typ] != nil {
				st.Reset()
				return nil, fmt.Errorf("unexpected stream type: %q", typ)
			}
			got[typ] = st
		case <-conn.Done():
			return nil, errors.New("the client closed the connection before creating its streams")
		case <-timer.C:
			return nil, errors.New("timed out waiting for client to create streams")
		}
	}
	return got, nil
}

// decodeResizes turns a stream of JSON TerminalSize objects into a channel, closed when
// the stream ends. It never blocks the stream: when the consumer lags, only the latest
// size waits (an old size is worthless once a newer one is known), so a reader that
// ignores resizes cannot stall the connection's other channels.
func decodeResizes(r io.Reader) <-chan TerminalSize {
	ch := make(chan TerminalSize, 1)
	go func() {
		defer close(ch)
		dec := json.NewDecoder(r)
		for {
			var size TerminalSize
			if err := dec.Decode(&size); err != nil {
				return
			}
			select {
			case ch <- size:
			default:
				select {
				case <-ch:
				default:
				}
				ch <- size
			}
		}
	}()
	return ch
}

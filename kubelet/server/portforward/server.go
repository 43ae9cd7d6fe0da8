// Package portforward is Kubernetes' port-forward protocol, the one behind kubectl
// port-forward: each TCP connection a client accepts locally becomes a pair of streams on
// one upgraded HTTP connection, a "data" stream carrying the bytes to and from a port of
// the pod, and an "error" stream on which the server reports why forwarding failed.
//
// Transports:
//   - SPDY/3.1 with subprotocol portforward.k8s.io (kubectl up to 1.30): each stream's
//     headers say streamType (data or error), port, and requestID (which pairs them);
//   - the same SPDY session tunneled in binary WebSocket messages, subprotocol
//     "SPDY/3.1+portforward.k8s.io" (kubectl 1.31+);
//   - WebSocket channels (v4.channel.k8s.io, channel.k8s.io, and their base64 forms) with
//     the ports in ?port= query parameters: channels 2i and 2i+1 are the data and error
//     channels of the i-th port, each starting with the port number (2 bytes, little
//     endian), one connection per port for the socket's life.
//
// Serve answers clients; Dial opens a client session over SPDY (the kubelet reaching the
// container runtime's streaming server).
package portforward

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/skiff-k8s/skiff/kubelet/server/spdy"
	"github.com/skiff-k8s/skiff/kubelet/server/wschannel"
)

// Protocol names and stream headers.
const (
	ProtocolV1       = "portforward.k8s.io"
	TunnelProtocolV1 = wschannel.TunnelProtocolPrefix + ProtocolV1

	HeaderStreamType = "streamType"
	HeaderPort       = "port"
	HeaderRequestID  = "requestID"

	StreamTypeData  = "data"
	StreamTypeError = "error"

	// ParamPort is the query parameter naming the ports of a WebSocket session.
	ParamPort = "port"
)

// StreamCreationTimeout is how long the second stream of a pair may take to arrive.
const StreamCreationTimeout = 30 * time.Second

// webSocketProtocols are the channel protocols of WebSocket port-forwarding: upstream's
// kubelet answers to none named (binary), v4.channel.k8s.io and v4.base64.channel.k8s.io;
// the unversioned names are accepted too.
var webSocketProtocols = []string{
	"", wschannel.ProtocolV4, wschannel.ProtocolV4Base64, wschannel.ProtocolV1, wschannel.ProtocolV1Base64,
}

// ForwardFunc connects one client connection to port of the pod: it copies data to and
// from the port until either side ends. Closing data ends what the server sends (a
// half-close on SPDY). An error is reported to the client on the error stream.
type ForwardFunc func(ctx context.Context, port int32, data io.ReadWriteCloser) error

// RemoteError is a failure already worded for the client (the runtime's own message),
// reported as is rather than wrapped.
type RemoteError struct{ Message string }

func (e *RemoteError) Error() string { return e.Message }

// Target names the pod in error messages.
type Target struct {
	Pod string // the pod's name (upstream prints the name the kubelet knows it by)
	UID string
}

// errorMessage is what the error stream says when forward fails.
func (t Target) errorMessage(port int32, err error) string {
	var re *RemoteError
	if errors.As(err, &re) {
		return re.Message
	}
	return fmt.Sprintf("error forwarding port %d to pod %s, uid %v: %v", port, t.Pod, t.UID, err)
}

// IsTunnelRequest reports whether r asks for SPDY tunneled in a WebSocket.
func IsTunnelRequest(r *http.Request) bool {
	if !wschannel.IsWebSocketRequest(r) {
		return false
	}
	for _, p := range wschannel.RequestedProtocols(r) {
		if strings.HasPrefix(p, wschannel.TunnelProtocolPrefix) && strings.HasSuffix(p, ".k8s.io") {
			return true
		}
	}
	return false
}

// PortsFromQuery reads the ports of a WebSocket port-forward request (?port=80&port=443
// or ?port=80,443), with upstream's errors.
func PortsFromQuery(r *http.Request) ([]int32, error) {
	values := r.URL.Query()[ParamPort]
	if len(values) == 0 {
		return nil, fmt.Errorf("query parameter %q is required", ParamPort)
	}
	var ports []int32
	for _, v := range values {
		if v == "" {
			return nil, fmt.Errorf("query parameter %q cannot be empty", ParamPort)
		}
		for _, p := range strings.Split(v, ",") {
			n, err := strconv.ParseUint(p, 10, 16)
			if err != nil {
				return nil, fmt.Errorf("unable to parse %q as a port: %v", v, err)
			}
			if n < 1 {
				return nil, fmt.Errorf("port %q must be > 0", v)
			}
			ports = append(ports, int32(n))
		}
	}
	return ports, nil
}

// Serve upgrades r (SPDY, tunneled SPDY or WebSocket channels) and forwards every
// connection the client opens through forward, until the client hangs up or ctx ends.
// Failures before the upgrade are answered as HTTP errors. For WebSocket channel requests
// the caller passes the ports it read with PortsFromQuery.
func Serve(ctx context.Context, w http.ResponseWriter, r *http.Request, target Target, ports []int32, forward ForwardFunc) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	switch {
	case IsTunnelRequest(r):
		tunnel, _, err := wschannel.AcceptTunnel(w, r, []string{TunnelProtocolV1})
		if err != nil {
			return
		}
		s := newSPDYSession(ctx, target, forward)
		s.run(spdy.NewServerConn(tunnel, s.accept))
	case wschannel.IsWebSocketRequest(r):
		serveWebSocket(ctx, w, r, target, ports, forward)
	case spdy.IsUpgradeRequest(r):
		if _, err := spdy.NegotiateProtocol(w, r, []string{ProtocolV1}); err != nil {
			return
		}
		s := newSPDYSession(ctx, target, forward)
		conn, err := spdy.Upgrade(w, r, s.accept)
		if err != nil {
			return
		}
		s.run(conn)
	default:
		http.Error(w, "unable to upgrade: missing upgrade headers in request", http.StatusBadRequest)
	}
}

// spdySession pairs the streams a SPDY client opens and forwards each pair.
type spdySession struct {
	ctx     context.Context
	cancel  context.CancelFunc
	target  Target
	forward ForwardFunc

	mu    sync.Mutex
	pairs map[string]*streamPair
	wg    sync.WaitGroup
}

// streamPair is the data and error stream of one forwarded connection.
type streamPair struct {
	requestID  string
	data, errs *spdy.Stream
	complete   chan struct{}
}

func newSPDYSession(ctx context.Context, target Target, forward ForwardFunc) *spdySession {
	ctx, cancel := context.WithCancel(ctx)
	return &spdySession{ctx: ctx, cancel: cancel, target: target, forward: forward, pairs: map[string]*streamPair{}}
}

// run serves until the client hangs up (or the context ends), then ends the forwards.
func (s *spdySession) run(conn *spdy.Conn) {
	select {
	case <-conn.Done():
	case <-s.ctx.Done():
	}
	s.cancel()
	conn.Close()
	s.wg.Wait()
}

// accept files a new stream under its request id; the pair's goroutine starts with its
// first stream.
func (s *spdySession) accept(st *spdy.Stream) error {
	typ := st.Headers().Get(HeaderStreamType)
	if typ != StreamTypeData && typ != StreamTypeError {
		return fmt.Errorf("invalid stream type %q", typ)
	}
	id := requestID(st)
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pairs[id]
	if p == nil {
		p = &streamPair{requestID: id, complete: make(chan struct{})}
		s.pairs[id] = p
		s.wg.Add(1)
		go s.servePair(p)
	}
	if typ == StreamTypeData {
		if p.data != nil {
			return fmt.Errorf("duplicate data stream for request %s", id)
		}
		p.data = st
	} else {
		if p.errs != nil {
			return fmt.Errorf("duplicate error stream for request %s", id)
		}
		p.errs = st
	}
	if p.data != nil && p.errs != nil {
		close(p.complete)
	}
	return nil
}

// requestID is the pair a stream belongs to. Clients older than the requestID header
// open the error stream, then the data stream, with consecutive odd ids; upstream pairs
// them by id, and so does this.
func requestID(st *spdy.Stream) string {
	if id := st.Headers().Get(HeaderRequestID); id != "" {
		return id
	}
	if st.Headers().Get(HeaderStreamType) == StreamTypeData {
		return strconv.Itoa(int(st.Identifier()) - 2)
	}
	return strconv.Itoa(int(st.Identifier()))
}

// servePair waits for the pair to be complete, then forwards it.
func (s *spdySession) servePair(p *streamPair) {
	defer s.wg.Done()
	timer := time.NewTimer(StreamCreationTimeout)
	defer timer.Stop()
	select {
	case <-p.complete:
	case <-timer.C:
	case <-s.ctx.Done():
	}
	s.mu.Lock()
	delete(s.pairs, p.requestID)
	data, errs := p.data, p.errs
	s.mu.Unlock()
	if data == nil || errs == nil {
		for _, st := range []*spdy.Stream{data, errs} {
			if st != nil {
				st.Reset()
			}
		}
		if s.ctx.Err() == nil {
			slog.Debug("port-forward: stream pair incomplete", "request", p.requestID, "pod", s.target.Pod)
		}
		return
	}
	defer errs.Close()
	defer data.Close()
	portString := data.Headers().Get(HeaderPort)
	port, err := strconv.ParseUint(portString, 10, 16)
	if err != nil || port == 0 {
		fmt.Fprintf(errs, "unable to parse '%s' as a port: %v", portString, err)
		return
	}
	if err := s.forward(s.ctx, int32(port), data); err != nil && s.ctx.Err() == nil {
		msg := s.target.errorMessage(int32(port), err)
		slog.Info("port-forward failed", "pod", s.target.Pod, "port", port, "err", msg)
		io.WriteString(errs, msg)
	}
}

// serveWebSocket forwards one connection per requested port over WebSocket channels.
func serveWebSocket(ctx context.Context, w http.ResponseWriter, r *http.Request, target Target, ports []int32, forward ForwardFunc) {
	c, err := wschannel.Accept(w, r, webSocketProtocols)
	if err != nil {
		return
	}
	readers := make([]io.Reader, len(ports))
	for i := range ports {
		readers[i] = c.Reader(byte(2 * i))
	}
	go c.Run()
	for i, port := range ports {
		prefix := binary.LittleEndian.AppendUint16(nil, uint16(port))
		if c.Write(byte(2*i), prefix) != nil || c.Write(byte(2*i+1), prefix) != nil {
			c.Close()
			return
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for i, port := range ports {
		wg.Add(1)
		go func() {
			defer wg.Done()
			data := &channelStream{r: readers[i], w: c.Writer(byte(2 * i))}
			if err := forward(ctx, port, data); err != nil && ctx.Err() == nil {
				_ = c.Write(byte(2*i+1), []byte(target.errorMessage(port, err)))
			}
		}()
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-c.Done():
	case <-ctx.Done():
	}
	cancel()
	c.CloseAfterPeer()
	<-finished
}

// channelStream is one port's data channel. The channel protocols cannot half-close, so
// Close does nothing: the socket's end ends the stream.
type channelStream struct {
	r io.Reader
	w io.Writer
}

func (s *channelStream) Read(p []byte) (int, error)  { return s.r.Read(p) }
func (s *channelStream) Write(p []byte) (int, error) { return s.w.Write(p) }
func (s *channelStream) Close() error                { return nil }

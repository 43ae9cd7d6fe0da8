package spdy

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// pair starts a client and a server session over an in-memory connection; the server's
// accepted streams arrive on the returned channel.
func pair(t *testing.T) (client, server *Conn, accepted chan *Stream) {
	t.Helper()
	a, b := net.Pipe()
	accepted = make(chan *Stream, 16)
	server = NewServerConn(b, func(s *Stream) error {
		if s.Headers().Get("Refuse") != "" {
			return errors.New("refused")
		}
		accepted <- s
		return nil
	})
	client = NewClientConn(a, nil)
	t.Cleanup(func() {
		client.Close()
		server.Close()
	})
	return client, server, accepted
}

func TestStreamsCarryDataBothWaysAndHalfClose(t *testing.T) {
	client, _, accepted := pair(t)
	cs, err := client.CreateStream(http.Header{"Streamtype": {"stdin"}})
	if err != nil {
		t.Fatal(err)
	}
	ss := <-accepted
	if got := ss.Headers().Get("streamType"); got != "stdin" {
		t.Errorf("server sees streamType %q", got)
	}
	if ss.Identifier() != 1 || cs.Identifier() != 1 {
		t.Errorf("ids %d %d, want 1 (clients open odd ids)", cs.Identifier(), ss.Identifier())
	}

	go func() {
		cs.Write([]byte("hello "))
		cs.Write([]byte(strings.Repeat("y", 100000)))
		cs.Close()
	}()
	got, err := io.ReadAll(ss)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 100006 || string(got[:6]) != "hello " {
		t.Errorf("server read %d bytes", len(got))
	}
	// The client half-closed; the server can still answer.
	if _, err := ss.Write([]byte("bye")); err != nil {
		t.Fatal(err)
	}
	ss.Close()
	back, err := io.ReadAll(cs)
	if err != nil || string(back) != "bye" {
		t.Errorf("client read %q, %v", back, err)
	}
	if _, err := cs.Write([]byte("late")); err == nil {
		t.Error("write after Close succeeded")
	}
}

func TestRefusedAndResetStreams(t *testing.T) {
	client, _, accepted := pair(t)
	s, err := client.CreateStream(http.Header{"Refuse": {"yes"}})
	if err != nil {
		t.Fatal(err)
	}
	// The reply came first, then the reset: reading ends, writing fails.
	if got, err := io.ReadAll(s); err != nil || len(got) != 0 {
		t.Errorf("read on refused stream: %q %v", got, err)
	}
	if _, err := s.Write([]byte("x")); !errors.Is(err, ErrStreamReset) {
		t.Errorf("write on refused stream: %v, want ErrStreamReset", err)
	}

	// A reset keeps what arrived before it readable, as spdystream does (Kubernetes'
	// servers reset their streams right after writing the outcome).
	s2, err := client.CreateStream(http.Header{})
	if err != nil {
		t.Fatal(err)
	}
	ss := <-accepted
	ss.Write([]byte("last words"))
	ss.Reset()
	if got, err := io.ReadAll(s2); err != nil || string(got) != "last words" {
		t.Errorf("read after the peer's reset: %q %v", got, err)
	}
	if _, err := s2.Write([]byte("x")); !errors.Is(err, ErrStreamReset) {
		t.Errorf("write after the peer's reset: %v", err)
	}
}

func TestPingAndConnectionEnd(t *testing.T) {
	client, server, accepted := pair(t)
	if _, err := client.Ping(); err != nil {
		t.Fatalf("client ping: %v", err)
	}
	if _, err := server.Ping(); err != nil {
		t.Fatalf("server ping: %v", err)
	}
	cs, err := client.CreateStream(http.Header{})
	if err != nil {
		t.Fatal(err)
	}
	ss := <-accepted
	ss.Write([]byte("buffered"))
	time.Sleep(20 * time.Millisecond)
	server.Close()
	// Data that arrived before the end is still read, then EOF.
	got, err := io.ReadAll(cs)
	if err != nil || string(got) != "buffered" {
		t.Errorf("read %q, %v", got, err)
	}
	select {
	case <-client.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("client session did not end with the server's")
	}
	if _, err := client.CreateStream(http.Header{}); err == nil {
		t.Error("CreateStream on an ended session succeeded")
	}
}

// A slow reader stalls the connection instead of buffering without bound, and the
// stream gets everything once it reads.
func TestBackpressure(t *testing.T) {
	client, _, accepted := pair(t)
	cs, err := client.CreateStream(http.Header{})
	if err != nil {
		t.Fatal(err)
	}
	ss := <-accepted
	total := 3 * maxBuffered
	done := make(chan error, 1)
	go func() {
		_, err := cs.Write(make([]byte, total))
		cs.Close()
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	ss.mu.Lock()
	buffered := len(ss.buf)
	ss.mu.Unlock()
	if buffered > maxBuffered+maxChunk {
		t.Errorf("%d bytes buffered, limit %d", buffered, maxBuffered)
	}
	n, err := io.Copy(io.Discard, ss)
	if err != nil || n != int64(total) {
		t.Errorf("read %d bytes, %v", n, err)
	}
	if err := <-done; err != nil {
		t.Error(err)
	}
}

func TestUpgradeAndDial(t *testing.T) {
	accepted := make(chan *Stream, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proto, err := NegotiateProtocol(w, r, []string{"v4.channel.k8s.io", "v3.channel.k8s.io"})
		if err != nil {
			return
		}
		if proto != "v4.channel.k8s.io" {
			t.Errorf("negotiated %q", proto)
		}
		conn, err := Upgrade(w, r, func(s *Stream) error { accepted <- s; return nil })
		if err != nil {
			t.Error(err)
			return
		}
		s := <-accepted
		io.Copy(s, s) // echo
		s.Close()
		conn.Close()
	}))
	defer srv.Close()

	conn, proto, err := Dial(context.Background(), srv.URL+"/exec", []string{"v5.channel.k8s.io", "v4.channel.k8s.io", "v3.channel.k8s.io"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if proto != "v4.channel.k8s.io" {
		t.Errorf("client sees protocol %q", proto)
	}
	s, err := conn.CreateStream(http.Header{"Streamtype": {"stdin"}})
	if err != nil {
		t.Fatal(err)
	}
	s.Write([]byte("ping"))
	s.Close()
	got, _ := io.ReadAll(s)
	if string(got) != "ping" {
		t.Errorf("echo = %q", got)
	}

	// No common protocol: 403 with the server's list.
	_, _, err = Dial(context.Background(), srv.URL, []string{"v9.channel.k8s.io"})
	var ue *UpgradeError
	if !errors.As(err, &ue) || ue.StatusCode != http.StatusForbidden ||
		!strings.Contains(ue.Error(), "unable to negotiate protocol: client supports [v9.channel.k8s.io], server accepts [v4.channel.k8s.io v3.channel.k8s.io]") ||
		len(ue.Header.Values(HeaderAcceptedProtocolVersions)) != 2 {
		t.Errorf("no common protocol: %v", err)
	}
}

package wschannel

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// server runs handle for each WebSocket accepted with protocols.
func server(t *testing.T, protocols []string, handle func(*Conn)) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := Accept(w, r, protocols)
		if err != nil {
			return
		}
		handle(c)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func rawDial(t *testing.T, url string, protocols ...string) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{Subprotocols: protocols}
	ws, _, err := d.Dial("ws"+strings.TrimPrefix(url, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

// The v5 wire format, byte for byte: [channel, data...] messages and the close signal
// [255, channel] that ends one channel's reader.
func TestV5FramesAndCloseSignal(t *testing.T) {
	got := make(chan string, 1)
	url := server(t, []string{ProtocolV5, ProtocolV4}, func(c *Conn) {
		stdin := c.Reader(0)
		go c.Run()
		data, err := io.ReadAll(stdin) // ends at the close signal
		if err != nil {
			t.Error(err)
		}
		got <- string(data)
		c.Write(1, []byte("out"))
		c.Write(3, nil)
		c.Close()
	})
	ws := rawDial(t, url, ProtocolV5, ProtocolV4)
	if ws.Subprotocol() != ProtocolV5 {
		t.Fatalf("negotiated %q", ws.Subprotocol())
	}
	ws.WriteMessage(websocket.BinaryMessage, []byte{0, 'h', 'i'})
	ws.WriteMessage(websocket.BinaryMessage, []byte{7, 'x'}) // nobody reads channel 7
	ws.WriteMessage(websocket.BinaryMessage, []byte{0, '!'})
	ws.WriteMessage(websocket.BinaryMessage, []byte{255, 0})
	select {
	case s := <-got:
		if s != "hi!" {
			t.Errorf("stdin = %q", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("stdin did not end at the close signal")
	}
	for _, want := range [][]byte{{1, 'o', 'u', 't'}, {3}} {
		typ, msg, err := ws.ReadMessage()
		if err != nil || typ != websocket.BinaryMessage || string(msg) != string(want) {
			t.Errorf("message = %v %v %v, want %v", typ, msg, err, want)
		}
	}
	_, _, err := ws.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseNormalClosure {
		t.Errorf("end = %v, want a normal close", err)
	}
}

// v4 has no close signal: [255, 0] is just a message for channel 255.
func TestV4IgnoresCloseSignal(t *testing.T) {
	got := make(chan string, 1)
	url := server(t, []string{ProtocolV4}, func(c *Conn) {
		stdin := c.Reader(0)
		go c.Run()
		data, _ := io.ReadAll(stdin) // ends when the client closes the socket
		got <- string(data)
	})
	ws := rawDial(t, url, ProtocolV5, ProtocolV4)
	ws.WriteMessage(websocket.BinaryMessage, []byte{255, 0})
	ws.WriteMessage(websocket.BinaryMessage, []byte{0, 'a'})
	ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
	if s := <-got; s != "a" {
		t.Errorf("stdin = %q", s)
	}
}

func TestBase64Protocol(t *testing.T) {
	got := make(chan string, 1)
	url := server(t, []string{ProtocolV4Base64}, func(c *Conn) {
		stdin := c.Reader(0)
		go c.Run()
		buf := make([]byte, 3)
		io.ReadFull(stdin, buf)
		got <- string(buf)
		c.Write(1, []byte("foo\n"))
	})
	ws := rawDial(t, url, ProtocolV4Base64)
	ws.WriteMessage(websocket.TextMessage, []byte("0Zm9v")) // "foo" on channel '0'
	if s := <-got; s != "foo" {
		t.Errorf("stdin = %q", s)
	}
	typ, msg, err := ws.ReadMessage()
	if err != nil || typ != websocket.TextMessage || string(msg) != "1Zm9vCg==" {
		t.Errorf("message = %d %q %v", typ, msg, err)
	}
}

func TestRefusesUnknownProtocols(t *testing.T) {
	url := server(t, []string{ProtocolV5}, func(*Conn) {})
	_, err := Dial(context.Background(), url, []string{"v9.channel.k8s.io"})
	var he *HandshakeError
	if !errors.As(err, &he) || he.StatusCode != http.StatusForbidden ||
		!strings.Contains(he.Body, "requested protocol(s) are not supported: [v9.channel.k8s.io]; supports [v5.channel.k8s.io]") {
		t.Errorf("err = %v", err)
	}
}

func TestTunnelCarriesAByteStream(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tc, proto, err := AcceptTunnel(w, r, []string{"SPDY/3.1+portforward.k8s.io"})
		if err != nil {
			return
		}
		if proto != "SPDY/3.1+portforward.k8s.io" {
			t.Errorf("proto %q", proto)
		}
		io.Copy(tc, tc) // echo, message boundaries aside
		tc.Close()
	}))
	defer srv.Close()
	tc, _, err := DialTunnel(context.Background(), srv.URL, []string{"SPDY/3.1+portforward.k8s.io"})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		tc.Write([]byte("one "))
		tc.Write([]byte("two"))
	}()
	buf := make([]byte, 7)
	if _, err := io.ReadFull(tc, buf); err != nil || string(buf) != "one two" {
		t.Errorf("read %q, %v", buf, err)
	}
	tc.Close()
}

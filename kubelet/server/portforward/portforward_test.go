package portforward

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/skiff-k8s/skiff/kubelet/server/wschannel"
)

// echoPort listens on a free loopback port and answers each connection with "echo:"
// followed by what it reads, until the client half-closes.
func echoPort(t *testing.T) int32 {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.Write([]byte("echo:"))
				io.Copy(c, c)
			}()
		}
	}()
	return int32(l.Addr().(*net.TCPAddr).Port)
}

// dialLoopback forwards to 127.0.0.1:port, the way a runtime connects inside the pod.
func dialLoopback(ctx context.Context, port int32, data io.ReadWriteCloser) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(int(port))))
	if err != nil {
		return err
	}
	defer c.Close()
	done := make(chan struct{})
	go func() {
		io.Copy(c, data)
		c.(*net.TCPConn).CloseWrite()
	}()
	go func() {
		io.Copy(data, c)
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
	return nil
}

func server(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ports []int32
		if wschannel.IsWebSocketRequest(r) && !IsTunnelRequest(r) {
			var err error
			if ports, err = PortsFromQuery(r); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		}
		Serve(r.Context(), w, r, Target{Pod: "web", UID: "u1"}, ports, dialLoopback)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// conversation is a local connection: it sends "hi", half-closes, and collects the answer.
type conversation struct {
	in  io.Reader
	out bytes.Buffer
}

func (c *conversation) Read(p []byte) (int, error)  { return c.in.Read(p) }
func (c *conversation) Write(p []byte) (int, error) { return c.out.Write(p) }

func TestSPDYAndTunnel(t *testing.T) {
	port := echoPort(t)
	srv := server(t)
	dialers := map[string]func() (*Client, error){
		"spdy": func() (*Client, error) { return Dial(context.Background(), srv.URL) },
		"tunnel": func() (*Client, error) {
			tc, proto, err := wschannel.DialTunnel(context.Background(), srv.URL, []string{TunnelProtocolV1})
			if err != nil {
				return nil, err
			}
			if proto != TunnelProtocolV1 {
				t.Errorf("tunnel protocol %q", proto)
			}
			return NewClient(tc), nil
		},
	}
	for name, dial := range dialers {
		t.Run(name, func(t *testing.T) {
			c, err := dial()
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			// Two connections on one session, as kubectl makes.
			for i := 0; i < 2; i++ {
				conv := &conversation{in: strings.NewReader("hi" + strconv.Itoa(i))}
				if err := c.Forward(context.Background(), port, conv); err != nil {
					t.Fatal(err)
				}
				if got := conv.out.String(); got != "echo:hi"+strconv.Itoa(i) {
					t.Errorf("answer %q", got)
				}
			}
			// A closed port: the server's message arrives on the error stream.
			err = c.Forward(context.Background(), 1, &conversation{in: strings.NewReader("")})
			var re *RemoteError
			if !errors.As(err, &re) || !strings.HasPrefix(re.Message, "error forwarding port 1 to pod web, uid u1: dial tcp 127.0.0.1:1: connect: connection refused") {
				t.Errorf("closed port: %v", err)
			}
		})
	}
}

// WebSocket channels: the port prefix on both channels of each port, then the data.
func TestWebSocketChannels(t *testing.T) {
	port := echoPort(t)
	srv := server(t)
	d := websocket.Dialer{Subprotocols: []string{wschannel.ProtocolV4}}
	ws, _, err := d.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"?port="+strconv.Itoa(int(port)), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	prefix := []byte{byte(port), byte(port >> 8)}
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	var got []string
	for len(got) < 2 {
		_, m, err := ws.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(m))
	}
	// Each channel starts with its port, little endian.
	if want := []string{"\x00" + string(prefix), "\x01" + string(prefix)}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("first messages %q, want %q", got, want)
	}
	ws.WriteMessage(websocket.BinaryMessage, append([]byte{0}, "ping"...))
	var data string
	for data != "echo:ping" {
		_, m, err := ws.ReadMessage()
		if err != nil || len(m) == 0 || m[0] != 0 {
			t.Fatalf("data message %q %v (so far %q)", m, err, data)
		}
		data += string(m[1:])
	}
}

func TestPortsFromQuery(t *testing.T) {
	for q, want := range map[string]string{
		"port=80&port=443": "[80 443]",
		"port=80,8080":     "[80 8080]",
		"":                 `query parameter "port" is required`,
		"port=":            `query parameter "port" cannot be empty`,
		"port=x":           `unable to parse "x" as a port: strconv.ParseUint: parsing "x": invalid syntax`,
		"port=0":           `port "0" must be > 0`,
	} {
		r := httptest.NewRequest("GET", "/?"+q, nil)
		ports, err := PortsFromQuery(r)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = fmt.Sprint(ports)
		}
		if got != want {
			t.Errorf("%q: %s, want %s", q, got, want)
		}
	}
}

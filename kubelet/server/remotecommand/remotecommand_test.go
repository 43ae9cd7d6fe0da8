package remotecommand

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/skiff-k8s/skiff/kubelet/server/spdy"
)

// fakeProcess serves one session the way a container process would: it upper-cases stdin
// onto stdout, writes "warning" on stderr, records resizes, and exits with ?exit=N.
func fakeProcess(t *testing.T, resizes chan<- TerminalSize) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		opts, err := OptionsFromQuery(r.URL.Query())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s, err := Accept(w, r, opts)
		if err != nil {
			return
		}
		if s.Resize != nil {
			go func() {
				for size := range s.Resize {
					resizes <- size
				}
			}()
		}
		if s.Stderr != nil {
			s.Stderr.Write([]byte("warning\n"))
		}
		if s.Stdin != nil {
			in, _ := io.ReadAll(s.Stdin)
			if s.Stdout != nil {
				s.Stdout.Write(bytes.ToUpper(in))
			}
		}
		code, _ := strconv.Atoi(r.URL.Query().Get("exit"))
		if code != 0 {
			s.Finish(&ExitError{Code: code, Message: "error executing command [sh -c exit " + strconv.Itoa(code) + "], exit code " + strconv.Itoa(code)})
			return
		}
		s.Finish(nil)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func sessionURL(base string, opts Options, exit int) string {
	q := url.Values{}
	opts.Query(q)
	q.Set("exit", strconv.Itoa(exit))
	return base + "/exec?" + q.Encode()
}

// Both transports carry stdin (with its end), stdout, stderr and the exit code.
func TestClientsAgainstServer(t *testing.T) {
	srv := fakeProcess(t, make(chan TerminalSize, 10))
	for name, stream := range map[string]func(context.Context, string, Options, Streams) error{
		"spdy":      Stream,
		"websocket": StreamWebSocket,
	} {
		t.Run(name, func(t *testing.T) {
			opts := Options{Stdin: true, Stdout: true, Stderr: true}
			var out, errOut bytes.Buffer
			err := stream(context.Background(), sessionURL(srv.URL, opts, 0), opts, Streams{Stdin: strings.NewReader("hello"), Stdout: &out, Stderr: &errOut})
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != "HELLO" || errOut.String() != "warning\n" {
				t.Errorf("stdout %q stderr %q", out.String(), errOut.String())
			}

			err = stream(context.Background(), sessionURL(srv.URL, opts, 3), opts, Streams{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard})
			var exit *ExitError
			if !errors.As(err, &exit) || exit.Code != 3 || exit.Message != "error executing command [sh -c exit 3], exit code 3" {
				t.Errorf("exit: %v", err)
			}
		})
	}
}

func TestTTYResize(t *testing.T) {
	resizes := make(chan TerminalSize, 10)
	srv := fakeProcess(t, resizes)
	opts := Options{Stdin: true, Stdout: true, TTY: true}
	sizes := make(chan TerminalSize, 1)
	sizes <- TerminalSize{Width: 80, Height: 24}
	close(sizes)
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Stream(context.Background(), sessionURL(srv.URL, opts, 0), opts, Streams{Stdin: pr, Stdout: io.Discard, Resize: sizes})
	}()
	select {
	case got := <-resizes:
		if got != (TerminalSize{80, 24}) {
			t.Errorf("resize = %+v", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no resize arrived")
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// The v4 error channel, byte for byte, as kubectl decodes it.
func TestWebSocketV4StatusBytes(t *testing.T) {
	srv := fakeProcess(t, nil)
	opts := Options{Stdout: true}
	d := websocket.Dialer{Subprotocols: []string{ProtocolV4}}
	ws, _, err := d.Dial("ws"+strings.TrimPrefix(sessionURL(srv.URL, opts, 7), "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	var msgs []string
	for {
		_, m, err := ws.ReadMessage()
		if err != nil {
			break
		}
		msgs = append(msgs, string(m))
	}
	want := []string{
		"\x01", // the "connected" message on stdout
		"\x03" + `{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [sh -c exit 7], exit code 7","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"7"}]}}`,
	}
	if strings.Join(msgs, "|") != strings.Join(want, "|") {
		t.Errorf("messages:\n got %q\nwant %q", msgs, want)
	}
}

// Protocols before v4 get the error text, and nothing on success.
func TestSPDYV3ErrorText(t *testing.T) {
	srv := fakeProcess(t, nil)
	for exit, want := range map[int]string{0: "", 2: "command terminated with non-zero exit code: error executing command [sh -c exit 2], exit code 2"} {
		conn, proto, err := spdy.Dial(context.Background(), sessionURL(srv.URL, Options{Stdout: true}, exit), []string{ProtocolV3})
		if err != nil || proto != ProtocolV3 {
			t.Fatalf("dial: %v %q", err, proto)
		}
		errStream, _ := conn.CreateStream(http.Header{HeaderStreamType: {StreamTypeError}})
		stdout, _ := conn.CreateStream(http.Header{HeaderStreamType: {StreamTypeStdout}})
		go io.Copy(io.Discard, stdout)
		got, _ := io.ReadAll(errStream)
		if string(got) != want {
			t.Errorf("exit %d: error stream %q, want %q", exit, got, want)
		}
		conn.Close()
	}
}

func TestOptionsFromQuery(t *testing.T) {
	for q, want := range map[string]string{
		"input=1&output=1&tty=1&error=1": "{Stdin:true Stdout:true Stderr:false TTY:true}",
		"output=1":                       "{Stdin:false Stdout:true Stderr:false TTY:false}",
		"stdout=true":                    "you must specify at least 1 of stdin, stdout, stderr",
		"":                               "you must specify at least 1 of stdin, stdout, stderr",
	} {
		v, _ := url.ParseQuery(q)
		o, err := OptionsFromQuery(v)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = fmt.Sprintf("%+v", o)
		}
		if got != want {
			t.Errorf("%q: got %s, want %s", q, got, want)
		}
	}
}

package remotecommand

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/skiff-k8s/skiff/kubelet/server/spdy"
	"github.com/skiff-k8s/skiff/kubelet/server/wschannel"
)

// Streams are the local ends of a client session. Nil fields are not requested.
type Streams struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Resize, for tty sessions, delivers terminal sizes to send; the session stops
	// sending when it is closed.
	Resize <-chan TerminalSize
}

// Stream runs a session against rawURL over SPDY with protocol v4, the one container
// runtimes' streaming servers speak: it opens the streams opts names, copies them to and
// from s, and returns the outcome: nil when the command succeeded, *ExitError for a
// non-zero exit code, *StatusError or another error otherwise. A refused upgrade is a
// *spdy.UpgradeError.
func Stream(ctx context.Context, rawURL string, opts Options, s Streams) error {
	conn, protocol, err := spdy.Dial(ctx, rawURL, []string{ProtocolV4})
	if err != nil {
		return err
	}
	defer conn.Close()
	if protocol != ProtocolV4 {
		return fmt.Errorf("streaming server at %s chose protocol %q; only %s is implemented", rawURL, protocol, ProtocolV4)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	open := func(typ string) (*spdy.Stream, error) {
		st, err := conn.CreateStream(http.Header{HeaderStreamType: {typ}})
		if err != nil {
			return nil, fmt.Errorf("create %s stream: %w", typ, err)
		}
		return st, nil
	}
	// The order is client-go's: error first, so the server can report failures of the
	// others.
	errStream, err := open(StreamTypeError)
	if err != nil {
		return err
	}
	var stdin, stdout, stderr, resize *spdy.Stream
	if opts.Stdin {
		if stdin, err = open(StreamTypeStdin); err != nil {
			return err
		}
	}
	if opts.Stdout {
		if stdout, err = open(StreamTypeStdout); err != nil {
			return err
		}
	}
	if opts.Stderr && !opts.TTY {
		if stderr, err = open(StreamTypeStderr); err != nil {
			return err
		}
	}
	if opts.TTY {
		if resize, err = open(StreamTypeResize); err != nil {
			return err
		}
	}

	if stdin != nil {
		go func() {
			if s.Stdin != nil {
				_, _ = io.Copy(stdin, s.Stdin)
			}
			stdin.Close() // the process sees EOF on its stdin
		}()
	}
	if resize != nil && s.Resize != nil {
		go func() {
			enc := json.NewEncoder(resize)
			for size := range s.Resize {
				if err := enc.Encode(size); err != nil {
					return
				}
			}
		}()
	}
	var outputs sync.WaitGroup
	copyOut := func(dst io.Writer, src *spdy.Stream) {
		if src == nil {
			return
		}
		if dst == nil {
			dst = io.Discard
		}
		outputs.Add(1)
		go func() {
			defer outputs.Done()
			_, _ = io.Copy(dst, src)
		}()
	}
	copyOut(s.Stdout, stdout)
	copyOut(s.Stderr, stderr)

	raw, readErr := io.ReadAll(errStream)
	outputs.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if readErr != nil {
		return fmt.Errorf("read error stream: %w", readErr)
	}
	if len(raw) == 0 {
		return nil
	}
	return ErrorFromStatus(raw)
}

// StreamWebSocket runs a session against rawURL over a v5 WebSocket, as kubectl 1.30+
// does: stdin's end is sent as the close signal, and the outcome is read from the error
// channel when the server closes the socket.
func StreamWebSocket(ctx context.Context, rawURL string, opts Options, s Streams) error {
	c, err := wschannel.Dial(ctx, rawURL, []string{ProtocolV5})
	if err != nil {
		return err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()

	stdout := c.Reader(ChannelStdout)
	stderr := c.Reader(ChannelStderr)
	errCh := c.Reader(ChannelError)
	go c.Run()
	if opts.Stdin && s.Stdin != nil {
		go func() {
			if _, err := io.Copy(c.Writer(ChannelStdin), s.Stdin); err == nil {
				_ = c.SendClose(ChannelStdin)
			}
		}()
	}
	if opts.TTY && s.Resize != nil {
		go func() {
			for size := range s.Resize {
				b, _ := json.Marshal(size)
				if err := c.Write(ChannelResize, b); err != nil {
					return
				}
			}
		}()
	}
	var outputs sync.WaitGroup
	for _, pair := range []struct {
		dst io.Writer
		src io.Reader
	}{{s.Stdout, stdout}, {s.Stderr, stderr}} {
		dst := pair.dst
		if dst == nil {
			dst = io.Discard
		}
		outputs.Add(1)
		go func(src io.Reader) {
			defer outputs.Done()
			_, _ = io.Copy(dst, src)
		}(pair.src)
	}
	raw, readErr := io.ReadAll(errCh)
	outputs.Wait()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if readErr != nil && !errors.Is(readErr, io.EOF) {
		return fmt.Errorf("read error channel: %w", readErr)
	}
	if len(raw) == 0 {
		return nil
	}
	return ErrorFromStatus(raw)
}

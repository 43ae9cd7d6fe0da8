// Package fakestreaming completes the fake CRI runtime (kubelet/fakeruntime) with what a
// kubelet's exec, attach and port-forward need: Exec, Attach and PortForward answered as
// containerd answers them, with single-use URLs to a streaming server run here, which
// speaks the same protocols as containerd's (remotecommand and portforward over SPDY).
//
// Its simulated processes understand a few commands, enough to test every stream:
//
//	echo ARGS...    prints ARGS and a newline on stdout
//	cat             copies stdin to stdout until stdin ends (attach always behaves so)
//	sh -c "exit N"  exits with code N
//	stderr TEXT     prints TEXT and a newline on stderr
//	size            prints the first terminal size it is sent, as WxH
//	anything else   fails as a missing executable does
//
// Port-forwarding connects to the sandbox's IP (a loopback address for fake pods) at the
// requested port: the fake runtime's simulated servers answer there.
package fakestreaming

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/skiff-k8s/skiff/kubelet/fakeruntime"
	"github.com/skiff-k8s/skiff/kubelet/server/portforward"
	"github.com/skiff-k8s/skiff/kubelet/server/remotecommand"
)

// Runtime is the fake runtime with streaming.
type Runtime struct {
	*fakeruntime.Runtime

	listener net.Listener
	server   *http.Server
	baseURL  string

	mu       sync.Mutex
	next     int
	requests map[string]any // token -> *ExecRequest, *AttachRequest or *PortForwardRequest
}

// New wraps fake and starts its streaming server on a free loopback port.
func New(fake *fakeruntime.Runtime) (*Runtime, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fake streaming server: %w", err)
	}
	r := &Runtime{Runtime: fake, listener: l, baseURL: "http://" + l.Addr().String(), requests: map[string]any{}}
	r.server = &http.Server{Handler: http.HandlerFunc(r.serveStream)}
	go func() { _ = r.server.Serve(l) }()
	return r, nil
}

// Listen serves the runtime and image services on a unix socket.
func (r *Runtime) Listen(socket string) (*grpc.Server, error) {
	if err := os.MkdirAll(filepath.Dir(socket), 0o755); err != nil {
		return nil, err
	}
	_ = os.Remove(socket)
	lis, err := net.Listen("unix", socket)
	if err != nil {
		return nil, fmt.Errorf("fake runtime listen on %s: %w", socket, err)
	}
	s := grpc.NewServer()
	runtimeapi.RegisterRuntimeServiceServer(s, r)
	runtimeapi.RegisterImageServiceServer(s, r.Runtime)
	go func() { _ = s.Serve(lis) }()
	return s, nil
}

// Close stops the streaming server and the simulated containers.
func (r *Runtime) Close() {
	r.server.Close()
	r.Runtime.Shutdown()
}

func (r *Runtime) url(req any, kind string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.next++
	token := strconv.Itoa(r.next)
	r.requests[token] = req
	return r.baseURL + "/" + kind + "/" + token
}

// take returns a token's request once: URLs are single use, as containerd's are.
func (r *Runtime) take(token string) any {
	r.mu.Lock()
	defer r.mu.Unlock()
	req := r.requests[token]
	delete(r.requests, token)
	return req
}

func (r *Runtime) Exec(ctx context.Context, req *runtimeapi.ExecRequest) (*runtimeapi.ExecResponse, error) {
	if err := r.checkRunning(ctx, req.ContainerId); err != nil {
		return nil, err
	}
	return &runtimeapi.ExecResponse{Url: r.url(req, "exec")}, nil
}

func (r *Runtime) Attach(ctx context.Context, req *runtimeapi.AttachRequest) (*runtimeapi.AttachResponse, error) {
	if err := r.checkRunning(ctx, req.ContainerId); err != nil {
		return nil, err
	}
	return &runtimeapi.AttachResponse{Url: r.url(req, "attach")}, nil
}

func (r *Runtime) PortForward(ctx context.Context, req *runtimeapi.PortForwardRequest) (*runtimeapi.PortForwardResponse, error) {
	if _, err := r.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: req.PodSandboxId}); err != nil {
		return nil, err
	}
	return &runtimeapi.PortForwardResponse{Url: r.url(req, "portforward")}, nil
}

// checkRunning refuses streams into a container that does not run, as containerd does.
func (r *Runtime) checkRunning(ctx context.Context, id string) error {
	st, err := r.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: id})
	if err != nil {
		return err
	}
	if s := st.Status.State; s != runtimeapi.ContainerState_CONTAINER_RUNNING {
		return fmt.Errorf("container is in %s state", s)
	}
	return nil
}

// serveStream is the streaming server: /exec/<token>, /attach/<token>,
// /portforward/<token>.
func (r *Runtime) serveStream(w http.ResponseWriter, req *http.Request) {
	parts := strings.Split(strings.Trim(req.URL.Path, "/"), "/")
	if len(parts) != 2 {
		http.NotFound(w, req)
		return
	}
	switch cri := r.take(parts[1]).(type) {
	case *runtimeapi.ExecRequest:
		opts := remotecommand.Options{Stdin: cri.Stdin, Stdout: cri.Stdout, Stderr: cri.Stderr, TTY: cri.Tty}
		sess, err := remotecommand.Accept(w, req, opts)
		if err != nil {
			return
		}
		sess.Finish(run(cri.Cmd, sess))
	case *runtimeapi.AttachRequest:
		opts := remotecommand.Options{Stdin: cri.Stdin, Stdout: cri.Stdout, Stderr: cri.Stderr, TTY: cri.Tty}
		sess, err := remotecommand.Accept(w, req, opts)
		if err != nil {
			return
		}
		sess.Finish(run([]string{"cat"}, sess))
	case *runtimeapi.PortForwardRequest:
		r.servePortForward(w, req, cri.PodSandboxId)
	default:
		http.Error(w, "unknown or used token", http.StatusNotFound)
	}
}

func (r *Runtime) servePortForward(w http.ResponseWriter, req *http.Request, sandboxID string) {
	st, err := r.PodSandboxStatus(req.Context(), &runtimeapi.PodSandboxStatusRequest{PodSandboxId: sandboxID})
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	ip := st.Status.GetNetwork().GetIp()
	if ip == "" {
		ip = "127.0.0.1" // host network
	}
	forward := func(ctx context.Context, port int32, data io.ReadWriteCloser) error {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", net.JoinHostPort(ip, strconv.Itoa(int(port))))
		if err != nil {
			return fmt.Errorf("failed to connect to localhost:%d inside the pod: %w", port, err)
		}
		defer c.Close()
		go func() {
			_, _ = io.Copy(c, data)
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.CloseWrite()
			}
		}()
		_, _ = io.Copy(data, c)
		return nil
	}
	portforward.Serve(req.Context(), w, req, portforward.Target{Pod: sandboxID}, nil, forward)
}

// processStartDelay is how long a simulated process takes to start, about what runc's
// exec takes. Real runtimes are never instant, and one client depends on it: kubectl
// 1.30's WebSocket client drops what arrives before it has set up its streams.
const processStartDelay = 10 * time.Millisecond

// run simulates a process.
func run(cmd []string, s *remotecommand.Session) error {
	time.Sleep(processStartDelay)
	if len(cmd) == 0 {
		return &remotecommand.StatusError{Status: remotecommand.InternalErrorStatus(fmt.Errorf("no command"))}
	}
	out := s.Stdout
	if out == nil {
		out = io.Discard
	}
	switch cmd[0] {
	case "echo":
		fmt.Fprintln(out, strings.Join(cmd[1:], " "))
	case "cat":
		if s.Stdin != nil {
			_, _ = io.Copy(out, s.Stdin)
		}
	case "stderr":
		if s.Stderr != nil {
			fmt.Fprintln(s.Stderr, strings.Join(cmd[1:], " "))
		}
	case "size":
		if s.Resize != nil {
			if size, ok := <-s.Resize; ok {
				fmt.Fprintf(out, "%dx%d", size.Width, size.Height)
			}
		}
	case "sh":
		code, _ := strconv.Atoi(strings.TrimPrefix(cmd[len(cmd)-1], "exit "))
		if code != 0 {
			return &remotecommand.ExitError{Code: code, Message: fmt.Sprintf("error executing command %v, exit code %d", cmd, code)}
		}
	default:
		return &remotecommand.StatusError{Status: remotecommand.InternalErrorStatus(
			fmt.Errorf("error executing command in container: failed to exec in container: exec: %q: executable file not found in $PATH", cmd[0]))}
	}
	return nil
}

package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/kubelet/cri"
	"github.com/skiff-k8s/skiff/kubelet/server/portforward"
	"github.com/skiff-k8s/skiff/kubelet/server/remotecommand"
	"github.com/skiff-k8s/skiff/kubelet/server/wschannel"
)

func (s *Server) serveExec(w http.ResponseWriter, r *http.Request) { s.serveRemoteCommand(w, r, true) }

func (s *Server) serveAttach(w http.ResponseWriter, r *http.Request) {
	s.serveRemoteCommand(w, r, false)
}

// serveRemoteCommand answers exec (a new process) and attach (the container's main
// process). Before the upgrade: the options, the pod, the running container and the
// runtime's streaming URL, any failure answered as upstream's kubelet does. After it:
// the client's streams are relayed to the runtime's streaming server, and its outcome
// (exit code) back.
func (s *Server) serveRemoteCommand(w http.ResponseWriter, r *http.Request, exec bool) {
	namespace, podName, uid, container := r.PathValue("namespace"), r.PathValue("pod"), r.PathValue("uid"), r.PathValue("container")
	opts, err := remotecommand.OptionsFromQuery(r.URL.Query())
	if err != nil {
		writeText(w, http.StatusBadRequest, err.Error())
		return
	}
	pod, ok := s.pods.GetPodByName(namespace, podName)
	if !ok {
		writeText(w, http.StatusNotFound, "pod does not exist")
		return
	}
	if uid == "" {
		uid = pod.UID
	}
	ctx := r.Context()
	id, err := s.runningContainer(ctx, uid, container)
	if err != nil {
		writeRuntimeError(w, err)
		return
	}
	var streamURL string
	if exec {
		cmd := r.URL.Query()[remotecommand.ParamCommand]
		resp, err := s.runtime.Exec(ctx, &runtimeapi.ExecRequest{
			ContainerId: id, Cmd: cmd, Tty: opts.TTY, Stdin: opts.Stdin, Stdout: opts.Stdout, Stderr: opts.Stderr,
		})
		if err != nil {
			writeRuntimeError(w, err)
			return
		}
		streamURL = resp.Url
	} else {
		resp, err := s.runtime.Attach(ctx, &runtimeapi.AttachRequest{
			ContainerId: id, Tty: opts.TTY, Stdin: opts.Stdin, Stdout: opts.Stdout, Stderr: opts.Stderr,
		})
		if err != nil {
			writeRuntimeError(w, err)
			return
		}
		streamURL = resp.Url
	}

	sess, err := remotecommand.Accept(w, r, opts)
	if err != nil {
		s.log.Debug("remote command upgrade failed", "namespace", namespace, "pod", podName, "err", err)
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-sess.ClientGone():
			cancel()
		case <-ctx.Done():
		}
	}()
	err = remotecommand.Stream(ctx, streamURL, opts, remotecommand.Streams{
		Stdin: sess.Stdin, Stdout: sess.Stdout, Stderr: sess.Stderr, Resize: sess.Resize,
	})
	var exit *remotecommand.ExitError
	if err != nil && !errors.As(err, &exit) {
		what := "error executing command in container"
		if !exec {
			what = "error attaching to container"
		}
		s.log.Info("remote command failed", "namespace", namespace, "pod", podName, "container", container, "err", err)
		var se *remotecommand.StatusError
		if !errors.As(err, &se) {
			err = fmt.Errorf("%s: %w", what, err)
		}
	}
	sess.Finish(err)
}

// writeRuntimeError answers a failed runtime lookup or call as upstream's streaming
// server does: NotFound is 404, ResourceExhausted 429, anything else 500, with the error
// text as body.
func writeRuntimeError(w http.ResponseWriter, err error) {
	code := http.StatusInternalServerError
	switch status.Code(err) {
	case codes.NotFound:
		code = http.StatusNotFound
	case codes.ResourceExhausted:
		code = http.StatusTooManyRequests
	}
	writeText(w, code, err.Error())
}

// runningContainer finds the runtime id of the pod's running container named name.
func (s *Server) runningContainer(ctx context.Context, podUID, name string) (string, error) {
	resp, err := s.runtime.ListContainers(ctx, &runtimeapi.ListContainersRequest{Filter: &runtimeapi.ContainerFilter{
		State:         &runtimeapi.ContainerStateValue{State: runtimeapi.ContainerState_CONTAINER_RUNNING},
		LabelSelector: map[string]string{cri.LabelPodUID: podUID, cri.LabelContainerName: name},
	}})
	if err != nil {
		return "", err
	}
	var best *runtimeapi.Container
	for _, c := range resp.Containers {
		if best == nil || c.CreatedAt > best.CreatedAt {
			best = c
		}
	}
	if best == nil {
		return "", fmt.Errorf("container not found (%q)", name)
	}
	return best.Id, nil
}

// readySandbox finds the runtime id of the pod's ready sandbox.
func (s *Server) readySandbox(ctx context.Context, pod *corev1.Pod) (string, error) {
	resp, err := s.runtime.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{Filter: &runtimeapi.PodSandboxFilter{
		State:         &runtimeapi.PodSandboxStateValue{State: runtimeapi.PodSandboxState_SANDBOX_READY},
		LabelSelector: map[string]string{cri.LabelPodUID: pod.UID},
	}})
	if err != nil {
		return "", err
	}
	var best *runtimeapi.PodSandbox
	for _, sb := range resp.Items {
		if best == nil || sb.CreatedAt > best.CreatedAt {
			best = sb
		}
	}
	if best == nil {
		return "", fmt.Errorf("pod not found (%q)", pod.Name)
	}
	return best.Id, nil
}

// servePortForward answers kubectl port-forward: every connection the client forwards is
// relayed to the pod through the runtime's streaming server.
func (s *Server) servePortForward(w http.ResponseWriter, r *http.Request) {
	namespace, podName, uid := r.PathValue("namespace"), r.PathValue("pod"), r.PathValue("uid")
	var ports []int32
	if wschannel.IsWebSocketRequest(r) && !portforward.IsTunnelRequest(r) {
		var err error
		if ports, err = portforward.PortsFromQuery(r); err != nil {
			writeText(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	pod, ok := s.pods.GetPodByName(namespace, podName)
	if !ok {
		writeText(w, http.StatusNotFound, "pod does not exist")
		return
	}
	if uid != "" && pod.UID != uid {
		writeText(w, http.StatusNotFound, "pod not found")
		return
	}
	sandbox, err := s.readySandbox(r.Context(), pod)
	if err != nil {
		writeRuntimeError(w, err)
		return
	}
	relay := &runtimeForwarder{runtime: s.runtime, sandbox: sandbox}
	defer relay.close()
	portforward.Serve(r.Context(), w, r, portforward.Target{Pod: pod.Name, UID: pod.UID}, ports, relay.forward)
}

// runtimeForwarder relays a client's forwarded connections over one port-forward
// session with the runtime's streaming server. The session is opened at the first
// connection, not before: a runtime's streaming URL is valid for a short time only, and
// kubectl port-forward may wait long for its first connection.
type runtimeForwarder struct {
	runtime runtimeapi.RuntimeServiceClient
	sandbox string

	mu      sync.Mutex
	session *portforward.Client
}

func (f *runtimeForwarder) forward(ctx context.Context, port int32, data io.ReadWriteCloser) error {
	client, err := f.open(ctx)
	if err != nil {
		return err
	}
	err = client.Forward(ctx, port, data)
	var remote *portforward.RemoteError
	if err != nil && !errors.As(err, &remote) {
		// The session itself failed: the next connection opens a new one.
		f.mu.Lock()
		if f.session == client {
			f.session = nil
		}
		f.mu.Unlock()
		client.Close()
	}
	return err
}

func (f *runtimeForwarder) open(ctx context.Context) (*portforward.Client, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.session != nil {
		select {
		case <-f.session.Done():
			f.session = nil
		default:
			return f.session, nil
		}
	}
	resp, err := f.runtime.PortForward(ctx, &runtimeapi.PortForwardRequest{PodSandboxId: f.sandbox})
	if err != nil {
		return nil, err
	}
	client, err := portforward.Dial(ctx, resp.Url)
	if err != nil {
		return nil, err
	}
	f.session = client
	return client, nil
}

func (f *runtimeForwarder) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.session != nil {
		f.session.Close()
		f.session = nil
	}
}

package probes

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/intstr"
	"github.com/skiff-k8s/skiff/kubelet/cri"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// outcome of one probe run.
type outcome int

const (
	outcomeSuccess outcome = iota
	outcomeFailure
	// outcomeWarning is a success worth an event (an HTTP redirect the probe did not follow).
	outcomeWarning
)

// maxBody is how much of an HTTP answer a probe reads (upstream's 10 KiB).
const maxBody = 10 * 1024

// Runner executes probe handlers (also used for lifecycle hooks).
type Runner struct {
	// Runtime runs exec probes (ExecSync).
	Runtime *cri.Client
	// UserAgent is sent by HTTP probes ("kube-probe/1.33").
	UserAgent string
}

// Target is the container a probe runs against.
type Target struct {
	Pod         *corev1.Pod
	Container   *corev1.Container
	ContainerID string // runtime id, for exec
	PodIP       string
}

// Run executes handler against t with timeout and returns the outcome and a message (the
// failure reason, or the output).
func (r *Runner) Run(ctx context.Context, h *corev1.ProbeHandler, t Target, timeout time.Duration) (outcome, string, error) {
	switch {
	case h.Exec != nil:
		return r.exec(ctx, h.Exec.Command, t, timeout)
	case h.HTTPGet != nil:
		return r.httpGet(ctx, h.HTTPGet, t, timeout)
	case h.TCPSocket != nil:
		return tcp(ctx, h.TCPSocket, t, timeout)
	case h.GRPC != nil:
		return grpcHealth(ctx, h.GRPC, t, timeout)
	}
	return outcomeFailure, "", fmt.Errorf("missing probe handler for %s:%s", t.Pod.Name, t.Container.Name)
}

func (r *Runner) exec(ctx context.Context, cmd []string, t Target, timeout time.Duration) (outcome, string, error) {
	resp, err := r.Runtime.ExecSync(ctx, t.ContainerID, cmd, timeout)
	if err != nil {
		if ctx.Err() == nil && strings.Contains(err.Error(), "DeadlineExceeded") {
			return outcomeFailure, fmt.Sprintf("command %q timed out", strings.Join(cmd, " ")), nil
		}
		return outcomeFailure, "", err
	}
	out := string(resp.Stdout) + string(resp.Stderr)
	if resp.ExitCode != 0 {
		if out == "" {
			out = fmt.Sprintf("command %q exited with %d", strings.Join(cmd, " "), resp.ExitCode)
		}
		return outcomeFailure, out, nil
	}
	return outcomeSuccess, out, nil
}

// ResolvePort turns a probe's port (number or container port name) into a number.
func ResolvePort(port intstr.IntOrString, c *corev1.Container) (int, error) {
	if port.Type == intstr.Int {
		if port.IntVal <= 0 || port.IntVal > 65535 {
			return 0, fmt.Errorf("invalid port number: %v", port.IntVal)
		}
		return int(port.IntVal), nil
	}
	for _, p := range c.Ports {
		if p.Name == port.StrVal {
			return int(p.ContainerPort), nil
		}
	}
	if n, err := strconv.Atoi(port.StrVal); err == nil {
		return n, nil
	}
	return 0, fmt.Errorf("couldn't find port: %v in %v", port.StrVal, c.Name)
}

func (r *Runner) httpGet(ctx context.Context, g *corev1.HTTPGetAction, t Target, timeout time.Duration) (outcome, string, error) {
	port, err := ResolvePort(g.Port, t.Container)
	if err != nil {
		return outcomeFailure, "", err
	}
	host := g.Host
	if host == "" {
		host = t.PodIP
	}
	scheme := strings.ToLower(string(g.Scheme))
	if scheme == "" {
		scheme = "http"
	}
	u, err := url.Parse(g.Path)
	if err != nil {
		u = &url.URL{Path: g.Path}
	}
	u.Scheme, u.Host = scheme, net.JoinHostPort(host, strconv.Itoa(port))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return outcomeFailure, "", err
	}
	for _, h := range g.HTTPHeaders {
		req.Header.Add(h.Name, h.Value)
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", r.UserAgent)
	}
	if _, ok := req.Header["Accept"]; !ok {
		req.Header.Set("Accept", "*/*")
	}
	if h := req.Header.Get("Host"); h != "" {
		req.Host = h
	}
	client := &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			// Probes check the container, not its certificate (upstream skips verification).
			TLSClientConfig:   &tls.Config{InsecureSkipVerify: true},
			DisableKeepAlives: true,
			Proxy:             nil,
		},
		// Redirects to another host are not followed: they end the probe as a success with
		// a warning, as upstream's prober does.
		CheckRedirect: func(next *http.Request, via []*http.Request) error {
			if next.URL.Hostname() != via[0].URL.Hostname() {
				return http.ErrUseLastResponse
			}
			if len(via) >= 10 {
				return fmt.Errorf("stopped after 10 redirects")
			}
			return nil
		},
	}
	resp, err := client.Do(req)
	if err != nil {
		return outcomeFailure, err.Error(), nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if resp.StatusCode >= http.StatusOK && resp.StatusCode < http.StatusBadRequest {
		if resp.StatusCode >= http.StatusMultipleChoices {
			return outcomeWarning, fmt.Sprintf("Probe terminated redirects, Response body: %v", string(body)), nil
		}
		return outcomeSuccess, string(body), nil
	}
	return outcomeFailure, fmt.Sprintf("HTTP probe failed with statuscode: %d", resp.StatusCode), nil
}

func tcp(ctx context.Context, s *corev1.TCPSocketAction, t Target, timeout time.Duration) (outcome, string, error) {
	port, err := ResolvePort(s.Port, t.Container)
	if err != nil {
		return outcomeFailure, "", err
	}
	host := s.Host
	if host == "" {
		host = t.PodIP
	}
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return outcomeFailure, err.Error(), nil
	}
	_ = conn.Close()
	return outcomeSuccess, "", nil
}

// grpcHealth calls grpc.health.v1.Health/Check on the pod IP.
func grpcHealth(ctx context.Context, g *corev1.GRPCAction, t Target, timeout time.Duration) (outcome, string, error) {
	addr := net.JoinHostPort(t.PodIP, strconv.Itoa(int(g.Port)))
	creds := insecure.NewCredentials()
	if g.Mode != nil && *g.Mode == corev1.GRPCProbeModeTLS {
		creds = credentials.NewTLS(&tls.Config{InsecureSkipVerify: true})
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds), grpc.WithUserAgent("kube-probe"))
	if err != nil {
		return outcomeFailure, fmt.Sprintf("failed to connect service %q within %v: %+v", addr, timeout, err), nil
	}
	defer conn.Close()
	service := ""
	if g.Service != nil {
		service = *g.Service
	}
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: service})
	if err != nil {
		return outcomeFailure, fmt.Sprintf("timeout: health rpc did not complete within %v", timeout), nil
	}
	if resp.Status != healthpb.HealthCheckResponse_SERVING {
		return outcomeFailure, fmt.Sprintf("service unhealthy (responded with %q)", resp.Status.String()), nil
	}
	return outcomeSuccess, "", nil
}

// RunHook executes a lifecycle hook's exec or httpGet action (timeout 0: none) and returns
// its output, with an error when it failed.
func (r *Runner) RunHook(ctx context.Context, h *corev1.ProbeHandler, t Target, timeout time.Duration) (string, error) {
	out, msg, err := r.Run(ctx, h, t, timeout)
	if err != nil {
		return msg, err
	}
	if out == outcomeFailure {
		return msg, fmt.Errorf("%s", msg)
	}
	return msg, nil
}

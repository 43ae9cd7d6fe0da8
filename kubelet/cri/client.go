// Package cri is the kubelet's thin client of a Container Runtime Interface runtime
// (containerd's CRI plugin, or Skiff's fake runtime) over gRPC on a unix socket, and the
// runtime's view of one pod that the rest of the kubelet reasons about (PodStatus).
//
// Promises:
//   - Every call carries a deadline (2 minutes, as upstream's remote runtime; image pulls
//     have none) so a hung runtime never wedges a pod worker forever.
//   - The raw gRPC clients stay reachable (Runtime, Images) for callers that need calls
//     this package does not wrap (exec, attach, port-forward, stats).
//   - The labels and annotations the kubelet puts on sandboxes and containers are
//     upstream's (io.kubernetes.pod.uid, io.kubernetes.container.restartCount ...), so a
//     restarted kubelet, crictl, and upstream tools all recognise Skiff's containers.
package cri

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// DefaultTimeout bounds every runtime call except image pulls (upstream's value).
const DefaultTimeout = 2 * time.Minute

// maxMessageSize matches upstream's CRI client: large ListContainers answers fit.
const maxMessageSize = 16 * 1024 * 1024

// Client talks to one CRI runtime.
type Client struct {
	conn *grpc.ClientConn
	// Runtime and Images are the generated gRPC clients, for calls not wrapped here.
	Runtime runtimeapi.RuntimeServiceClient
	Images  runtimeapi.ImageServiceClient
	// Timeout bounds each call made through the wrappers (DefaultTimeout unless changed).
	Timeout time.Duration

	mu      sync.Mutex
	version *runtimeapi.VersionResponse
}

// Dial connects to endpoint ("unix:///run/containerd/containerd.sock" or a bare path). The
// connection is lazy: a runtime that is not up yet makes calls fail, not Dial.
func Dial(endpoint string) (*Client, error) {
	target := endpoint
	switch {
	case strings.HasPrefix(endpoint, "unix://"):
	case strings.HasPrefix(endpoint, "/"):
		target = "unix://" + endpoint
	default:
		return nil, fmt.Errorf("runtime endpoint %q: only unix sockets are supported (unix:///path)", endpoint)
	}
	conn, err := grpc.NewClient(target,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMessageSize), grpc.MaxCallSendMsgSize(maxMessageSize)),
	)
	if err != nil {
		return nil, fmt.Errorf("dial runtime %s: %w", endpoint, err)
	}
	return &Client{
		conn:    conn,
		Runtime: runtimeapi.NewRuntimeServiceClient(conn),
		Images:  runtimeapi.NewImageServiceClient(conn),
		Timeout: DefaultTimeout,
	}, nil
}

// Close releases the connection.
func (c *Client) Close() error { return c.conn.Close() }

// withTimeout derives the per-call context.
func (c *Client) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, c.Timeout)
}

// Version asks the runtime for its name and version and remembers the answer: container
// IDs are reported as "<runtime name>://<id>".
func (c *Client) Version(ctx context.Context) (*runtimeapi.VersionResponse, error) {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	v, err := c.Runtime.Version(ctx, &runtimeapi.VersionRequest{Version: "v1"})
	if err != nil {
		return nil, fmt.Errorf("runtime version: %w", err)
	}
	c.mu.Lock()
	c.version = v
	c.mu.Unlock()
	return v, nil
}

// RuntimeName is the runtime's name ("containerd") once Version has answered, "" before.
func (c *Client) RuntimeName() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.version == nil {
		return ""
	}
	return c.version.RuntimeName
}

// ContainerIDString renders a runtime container id the way pod status shows it:
// "containerd://0123abcd...".
func (c *Client) ContainerIDString(id string) string {
	name := c.RuntimeName()
	if name == "" {
		name = "cri"
	}
	return name + "://" + id
}

// Status reports the runtime's RuntimeReady and NetworkReady conditions.
func (c *Client) Status(ctx context.Context) (*runtimeapi.RuntimeStatus, error) {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	resp, err := c.Runtime.Status(ctx, &runtimeapi.StatusRequest{})
	if err != nil {
		return nil, fmt.Errorf("runtime status: %w", err)
	}
	return resp.Status, nil
}

// UpdatePodCIDR tells the runtime the node's pod range (the fake runtime and kubenet-style
// plugins use it; containerd's CNI config ignores it).
func (c *Client) UpdatePodCIDR(ctx context.Context, cidr string) error {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	_, err := c.Runtime.UpdateRuntimeConfig(ctx, &runtimeapi.UpdateRuntimeConfigRequest{
		RuntimeConfig: &runtimeapi.RuntimeConfig{NetworkConfig: &runtimeapi.NetworkConfig{PodCidr: cidr}},
	})
	if err != nil {
		return fmt.Errorf("update runtime pod CIDR %s: %w", cidr, err)
	}
	return nil
}

// RunPodSandbox creates and starts a pod sandbox, returning its id.
func (c *Client) RunPodSandbox(ctx context.Context, cfg *runtimeapi.PodSandboxConfig) (string, error) {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	resp, err := c.Runtime.RunPodSandbox(ctx, &runtimeapi.RunPodSandboxRequest{Config: cfg})
	if err != nil {
		return "", err
	}
	return resp.PodSandboxId, nil
}

// StopPodSandbox stops every process of the sandbox and releases its network.
func (c *Client) StopPodSandbox(ctx context.Context, id string) error {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	_, err := c.Runtime.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: id})
	return err
}

// RemovePodSandbox removes a stopped sandbox and its containers.
func (c *Client) RemovePodSandbox(ctx context.Context, id string) error {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	_, err := c.Runtime.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: id})
	return err
}

// CreateContainer creates (not starts) a container in a sandbox.
func (c *Client) CreateContainer(ctx context.Context, sandboxID string, cfg *runtimeapi.ContainerConfig, sandboxCfg *runtimeapi.PodSandboxConfig) (string, error) {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	resp, err := c.Runtime.CreateContainer(ctx, &runtimeapi.CreateContainerRequest{
		PodSandboxId: sandboxID, Config: cfg, SandboxConfig: sandboxCfg,
	})
	if err != nil {
		return "", err
	}
	return resp.ContainerId, nil
}

// StartContainer starts a created container.
func (c *Client) StartContainer(ctx context.Context, id string) error {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	_, err := c.Runtime.StartContainer(ctx, &runtimeapi.StartContainerRequest{ContainerId: id})
	return err
}

// StopContainer sends the stop signal, waits up to grace, then kills. The call's own
// deadline is stretched by the grace period so the runtime has the whole grace to use.
func (c *Client) StopContainer(ctx context.Context, id string, grace time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout+grace)
	defer cancel()
	_, err := c.Runtime.StopContainer(ctx, &runtimeapi.StopContainerRequest{ContainerId: id, Timeout: int64(grace / time.Second)})
	return err
}

// RemoveContainer removes a stopped container.
func (c *Client) RemoveContainer(ctx context.Context, id string) error {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	_, err := c.Runtime.RemoveContainer(ctx, &runtimeapi.RemoveContainerRequest{ContainerId: id})
	return err
}

// ExecSync runs cmd in a container and waits up to timeout (0 = no limit) for it.
func (c *Client) ExecSync(ctx context.Context, id string, cmd []string, timeout time.Duration) (*runtimeapi.ExecSyncResponse, error) {
	callTimeout := c.Timeout
	if timeout > 0 {
		// The runtime enforces timeout itself; leave it room to answer.
		callTimeout = timeout + 2*time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return c.Runtime.ExecSync(ctx, &runtimeapi.ExecSyncRequest{ContainerId: id, Cmd: cmd, Timeout: int64(timeout / time.Second)})
}

// ListPodSandboxes lists every sandbox the runtime has (all pods, all states).
func (c *Client) ListPodSandboxes(ctx context.Context) ([]*runtimeapi.PodSandbox, error) {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	resp, err := c.Runtime.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{})
	if err != nil {
		return nil, fmt.Errorf("list pod sandboxes: %w", err)
	}
	return resp.Items, nil
}

// ListContainers lists every container the runtime has (all pods, all states).
func (c *Client) ListContainers(ctx context.Context) ([]*runtimeapi.Container, error) {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	resp, err := c.Runtime.ListContainers(ctx, &runtimeapi.ListContainersRequest{})
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	return resp.Containers, nil
}

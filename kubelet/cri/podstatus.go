package cri

import (
	"context"
	"fmt"
	"sort"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// ContainerState is the runtime's state of one container.
type ContainerState string

// The container states, as the CRI reports them.
const (
	ContainerCreated ContainerState = "created"
	ContainerRunning ContainerState = "running"
	ContainerExited  ContainerState = "exited"
	ContainerUnknown ContainerState = "unknown"
)

func stateOf(s runtimeapi.ContainerState) ContainerState {
	switch s {
	case runtimeapi.ContainerState_CONTAINER_CREATED:
		return ContainerCreated
	case runtimeapi.ContainerState_CONTAINER_RUNNING:
		return ContainerRunning
	case runtimeapi.ContainerState_CONTAINER_EXITED:
		return ContainerExited
	}
	return ContainerUnknown
}

// Sandbox is one pod sandbox as the runtime reports it.
type Sandbox struct {
	ID        string
	Attempt   uint32
	Ready     bool
	CreatedAt time.Time
	// IPs are the pod's addresses, primary first (none for host-network pods or stopped
	// sandboxes).
	IPs []string
	// HostNetwork is true when the sandbox shares the node's network namespace.
	HostNetwork bool
}

// Container is one container as the runtime reports it, with the kubelet's own facts read
// back from its labels and annotations.
type Container struct {
	// ID is the runtime's id (no "containerd://" prefix).
	ID        string
	Name      string
	SandboxID string
	State     ContainerState
	Attempt   uint32
	// RestartCount is the kubelet's count, kept in an annotation so it survives restarts.
	RestartCount int
	CreatedAt    time.Time
	StartedAt    time.Time
	FinishedAt   time.Time
	ExitCode     int32
	// Reason and Message are the runtime's ("OOMKilled", "Completed", "Error", "StartError").
	Reason  string
	Message string
	// Image is the image as the runtime names it; ImageRef its digest or id.
	Image    string
	ImageRef string
	// Hash is the spec hash the kubelet stored at creation: a different hash means the
	// container's definition changed and it must be replaced.
	Hash        string
	Annotations map[string]string
	LogPath     string
}

// PodStatus is everything the runtime holds for one pod: its sandboxes and containers,
// newest first.
type PodStatus struct {
	UID       string
	Name      string
	Namespace string
	Sandboxes []*Sandbox
	// Containers holds every container of every sandbox of the pod, newest first; a
	// container name can appear several times (restarts).
	Containers []*Container
}

// LatestSandbox is the newest sandbox, nil if none.
func (s *PodStatus) LatestSandbox() *Sandbox {
	if s == nil || len(s.Sandboxes) == 0 {
		return nil
	}
	return s.Sandboxes[0]
}

// Latest is the newest container with this name, nil if none.
func (s *PodStatus) Latest(name string) *Container {
	if s == nil {
		return nil
	}
	for _, c := range s.Containers {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Named lists the containers with this name, newest first.
func (s *PodStatus) Named(name string) []*Container {
	var out []*Container
	if s == nil {
		return nil
	}
	for _, c := range s.Containers {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

// Running lists the running containers.
func (s *PodStatus) Running() []*Container {
	var out []*Container
	if s == nil {
		return nil
	}
	for _, c := range s.Containers {
		if c.State == ContainerRunning {
			out = append(out, c)
		}
	}
	return out
}

// GetPodStatus asks the runtime for everything it has for the pod with this uid.
func (c *Client) GetPodStatus(ctx context.Context, uid string) (*PodStatus, error) {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	sel := map[string]string{LabelPodUID: uid}
	sbs, err := c.Runtime.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{Filter: &runtimeapi.PodSandboxFilter{LabelSelector: sel}})
	if err != nil {
		return nil, fmt.Errorf("list sandboxes of pod %s: %w", uid, err)
	}
	status := &PodStatus{UID: uid}
	for i, sb := range sbs.Items {
		s := &Sandbox{
			ID:        sb.Id,
			Ready:     sb.State == runtimeapi.PodSandboxState_SANDBOX_READY,
			CreatedAt: time.Unix(0, sb.CreatedAt),
		}
		if md := sb.Metadata; md != nil {
			s.Attempt = md.Attempt
			status.Name, status.Namespace = md.Name, md.Namespace
		}
		// Only a ready sandbox has addresses worth asking for; stopped ones released theirs.
		if s.Ready || i == 0 {
			st, err := c.Runtime.PodSandboxStatus(ctx, &runtimeapi.PodSandboxStatusRequest{PodSandboxId: sb.Id})
			if err == nil && st.Status != nil {
				if n := st.Status.Network; n != nil && n.Ip != "" {
					s.IPs = append(s.IPs, n.Ip)
					for _, ip := range n.AdditionalIps {
						s.IPs = append(s.IPs, ip.Ip)
					}
				}
				if l := st.Status.Linux; l != nil && l.Namespaces != nil && l.Namespaces.Options != nil {
					s.HostNetwork = l.Namespaces.Options.Network == runtimeapi.NamespaceMode_NODE
				}
			}
		}
		status.Sandboxes = append(status.Sandboxes, s)
	}
	sort.SliceStable(status.Sandboxes, func(i, j int) bool {
		return status.Sandboxes[i].CreatedAt.After(status.Sandboxes[j].CreatedAt)
	})

	cs, err := c.Runtime.ListContainers(ctx, &runtimeapi.ListContainersRequest{Filter: &runtimeapi.ContainerFilter{LabelSelector: sel}})
	if err != nil {
		return nil, fmt.Errorf("list containers of pod %s: %w", uid, err)
	}
	for _, ct := range cs.Containers {
		st, err := c.Runtime.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: ct.Id})
		if err != nil {
			// Removed between the list and the status call: it no longer matters.
			continue
		}
		status.Containers = append(status.Containers, containerFromStatus(ct, st.Status))
	}
	sort.SliceStable(status.Containers, func(i, j int) bool {
		return status.Containers[i].CreatedAt.After(status.Containers[j].CreatedAt)
	})
	return status, nil
}

// containerFromStatus merges the list entry (sandbox id) with the full status.
func containerFromStatus(ct *runtimeapi.Container, st *runtimeapi.ContainerStatus) *Container {
	c := &Container{
		ID:          st.Id,
		SandboxID:   ct.PodSandboxId,
		State:       stateOf(st.State),
		CreatedAt:   time.Unix(0, st.CreatedAt),
		ExitCode:    st.ExitCode,
		Reason:      st.Reason,
		Message:     st.Message,
		ImageRef:    st.ImageRef,
		Annotations: st.Annotations,
		LogPath:     st.LogPath,
	}
	if st.StartedAt > 0 {
		c.StartedAt = time.Unix(0, st.StartedAt)
	}
	if st.FinishedAt > 0 {
		c.FinishedAt = time.Unix(0, st.FinishedAt)
	}
	if st.Image != nil {
		c.Image = st.Image.Image
	}
	if md := st.Metadata; md != nil {
		c.Name, c.Attempt = md.Name, md.Attempt
	}
	if n := st.Labels[LabelContainerName]; n != "" {
		c.Name = n
	}
	if c.State == ContainerExited {
		if msg := terminationMessage(st); msg != "" {
			if c.Message != "" {
				c.Message += ": "
			}
			c.Message += msg
		}
	}
	c.RestartCount = restartCountOf(st.Annotations)
	c.Hash = st.Annotations[AnnotationContainerHash]
	return c
}

package fakeruntime

import (
	"context"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// sandbox is one simulated pod sandbox.
type sandbox struct {
	id        string
	config    *runtimeapi.PodSandboxConfig
	state     runtimeapi.PodSandboxState
	createdAt time.Time
	ip        string
}

func (s *sandbox) key() string {
	md := s.config.GetMetadata()
	return md.GetNamespace() + "/" + md.GetName()
}

func (s *sandbox) hostNetwork() bool {
	return s.config.GetLinux().GetSecurityContext().GetNamespaceOptions().GetNetwork() == runtimeapi.NamespaceMode_NODE
}

func (r *Runtime) Version(_ context.Context, _ *runtimeapi.VersionRequest) (*runtimeapi.VersionResponse, error) {
	return &runtimeapi.VersionResponse{Version: Version, RuntimeName: Name, RuntimeVersion: Version, RuntimeApiVersion: "v1"}, nil
}

func (r *Runtime) Status(_ context.Context, _ *runtimeapi.StatusRequest) (*runtimeapi.StatusResponse, error) {
	return &runtimeapi.StatusResponse{Status: &runtimeapi.RuntimeStatus{Conditions: []*runtimeapi.RuntimeCondition{
		{Type: runtimeapi.RuntimeReady, Status: true},
		{Type: runtimeapi.NetworkReady, Status: true},
	}}}, nil
}

func (r *Runtime) UpdateRuntimeConfig(_ context.Context, req *runtimeapi.UpdateRuntimeConfigRequest) (*runtimeapi.UpdateRuntimeConfigResponse, error) {
	// The node's pod CIDR is usually not a loopback range; fake pods keep their own.
	return &runtimeapi.UpdateRuntimeConfigResponse{}, nil
}

func (r *Runtime) RunPodSandbox(_ context.Context, req *runtimeapi.RunPodSandboxRequest) (*runtimeapi.RunPodSandboxResponse, error) {
	cfg := req.GetConfig()
	if cfg.GetMetadata() == nil {
		return nil, status.Error(codes.InvalidArgument, "sandbox config has no metadata")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	sb := &sandbox{id: r.newIDLocked(), config: cfg, state: runtimeapi.PodSandboxState_SANDBOX_READY, createdAt: time.Now()}
	if !sb.hostNetwork() {
		ip, err := r.ips.allocate()
		if err != nil {
			return nil, status.Errorf(codes.ResourceExhausted, "failed to setup network for sandbox %q: %v", sb.id, err)
		}
		sb.ip = ip
	}
	r.sandboxes[sb.id] = sb
	r.recordLocked("RunPodSandbox %s", sb.key())
	return &runtimeapi.RunPodSandboxResponse{PodSandboxId: sb.id}, nil
}

func (r *Runtime) StopPodSandbox(_ context.Context, req *runtimeapi.StopPodSandboxRequest) (*runtimeapi.StopPodSandboxResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	sb, ok := r.sandboxes[req.PodSandboxId]
	if !ok {
		// Stopping a sandbox that is gone is not an error (containerd agrees).
		return &runtimeapi.StopPodSandboxResponse{}, nil
	}
	for _, c := range r.containers {
		if c.sandboxID == sb.id && c.state == runtimeapi.ContainerState_CONTAINER_RUNNING {
			c.exitLocked(137, "Error", "")
		}
	}
	if sb.ip != "" {
		r.ips.release(sb.ip)
		sb.ip = ""
	}
	sb.state = runtimeapi.PodSandboxState_SANDBOX_NOTREADY
	r.recordLocked("StopPodSandbox %s", sb.key())
	return &runtimeapi.StopPodSandboxResponse{}, nil
}

func (r *Runtime) RemovePodSandbox(_ context.Context, req *runtimeapi.RemovePodSandboxRequest) (*runtimeapi.RemovePodSandboxResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	sb, ok := r.sandboxes[req.PodSandboxId]
	if !ok {
		return &runtimeapi.RemovePodSandboxResponse{}, nil
	}
	if sb.state == runtimeapi.PodSandboxState_SANDBOX_READY {
		return nil, status.Errorf(codes.FailedPrecondition, "sandbox container %q is not fully stopped", sb.id)
	}
	for id, c := range r.containers {
		if c.sandboxID == sb.id {
			c.stopProcessLocked()
			delete(r.containers, id)
		}
	}
	delete(r.sandboxes, sb.id)
	r.recordLocked("RemovePodSandbox %s", sb.key())
	return &runtimeapi.RemovePodSandboxResponse{}, nil
}

func (r *Runtime) PodSandboxStatus(_ context.Context, req *runtimeapi.PodSandboxStatusRequest) (*runtimeapi.PodSandboxStatusResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	sb, ok := r.sandboxes[req.PodSandboxId]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "an error occurred when try to find sandbox: not found")
	}
	st := &runtimeapi.PodSandboxStatus{
		Id:          sb.id,
		Metadata:    sb.config.Metadata,
		State:       sb.state,
		CreatedAt:   sb.createdAt.UnixNano(),
		Network:     &runtimeapi.PodSandboxNetworkStatus{Ip: sb.ip},
		Labels:      sb.config.Labels,
		Annotations: sb.config.Annotations,
		Linux: &runtimeapi.LinuxPodSandboxStatus{Namespaces: &runtimeapi.Namespace{
			Options: sb.config.GetLinux().GetSecurityContext().GetNamespaceOptions(),
		}},
	}
	return &runtimeapi.PodSandboxStatusResponse{Status: st, Timestamp: time.Now().UnixNano()}, nil
}

func (r *Runtime) ListPodSandbox(_ context.Context, req *runtimeapi.ListPodSandboxRequest) (*runtimeapi.ListPodSandboxResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f := req.GetFilter()
	var out []*runtimeapi.PodSandbox
	for _, sb := range r.sandboxes {
		if f != nil {
			if f.Id != "" && f.Id != sb.id {
				continue
			}
			if f.State != nil && f.State.State != sb.state {
				continue
			}
			if !labelsMatch(sb.config.Labels, f.LabelSelector) {
				continue
			}
		}
		out = append(out, &runtimeapi.PodSandbox{
			Id: sb.id, Metadata: sb.config.Metadata, State: sb.state, CreatedAt: sb.createdAt.UnixNano(),
			Labels: sb.config.Labels, Annotations: sb.config.Annotations,
		})
	}
	return &runtimeapi.ListPodSandboxResponse{Items: out}, nil
}

func (r *Runtime) PodSandboxStats(_ context.Context, req *runtimeapi.PodSandboxStatsRequest) (*runtimeapi.PodSandboxStatsResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	sb, ok := r.sandboxes[req.PodSandboxId]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "sandbox %q not found", req.PodSandboxId)
	}
	return &runtimeapi.PodSandboxStatsResponse{Stats: r.sandboxStatsLocked(sb)}, nil
}

func (r *Runtime) ListPodSandboxStats(_ context.Context, req *runtimeapi.ListPodSandboxStatsRequest) (*runtimeapi.ListPodSandboxStatsResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*runtimeapi.PodSandboxStats
	for _, sb := range r.sandboxes {
		if f := req.GetFilter(); f != nil && ((f.Id != "" && f.Id != sb.id) || !labelsMatch(sb.config.Labels, f.LabelSelector)) {
			continue
		}
		out = append(out, r.sandboxStatsLocked(sb))
	}
	return &runtimeapi.ListPodSandboxStatsResponse{Stats: out}, nil
}

// sandboxStatsLocked reports zero usage: simulated containers use nothing.
func (r *Runtime) sandboxStatsLocked(sb *sandbox) *runtimeapi.PodSandboxStats {
	now := time.Now().UnixNano()
	st := &runtimeapi.PodSandboxStats{
		Attributes: &runtimeapi.PodSandboxAttributes{Id: sb.id, Metadata: sb.config.Metadata, Labels: sb.config.Labels, Annotations: sb.config.Annotations},
		Linux: &runtimeapi.LinuxPodSandboxStats{
			Cpu:    &runtimeapi.CpuUsage{Timestamp: now, UsageCoreNanoSeconds: &runtimeapi.UInt64Value{}, UsageNanoCores: &runtimeapi.UInt64Value{}},
			Memory: &runtimeapi.MemoryUsage{Timestamp: now, WorkingSetBytes: &runtimeapi.UInt64Value{}, UsageBytes: &runtimeapi.UInt64Value{}},
		},
	}
	for _, c := range r.containers {
		if c.sandboxID == sb.id && c.state == runtimeapi.ContainerState_CONTAINER_RUNNING {
			st.Linux.Containers = append(st.Linux.Containers, c.statsLocked())
		}
	}
	return st
}

// labelsMatch reports whether labels carry every key/value of the selector.
func labelsMatch(labels, selector map[string]string) bool {
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

package fakeruntime

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// container is one simulated container.
type container struct {
	id         string
	sandboxID  string
	ref        ContainerRef
	config     *runtimeapi.ContainerConfig
	image      *image
	state      runtimeapi.ContainerState
	createdAt  time.Time
	startedAt  time.Time
	finishedAt time.Time
	exitCode   int32
	reason     string
	message    string
	logPath    string
	behavior   Behavior
	httpStatus atomic.Int32

	// exitTimer ends the container on its own (Behavior.ExitAfter); listeners are its
	// simulated servers.
	exitTimer *time.Timer
	listeners []net.Listener
}

// exitLocked moves a running container to EXITED. The caller holds r.mu.
func (c *container) exitLocked(code int32, reason, message string) {
	if c.state != runtimeapi.ContainerState_CONTAINER_RUNNING {
		return
	}
	c.stopProcessLocked()
	c.state = runtimeapi.ContainerState_CONTAINER_EXITED
	c.finishedAt = time.Now()
	c.exitCode = code
	c.reason = reason
	c.message = message
}

// stopProcessLocked releases what the simulated process holds.
func (c *container) stopProcessLocked() {
	if c.exitTimer != nil {
		c.exitTimer.Stop()
		c.exitTimer = nil
	}
	for _, l := range c.listeners {
		_ = l.Close()
	}
	c.listeners = nil
}

func (c *container) statsLocked() *runtimeapi.ContainerStats {
	now := time.Now().UnixNano()
	return &runtimeapi.ContainerStats{
		Attributes: &runtimeapi.ContainerAttributes{Id: c.id, Metadata: c.config.Metadata, Labels: c.config.Labels, Annotations: c.config.Annotations},
		Cpu:        &runtimeapi.CpuUsage{Timestamp: now, UsageCoreNanoSeconds: &runtimeapi.UInt64Value{}, UsageNanoCores: &runtimeapi.UInt64Value{}},
		Memory:     &runtimeapi.MemoryUsage{Timestamp: now, WorkingSetBytes: &runtimeapi.UInt64Value{}, UsageBytes: &runtimeapi.UInt64Value{}},
	}
}

func (r *Runtime) CreateContainer(_ context.Context, req *runtimeapi.CreateContainerRequest) (*runtimeapi.CreateContainerResponse, error) {
	cfg := req.GetConfig()
	r.mu.Lock()
	defer r.mu.Unlock()
	sb, ok := r.sandboxes[req.PodSandboxId]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "failed to get sandbox %q: not found", req.PodSandboxId)
	}
	if sb.state != runtimeapi.PodSandboxState_SANDBOX_READY {
		return nil, status.Errorf(codes.FailedPrecondition, "sandbox %q is not ready", sb.id)
	}
	img := r.findImageLocked(cfg.GetImage().GetImage())
	if img == nil {
		return nil, status.Errorf(codes.NotFound, "failed to get image %q: not found", cfg.GetImage().GetImage())
	}
	md := sb.config.Metadata
	c := &container{
		id: r.newIDLocked(), sandboxID: sb.id, config: cfg, image: img,
		state: runtimeapi.ContainerState_CONTAINER_CREATED, createdAt: time.Now(),
	}
	c.ref = ContainerRef{Namespace: md.Namespace, Pod: md.Name, PodUID: md.Uid, Container: cfg.GetMetadata().GetName(), Attempt: cfg.GetMetadata().GetAttempt(), ID: c.id}
	if sb.config.LogDirectory != "" && cfg.LogPath != "" {
		c.logPath = filepath.Join(sb.config.LogDirectory, cfg.LogPath)
	}
	c.behavior = r.behaviorFor(c.ref, sb.config.Annotations)
	c.httpStatus.Store(int32(c.behavior.HTTPStatus))
	r.containers[c.id] = c
	r.recordLocked("CreateContainer %s/%s", sb.key(), c.ref.Container)
	return &runtimeapi.CreateContainerResponse{ContainerId: c.id}, nil
}

func (r *Runtime) StartContainer(_ context.Context, req *runtimeapi.StartContainerRequest) (*runtimeapi.StartContainerResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.containers[req.ContainerId]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "container %q not found", req.ContainerId)
	}
	if c.state != runtimeapi.ContainerState_CONTAINER_CREATED {
		return nil, status.Errorf(codes.FailedPrecondition, "container %q is not in created state", c.id)
	}
	sb := r.sandboxes[c.sandboxID]
	r.recordLocked("StartContainer %s/%s", sb.key(), c.ref.Container)
	if c.behavior.StartError != "" {
		// What runc reports for a missing executable: the container is left EXITED 128.
		c.state = runtimeapi.ContainerState_CONTAINER_EXITED
		c.finishedAt = time.Now()
		c.exitCode, c.reason, c.message = 128, "StartError", c.behavior.StartError
		return nil, status.Errorf(codes.Unknown, "failed to create containerd task: failed to create shim task: OCI runtime create failed: %s", c.behavior.StartError)
	}
	c.state = runtimeapi.ContainerState_CONTAINER_RUNNING
	c.startedAt = time.Now()
	r.writeLogLocked(c, fmt.Sprintf("fake container %s of pod %s started", c.ref.Container, sb.key()))
	if r.opts.ServePorts && sb.ip != "" {
		c.listeners = serveDeclaredPorts(sb.ip, c)
	}
	if b := c.behavior; b.ExitAfter > 0 {
		id := c.id
		c.exitTimer = time.AfterFunc(b.ExitAfter, func() {
			r.mu.Lock()
			defer r.mu.Unlock()
			if c, ok := r.containers[id]; ok {
				reason := "Completed"
				if b.OOM {
					reason = "OOMKilled"
				} else if b.ExitCode != 0 {
					reason = "Error"
				}
				c.exitLocked(b.ExitCode, reason, "")
			}
		})
	}
	return &runtimeapi.StartContainerResponse{}, nil
}

func (r *Runtime) StopContainer(ctx context.Context, req *runtimeapi.StopContainerRequest) (*runtimeapi.StopContainerResponse, error) {
	r.mu.Lock()
	c, ok := r.containers[req.ContainerId]
	if !ok {
		r.mu.Unlock()
		return nil, status.Errorf(codes.NotFound, "container %q not found", req.ContainerId)
	}
	r.recordLocked("StopContainer %s/%s", r.sandboxes[c.sandboxID].key(), c.ref.Container)
	if c.state != runtimeapi.ContainerState_CONTAINER_RUNNING {
		if c.state == runtimeapi.ContainerState_CONTAINER_CREATED {
			c.state = runtimeapi.ContainerState_CONTAINER_EXITED
			c.finishedAt = time.Now()
		}
		r.mu.Unlock()
		return &runtimeapi.StopContainerResponse{}, nil
	}
	grace := time.Duration(req.Timeout) * time.Second
	delay := c.behavior.StopDelay
	r.mu.Unlock()

	// SIGTERM: the process takes StopDelay to exit; past the grace period it is killed.
	wait, code := delay, int32(143)
	if delay > grace {
		wait, code = grace, 137
	}
	if wait > 0 {
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil, status.FromContextError(ctx.Err()).Err()
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if c.behavior.StopExitCode != nil && code == 143 {
		code = *c.behavior.StopExitCode
	}
	reason := "Error"
	if code == 0 {
		reason = "Completed"
	}
	c.exitLocked(code, reason, "")
	return &runtimeapi.StopContainerResponse{}, nil
}

func (r *Runtime) RemoveContainer(_ context.Context, req *runtimeapi.RemoveContainerRequest) (*runtimeapi.RemoveContainerResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.containers[req.ContainerId]
	if !ok {
		return &runtimeapi.RemoveContainerResponse{}, nil
	}
	if c.state == runtimeapi.ContainerState_CONTAINER_RUNNING {
		return nil, status.Errorf(codes.FailedPrecondition, "container %q is running, stop it first", c.id)
	}
	c.stopProcessLocked()
	delete(r.containers, c.id)
	if sb := r.sandboxes[c.sandboxID]; sb != nil {
		r.recordLocked("RemoveContainer %s/%s", sb.key(), c.ref.Container)
	}
	return &runtimeapi.RemoveContainerResponse{}, nil
}

func (r *Runtime) containerStatusLocked(c *container) *runtimeapi.ContainerStatus {
	st := &runtimeapi.ContainerStatus{
		Id: c.id, Metadata: c.config.Metadata, State: c.state, CreatedAt: c.createdAt.UnixNano(),
		ExitCode: c.exitCode, Reason: c.reason, Message: c.message,
		Image: &runtimeapi.ImageSpec{Image: c.image.name()}, ImageRef: c.image.id, ImageId: c.image.id,
		Labels: c.config.Labels, Annotations: c.config.Annotations, Mounts: c.config.Mounts, LogPath: c.logPath,
	}
	if !c.startedAt.IsZero() {
		st.StartedAt = c.startedAt.UnixNano()
	}
	if !c.finishedAt.IsZero() {
		st.FinishedAt = c.finishedAt.UnixNano()
	}
	return st
}

func (r *Runtime) ContainerStatus(_ context.Context, req *runtimeapi.ContainerStatusRequest) (*runtimeapi.ContainerStatusResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.containers[req.ContainerId]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "an error occurred when try to find container %q: not found", req.ContainerId)
	}
	return &runtimeapi.ContainerStatusResponse{Status: r.containerStatusLocked(c)}, nil
}

func (r *Runtime) ListContainers(_ context.Context, req *runtimeapi.ListContainersRequest) (*runtimeapi.ListContainersResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f := req.GetFilter()
	var out []*runtimeapi.Container
	for _, c := range r.containers {
		if f != nil {
			if (f.Id != "" && f.Id != c.id) || (f.PodSandboxId != "" && f.PodSandboxId != c.sandboxID) ||
				(f.State != nil && f.State.State != c.state) || !labelsMatch(c.config.Labels, f.LabelSelector) {
				continue
			}
		}
		out = append(out, &runtimeapi.Container{
			Id: c.id, PodSandboxId: c.sandboxID, Metadata: c.config.Metadata,
			Image: &runtimeapi.ImageSpec{Image: c.image.name()}, ImageRef: c.image.id, ImageId: c.image.id,
			State: c.state, CreatedAt: c.createdAt.UnixNano(), Labels: c.config.Labels, Annotations: c.config.Annotations,
		})
	}
	return &runtimeapi.ListContainersResponse{Containers: out}, nil
}

func (r *Runtime) ExecSync(_ context.Context, req *runtimeapi.ExecSyncRequest) (*runtimeapi.ExecSyncResponse, error) {
	r.mu.Lock()
	c, ok := r.containers[req.ContainerId]
	if !ok {
		r.mu.Unlock()
		return nil, status.Errorf(codes.NotFound, "container %q not found", req.ContainerId)
	}
	if c.state != runtimeapi.ContainerState_CONTAINER_RUNNING {
		r.mu.Unlock()
		return nil, status.Errorf(codes.FailedPrecondition, "container %q is not running", c.id)
	}
	r.recordLocked("ExecSync %s/%s %s", r.sandboxes[c.sandboxID].key(), c.ref.Container, strings.Join(req.Cmd, " "))
	ref, b := c.ref, c.behavior
	r.mu.Unlock()
	if r.opts.Exec != nil {
		out, code := r.opts.Exec(ref, req.Cmd)
		return &runtimeapi.ExecSyncResponse{Stdout: []byte(out), ExitCode: code}, nil
	}
	return &runtimeapi.ExecSyncResponse{Stdout: []byte(b.ExecOutput), ExitCode: b.ExecExitCode}, nil
}

func (r *Runtime) ContainerStats(_ context.Context, req *runtimeapi.ContainerStatsRequest) (*runtimeapi.ContainerStatsResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.containers[req.ContainerId]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "container %q not found", req.ContainerId)
	}
	return &runtimeapi.ContainerStatsResponse{Stats: c.statsLocked()}, nil
}

func (r *Runtime) ListContainerStats(_ context.Context, req *runtimeapi.ListContainerStatsRequest) (*runtimeapi.ListContainerStatsResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*runtimeapi.ContainerStats
	f := req.GetFilter()
	for _, c := range r.containers {
		if c.state != runtimeapi.ContainerState_CONTAINER_RUNNING {
			continue
		}
		if f != nil && ((f.Id != "" && f.Id != c.id) || (f.PodSandboxId != "" && f.PodSandboxId != c.sandboxID) || !labelsMatch(c.config.Labels, f.LabelSelector)) {
			continue
		}
		out = append(out, c.statsLocked())
	}
	return &runtimeapi.ListContainerStatsResponse{Stats: out}, nil
}

func (r *Runtime) UpdateContainerResources(_ context.Context, req *runtimeapi.UpdateContainerResourcesRequest) (*runtimeapi.UpdateContainerResourcesResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.containers[req.ContainerId]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "container %q not found", req.ContainerId)
	}
	if c.config.Linux == nil {
		c.config.Linux = &runtimeapi.LinuxContainerConfig{}
	}
	c.config.Linux.Resources = req.Linux
	return &runtimeapi.UpdateContainerResourcesResponse{}, nil
}

func (r *Runtime) ReopenContainerLog(_ context.Context, req *runtimeapi.ReopenContainerLogRequest) (*runtimeapi.ReopenContainerLogResponse, error) {
	return &runtimeapi.ReopenContainerLogResponse{}, nil
}

// writeLogLocked appends one line in the CRI log format ("<time> stdout F <line>").
func (r *Runtime) writeLogLocked(c *container, line string) {
	if c.logPath == "" {
		return
	}
	if err := os.MkdirAll(filepath.Dir(c.logPath), 0o755); err != nil {
		return
	}
	f, err := os.OpenFile(c.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s stdout F %s\n", time.Now().UTC().Format(time.RFC3339Nano), line)
}

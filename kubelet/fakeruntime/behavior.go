package fakeruntime

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Behavior is how one simulated container acts. The zero value runs until stopped, exits
// at once on SIGTERM (143), answers exec with exit 0 and serves HTTP 200.
type Behavior struct {
	// ExitAfter > 0 makes the container exit on its own after this long, with ExitCode
	// (reason Completed for 0, Error otherwise, OOMKilled when OOM is set).
	ExitAfter time.Duration
	ExitCode  int32
	OOM       bool
	// StopDelay is how long the process takes to exit after SIGTERM; a grace period
	// shorter than that ends in SIGKILL (exit 137).
	StopDelay time.Duration
	// StopExitCode replaces 143 as the exit code of a process that exits on SIGTERM in
	// time (0 for a graceful shutdown).
	StopExitCode *int32
	// StartError makes StartContainer fail with this message (EXITED 128, StartError).
	StartError string
	// ExecOutput and ExecExitCode answer every ExecSync.
	ExecOutput   string
	ExecExitCode int32
	// HTTPStatus is what the simulated servers on declared ports answer (200 if 0).
	HTTPStatus int
}

// AnnotationPrefix starts the pod annotations that configure simulated containers:
//
//	fake-cri.skiff.dev/<setting>              applies to every container of the pod
//	fake-cri.skiff.dev/<setting>.<container>  applies to one container (and wins)
//
// Settings: exit-after (duration), exit-code (int), oom-after (duration: exit 137
// OOMKilled), stop-delay (duration), stop-exit-code (int), start-error (text), exec-output
// (text), exec-exit-code (int), http-status (int).
const AnnotationPrefix = "fake-cri.skiff.dev/"

// behaviorFor resolves a new container's behavior: the Go hook first, then annotations.
func (r *Runtime) behaviorFor(ref ContainerRef, podAnnotations map[string]string) Behavior {
	if r.opts.Behavior != nil {
		if b := r.opts.Behavior(ref); b != nil {
			return *b
		}
	}
	get := func(setting string) (string, bool) {
		if v, ok := podAnnotations[AnnotationPrefix+setting+"."+ref.Container]; ok {
			return v, true
		}
		v, ok := podAnnotations[AnnotationPrefix+setting]
		return v, ok
	}
	var b Behavior
	if v, ok := get("exit-after"); ok {
		b.ExitAfter, _ = time.ParseDuration(v)
	}
	if v, ok := get("exit-code"); ok {
		n, _ := strconv.Atoi(v)
		b.ExitCode = int32(n)
		if b.ExitAfter == 0 {
			// An exit code alone means "exits right after starting".
			b.ExitAfter = 10 * time.Millisecond
		}
	}
	if v, ok := get("oom-after"); ok {
		if d, err := time.ParseDuration(v); err == nil {
			b.ExitAfter, b.ExitCode, b.OOM = d, 137, true
		}
	}
	if v, ok := get("stop-delay"); ok {
		b.StopDelay, _ = time.ParseDuration(v)
	}
	if v, ok := get("stop-exit-code"); ok {
		if n, err := strconv.Atoi(v); err == nil {
			code := int32(n)
			b.StopExitCode = &code
		}
	}
	if v, ok := get("start-error"); ok {
		b.StartError = v
	}
	if v, ok := get("exec-output"); ok {
		b.ExecOutput = v
	}
	if v, ok := get("exec-exit-code"); ok {
		n, _ := strconv.Atoi(v)
		b.ExecExitCode = int32(n)
	}
	if v, ok := get("http-status"); ok {
		b.HTTPStatus, _ = strconv.Atoi(v)
	}
	return b
}

// findContainerLocked finds the newest container named ns/pod/name.
func (r *Runtime) findContainerLocked(namespace, pod, name string) *container {
	var best *container
	for _, c := range r.containers {
		if c.ref.Namespace == namespace && c.ref.Pod == pod && c.ref.Container == name {
			if best == nil || c.createdAt.After(best.createdAt) {
				best = c
			}
		}
	}
	return best
}

// ExitContainer makes the newest running container namespace/pod/name exit now with code
// (reason Completed for 0, Error otherwise).
func (r *Runtime) ExitContainer(namespace, pod, name string, code int32) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.findContainerLocked(namespace, pod, name)
	if c == nil || c.state != runtimeapi.ContainerState_CONTAINER_RUNNING {
		return fmt.Errorf("no running container %s/%s/%s", namespace, pod, name)
	}
	reason := "Completed"
	if code != 0 {
		reason = "Error"
	}
	c.exitLocked(code, reason, "")
	return nil
}

// SetHTTPStatus changes what the newest container namespace/pod/name's simulated servers
// answer (e.g. 500 to fail its probes).
func (r *Runtime) SetHTTPStatus(namespace, pod, name string, code int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.findContainerLocked(namespace, pod, name)
	if c == nil {
		return fmt.Errorf("no container %s/%s/%s", namespace, pod, name)
	}
	c.httpStatus.Store(int32(code))
	return nil
}

// ContainerConfig returns the config the newest container namespace/pod/name was created
// with (tests inspect env, mounts, resources).
func (r *Runtime) ContainerConfig(namespace, pod, name string) (*runtimeapi.ContainerConfig, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.findContainerLocked(namespace, pod, name)
	if c == nil {
		return nil, false
	}
	return c.config, true
}

// SandboxConfig returns the config of the newest sandbox of namespace/pod.
func (r *Runtime) SandboxConfig(namespace, pod string) (*runtimeapi.PodSandboxConfig, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var best *sandbox
	for _, sb := range r.sandboxes {
		md := sb.config.Metadata
		if md.Namespace == namespace && md.Name == pod && (best == nil || sb.createdAt.After(best.createdAt)) {
			best = sb
		}
	}
	if best == nil {
		return nil, false
	}
	return best.config, true
}

// RunningContainers lists "namespace/pod/container" of every running container.
func (r *Runtime) RunningContainers() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, c := range r.containers {
		if c.state == runtimeapi.ContainerState_CONTAINER_RUNNING {
			out = append(out, strings.Join([]string{c.ref.Namespace, c.ref.Pod, c.ref.Container}, "/"))
		}
	}
	return out
}

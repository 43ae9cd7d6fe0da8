package probes

import (
	"context"
	"log/slog"
	"sync"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/kubelet/status"
)

// firstProbeDelay is the least time between a container's start and its first probe.
// Upstream probes a new container once its pod worker has seen it running (the PLEG
// notices within about a second); probing the very instant it started would only catch
// servers that have not bound their port yet.
const firstProbeDelay = 500 * time.Millisecond

// worker probes one container (one kind of probe) of one pod, periodically.
type worker struct {
	m    *Manager
	kind Kind
	name string // container name

	mu     sync.Mutex
	pod    *corev1.Pod // latest spec seen
	target Running

	kick   chan struct{}
	stopCh chan struct{}
	once   sync.Once

	// Owned by the run goroutine.
	containerID string
	lastResult  Result
	resultRun   int
	onHold      bool
}

func newWorker(m *Manager, pod *corev1.Pod, c *corev1.Container, kind Kind) *worker {
	return &worker{m: m, kind: kind, name: c.Name, pod: pod, kick: make(chan struct{}, 1), stopCh: make(chan struct{})}
}

// setTarget records the pod spec and the container instance to probe; a new instance
// wakes the worker at once.
func (w *worker) setTarget(pod *corev1.Pod, r Running) {
	w.mu.Lock()
	changed := w.target != r
	w.pod, w.target = pod, r
	w.mu.Unlock()
	if changed {
		select {
		case w.kick <- struct{}{}:
		default:
		}
	}
}

func (w *worker) stop() { w.once.Do(func() { close(w.stopCh) }) }

func (w *worker) run() {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-w.stopCh:
			if w.containerID != "" {
				w.m.clearResult(w.containerID, w.kind)
			}
			return
		case <-w.kick:
		case <-timer.C:
		}
		next := w.probeOnce()
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(next)
	}
}

// probeSpec returns the container and its probe of this worker's kind in the pod.
func (w *worker) probeSpec(pod *corev1.Pod) (*corev1.Container, *corev1.Probe) {
	c := findContainer(pod, w.name)
	if c == nil {
		return nil, nil
	}
	switch w.kind {
	case Liveness:
		return c, c.LivenessProbe
	case Readiness:
		return c, c.ReadinessProbe
	}
	return c, c.StartupProbe
}

func seconds(v int32, def int32) time.Duration {
	if v <= 0 {
		v = def
	}
	return time.Duration(v) * time.Second
}

func atLeast(v, def int32) int {
	if v <= 0 {
		return int(def)
	}
	return int(v)
}

// probeOnce runs the probe if it is due and returns when to look again.
func (w *worker) probeOnce() time.Duration {
	w.mu.Lock()
	pod, target := w.pod, w.target
	w.mu.Unlock()
	c, p := w.probeSpec(pod)
	if c == nil || p == nil {
		return time.Minute
	}
	period := seconds(p.PeriodSeconds, 10)

	if target.ContainerID != w.containerID {
		if w.containerID != "" {
			w.m.clearResult(w.containerID, w.kind)
		}
		w.containerID, w.resultRun, w.lastResult, w.onHold = target.ContainerID, 0, Unknown, false
		if w.containerID != "" {
			// A new container starts unready, alive and not yet started.
			initial := map[Kind]Result{Readiness: Failure, Liveness: Success, Startup: Unknown}[w.kind]
			w.m.setResult(w.containerID, w.kind, initial)
		}
	}
	if w.containerID == "" || w.onHold {
		return period
	}
	if w.kind != Startup && c.StartupProbe != nil {
		if r, _ := w.m.result(w.containerID, Startup); r != Success {
			return period
		}
	}
	if delay := max(seconds(p.InitialDelaySeconds, 0), firstProbeDelay) - time.Since(time.Unix(0, target.StartedAt)); delay > 0 {
		return delay
	}

	timeout := seconds(p.TimeoutSeconds, 1)
	ctx, cancel := context.WithTimeout(context.Background(), timeout+5*time.Second)
	out, msg, err := w.m.runner.Run(ctx, &p.ProbeHandler, Target{Pod: pod, Container: c, ContainerID: w.containerID, PodIP: target.PodIP}, timeout)
	cancel()
	ref := status.ContainerRef(pod, c.Name)
	result := Success
	switch {
	case err != nil:
		result = Failure
		w.m.recorder.Eventf(ref, corev1.EventTypeWarning, "Unhealthy", "%s probe errored: %v", w.kind, err)
	case out == outcomeFailure:
		result = Failure
		w.m.recorder.Eventf(ref, corev1.EventTypeWarning, "Unhealthy", "%s probe failed: %s", w.kind, msg)
	case out == outcomeWarning:
		w.m.recorder.Eventf(ref, corev1.EventTypeWarning, "ProbeWarning", "%s probe warning: %s", w.kind, msg)
	}
	if result == Failure {
		slog.Debug("probe failed", "namespace", pod.Namespace, "pod", pod.Name, "container", c.Name, "probe", w.kind, "output", msg, "err", err)
	}

	if result == w.lastResult {
		w.resultRun++
	} else {
		w.lastResult, w.resultRun = result, 1
	}
	if (result == Failure && w.resultRun < atLeast(p.FailureThreshold, 3)) ||
		(result == Success && w.resultRun < atLeast(p.SuccessThreshold, 1)) {
		return period
	}
	if w.m.setResult(w.containerID, w.kind, result) {
		if w.m.onChange != nil {
			w.m.onChange(pod.UID)
		}
		if w.kind == Startup && result == Success {
			// Liveness and readiness were waiting for this: run them now, not a period
			// later (a pod is Ready right after its startup probe passes).
			w.m.wakeSiblings(pod.UID, w.name)
		}
	}
	switch {
	case result == Failure && w.kind != Readiness:
		// The container will be replaced; nothing more to learn from this one.
		w.onHold, w.resultRun = true, 0
	case result == Success && w.kind == Startup:
		w.onHold = true
	}
	return period
}

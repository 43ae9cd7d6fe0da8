package kubelet

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client/rest"
	"github.com/skiff-k8s/skiff/kubelet/cri"
	"github.com/skiff-k8s/skiff/kubelet/probes"
	"github.com/skiff-k8s/skiff/kubelet/status"
	grpcstatus "google.golang.org/grpc/status"
)

// minimumGracePeriod is the least time a container gets to stop (upstream's 2 seconds).
const minimumGracePeriod = 2

// gracePeriodOf is how long the pod's containers get to stop: the deletion's grace period
// when the pod is being deleted, else terminationGracePeriodSeconds (default 30).
func gracePeriodOf(pod *corev1.Pod, override *int64) int64 {
	switch {
	case override != nil:
		return *override
	case pod.DeletionGracePeriodSeconds != nil:
		return *pod.DeletionGracePeriodSeconds
	case pod.Spec.TerminationGracePeriodSeconds != nil:
		return *pod.Spec.TerminationGracePeriodSeconds
	}
	return corev1.DefaultTerminationGracePeriodSeconds
}

// killContainer stops one container: a Killing event, the preStop hook within the grace
// period, then StopContainer with what remains of it (at least 2 seconds).
func (k *Kubelet) killContainer(ctx context.Context, pod *corev1.Pod, c *cri.Container, message string, override *int64) error {
	grace := gracePeriodOf(pod, override)
	if message == "" {
		message = fmt.Sprintf("Stopping container %s", c.Name)
	}
	k.recorder.Event(status.ContainerRef(pod, c.Name), corev1.EventTypeNormal, eventKilling, message)
	spec := findContainerSpec(pod, c.Name)
	if spec != nil && spec.Lifecycle != nil && spec.Lifecycle.PreStop != nil && grace > 0 && c.State == cri.ContainerRunning {
		start := time.Now()
		ip := ""
		if rtp, err := k.rt.GetPodStatus(ctx, pod.UID); err == nil && rtp.LatestSandbox() != nil {
			ip = first(rtp.LatestSandbox().IPs)
		}
		target := probes.Target{Pod: pod, Container: spec, ContainerID: c.ID, PodIP: ip}
		if msg, err := k.runHook(ctx, spec.Lifecycle.PreStop, target, time.Duration(grace)*time.Second); err != nil {
			k.recorder.Event(status.ContainerRef(pod, c.Name), corev1.EventTypeWarning, "FailedPreStopHook", msg)
		}
		grace -= int64(time.Since(start) / time.Second)
	}
	if grace < minimumGracePeriod {
		grace = minimumGracePeriod
	}
	if err := k.rt.StopContainer(ctx, c.ID, time.Duration(grace)*time.Second); err != nil {
		return fmt.Errorf("stop container %s: %w", c.Name, err)
	}
	return nil
}

// runHook executes a lifecycle hook (postStart or preStop) and explains a failure as
// upstream's events do.
func (k *Kubelet) runHook(ctx context.Context, h *corev1.LifecycleHandler, t probes.Target, timeout time.Duration) (string, error) {
	podDesc := fmt.Sprintf("%s_%s(%s)", t.Pod.Name, t.Pod.Namespace, t.Pod.UID)
	switch {
	case h.Sleep != nil:
		d := time.Duration(h.Sleep.Seconds) * time.Second
		if timeout > 0 && d > timeout {
			d = timeout
		}
		select {
		case <-time.After(d):
		case <-ctx.Done():
		}
		return "", nil
	case h.Exec != nil:
		runner := &probes.Runner{Runtime: k.rt}
		out, err := runner.RunHook(ctx, &corev1.ProbeHandler{Exec: h.Exec}, t, timeout)
		if err != nil {
			return fmt.Sprintf("Exec lifecycle hook (%v) for Container %q in Pod %q failed - error: %v, message: %q", h.Exec.Command, t.Container.Name, podDesc, err, out), err
		}
		return out, nil
	case h.HTTPGet != nil:
		runner := &probes.Runner{Runtime: k.rt, UserAgent: "kube-lifecycle/1.33"}
		if _, err := runner.RunHook(ctx, &corev1.ProbeHandler{HTTPGet: h.HTTPGet}, t, timeout); err != nil {
			return fmt.Sprintf("HTTP lifecycle hook (%s) for Container %q in Pod %q failed - error: %v", h.HTTPGet.Path, t.Container.Name, podDesc, err), err
		}
		return "", nil
	}
	// tcpSocket hooks are accepted by the API but do nothing, as upstream.
	return "", nil
}

// killPod stops every running container of the pod (regular containers in parallel, then
// sidecars in reverse order, as upstream orders termination) and then its sandboxes.
func (k *Kubelet) killPod(ctx context.Context, pod *corev1.Pod, rt *cri.PodStatus, override *int64) error {
	sidecarOrder := map[string]int{}
	for i, c := range pod.Spec.InitContainers {
		if status.IsRestartableInit(&c) {
			sidecarOrder[c.Name] = i + 1
		}
	}
	var regular, sidecars []*cri.Container
	for _, c := range rt.Containers {
		if c.State != cri.ContainerRunning && c.State != cri.ContainerUnknown {
			continue
		}
		if sidecarOrder[c.Name] > 0 {
			sidecars = append(sidecars, c)
		} else {
			regular = append(regular, c)
		}
	}
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for _, c := range regular {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := k.killContainer(ctx, pod, c, "", override); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for i := len(pod.Spec.InitContainers) - 1; i >= 0; i-- {
		for _, c := range sidecars {
			if sidecarOrder[c.Name] == i+1 {
				if err := k.killContainer(ctx, pod, c, "", override); err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	for _, sb := range rt.Sandboxes {
		if !sb.Ready {
			continue
		}
		if err := k.rt.StopPodSandbox(ctx, sb.ID); err != nil {
			errs = append(errs, fmt.Errorf("stop sandbox of pod %s/%s: %w", pod.Namespace, pod.Name, err))
		}
	}
	return errors.Join(errs...)
}

// finishPod stops a pod that has reached a terminal phase (or that the kubelet ended:
// rejected, past its deadline) and writes its final status. Its containers stay in the
// runtime, so `kubectl logs` keeps working until the pod is deleted.
func (k *Kubelet) finishPod(ctx context.Context, w *podWorker, pod *corev1.Pod) error {
	rt, err := k.rt.GetPodStatus(ctx, pod.UID)
	if err != nil {
		return err
	}
	if err := k.killPod(ctx, pod, rt, nil); err != nil {
		return err
	}
	k.probes.RemovePod(pod.UID)
	if rt, err = k.rt.GetPodStatus(ctx, pod.UID); err != nil {
		return err
	}
	w.mu.Lock()
	w.terminal = true
	w.mu.Unlock()
	k.writeStatus(ctx, w, pod, rt, true)
	return nil
}

// terminatePod ends a pod that is being deleted (or is gone from the API): containers
// stopped within the grace period, the final status written, sandboxes, volumes, logs and
// cgroups removed, and finally the pod object deleted for good (grace period 0, with the
// pod's uid as precondition so a new pod of the same name is never touched).
func (k *Kubelet) terminatePod(ctx context.Context, w *podWorker, pod *corev1.Pod, removed bool) error {
	rt, err := k.rt.GetPodStatus(ctx, pod.UID)
	if err != nil {
		return err
	}
	if err := k.killPod(ctx, pod, rt, nil); err != nil {
		return err
	}
	k.probes.RemovePod(pod.UID)
	if rt, err = k.rt.GetPodStatus(ctx, pod.UID); err != nil {
		return err
	}
	if !removed && len(rt.Containers) > 0 {
		k.writeStatus(ctx, w, pod, rt, true)
	}
	for _, sb := range rt.Sandboxes {
		if err := k.rt.RemovePodSandbox(ctx, sb.ID); err != nil {
			return fmt.Errorf("remove sandbox of pod %s/%s: %w", pod.Namespace, pod.Name, err)
		}
	}
	if err := k.volumes.TearDown(pod.UID); err != nil {
		return err
	}
	_ = os.RemoveAll(k.podLogDir(pod))
	k.removePodCgroup(k.cgroupParent(pod))
	if !removed {
		zero := int64(0)
		uid := pod.UID
		err := k.cs.Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{GracePeriodSeconds: &zero, Preconditions: &metav1.Preconditions{UID: &uid}})
		if err != nil && !rest.IsNotFound(err) && !rest.IsConflict(err) {
			return fmt.Errorf("delete pod %s/%s: %w", pod.Namespace, pod.Name, err)
		}
	}
	k.status.Forget(pod.UID)
	k.mu.Lock()
	delete(k.dnsWarned, pod.UID)
	k.mu.Unlock()
	slog.Info("pod terminated", "namespace", pod.Namespace, "name", pod.Name, "removedFromAPI", removed)
	return nil
}

// removePodCgroup removes a pod's (empty) cgroup directory from every hierarchy. The
// runtime removes the containers' cgroups but leaves the pod level the kubelet named.
func (k *Kubelet) removePodCgroup(parent string) {
	const root = "/sys/fs/cgroup"
	entries, _ := os.ReadDir(root)
	paths := []string{filepath.Join(root, parent)}
	for _, e := range entries {
		paths = append(paths, filepath.Join(root, e.Name(), parent))
	}
	for _, p := range paths {
		if err := syscall.Rmdir(p); err != nil && !errors.Is(err, syscall.ENOENT) && !errors.Is(err, syscall.ENOTDIR) {
			slog.Debug("removing pod cgroup failed", "path", p, "err", err)
		}
	}
}

// grpcMessage is the runtime's message without gRPC's "rpc error: code = ... desc =".
func grpcMessage(err error) string {
	if s, ok := grpcstatus.FromError(err); ok {
		return s.Message()
	}
	return strings.TrimSpace(err.Error())
}

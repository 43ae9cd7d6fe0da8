package kubelet

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/kubelet/cri"
	"github.com/skiff-k8s/skiff/kubelet/images"
	"github.com/skiff-k8s/skiff/kubelet/probes"
	"github.com/skiff-k8s/skiff/kubelet/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Event reasons and messages the sync records (upstream's; created/started as in 1.33).
const (
	eventCreated     = "Created"
	eventStarted     = "Started"
	eventFailed      = "Failed"
	eventBackOff     = "BackOff"
	eventKilling     = "Killing"
	eventFailedMount = "FailedMount"
)

// Waiting reasons for containers the sync could not start (upstream's).
const (
	reasonCrashLoopBackOff     = "CrashLoopBackOff"
	reasonCreateConfigError    = "CreateContainerConfigError"
	reasonCreateContainerError = "CreateContainerError"
	reasonRunContainerError    = "RunContainerError"
	reasonPostStartHookError   = "PostStartHookError"
)

// retryAfterError is how soon a sync that hit an error runs again.
const retryAfterError = 2 * time.Second

// syncWorker is one turn of a pod worker: terminate a deleted pod, leave a finished one
// alone, or sync a running one. It returns when to run again, or done when the worker is
// finished with the pod for good.
func (k *Kubelet) syncWorker(ctx context.Context, w *podWorker, pod *corev1.Pod, removed bool) (time.Duration, bool) {
	if removed || pod.DeletionTimestamp != nil {
		if err := k.terminatePod(ctx, w, pod, removed); err != nil {
			slog.Warn("terminating pod failed, will retry", "namespace", pod.Namespace, "name", pod.Name, "err", err)
			return retryAfterError, false
		}
		return 0, true
	}
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		if !w.terminal {
			// Finished before this worker existed (a kubelet restart): make sure nothing runs.
			if err := k.finishPod(ctx, w, pod); err != nil {
				return retryAfterError, false
			}
		}
		return time.Hour, false
	}
	if w.terminal {
		return time.Hour, false
	}
	if !w.admitted {
		if o := k.admit(ctx, pod); o != nil {
			w.override = o
			k.recorder.Event(status.PodRef(pod), corev1.EventTypeWarning, o.Reason, o.Message)
			if err := k.finishPod(ctx, w, pod); err != nil {
				return retryAfterError, false
			}
			return time.Hour, false
		}
		w.mu.Lock()
		w.admitted = true
		w.mu.Unlock()
	}
	next, err := k.syncPod(ctx, w, pod)
	if err != nil {
		slog.Warn("pod sync failed, will retry", "namespace", pod.Namespace, "name", pod.Name, "err", err)
		return retryAfterError, false
	}
	return next, false
}

// syncPod brings one running pod's runtime state in line with its spec, then writes its
// status. It returns when the pod should be synced again without any event.
func (k *Kubelet) syncPod(ctx context.Context, w *podWorker, pod *corev1.Pod) (time.Duration, error) {
	rt, err := k.rt.GetPodStatus(ctx, pod.UID)
	if err != nil {
		return 0, err
	}
	if o := deadlineExceeded(pod, time.Now()); o != nil {
		w.override = o
		k.recorder.Event(status.PodRef(pod), corev1.EventTypeNormal, o.Reason, o.Message)
		return time.Hour, k.finishPod(ctx, w, pod)
	}

	vols, err := k.volumes.SetUp(ctx, pod)
	if err != nil {
		k.recorder.Event(status.PodRef(pod), corev1.EventTypeWarning, eventFailedMount, err.Error())
		w.volFails++
		k.writeStatus(ctx, w, pod, rt, false)
		return min(retryAfterError<<min(w.volFails, 4), 30*time.Second), nil
	}
	w.volFails = 0

	k.warnUnsupported(w, pod)
	a := computePodActions(pod, rt, k.probes)
	slog.Debug("pod actions", "namespace", pod.Namespace, "name", pod.Name, "actions", a.String())
	changed := a.KillPod || a.CreateSandbox || len(a.ContainersToKill) > 0 || a.InitContainerToStart >= 0 || len(a.ContainersToStart) > 0 || len(a.EphemeralToStart) > 0

	if a.KillPod {
		if a.CreateSandbox && a.SandboxID != "" {
			k.recorder.Event(status.PodRef(pod), corev1.EventTypeNormal, "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.")
		}
		if err := k.killPod(ctx, pod, rt, nil); err != nil {
			return 0, err
		}
		if !a.CreateSandbox {
			// Nothing runs and nothing will: the pod is done.
			return time.Hour, k.finishPod(ctx, w, pod)
		}
	} else {
		for id, info := range a.ContainersToKill {
			c := findRuntimeContainer(rt, id)
			if c == nil {
				continue
			}
			var grace *int64
			if info.Probe != nil && info.Probe.TerminationGracePeriodSeconds != nil {
				grace = info.Probe.TerminationGracePeriodSeconds
			}
			if err := k.killContainer(ctx, pod, c, info.Message, grace); err != nil {
				return 0, fmt.Errorf("kill container %s: %w", info.Name, err)
			}
		}
	}

	sandboxID := a.SandboxID
	var sandboxCfg *runtimeapi.PodSandboxConfig
	if a.CreateSandbox {
		sandboxCfg, err = k.sandboxConfig(pod, a.Attempt)
		if err != nil {
			return 0, err
		}
		if err := os.MkdirAll(sandboxCfg.LogDirectory, 0o755); err != nil {
			return 0, fmt.Errorf("create pod log directory: %w", err)
		}
		k.warnMissingClusterDNS(pod)
		sandboxID, err = k.rt.RunPodSandbox(ctx, sandboxCfg)
		if err != nil {
			k.recorder.Eventf(status.PodRef(pod), corev1.EventTypeWarning, "FailedCreatePodSandBox", "Failed to create pod sandbox: %v", err)
			k.writeStatus(ctx, w, pod, rt, false)
			return retryAfterError, nil
		}
		if rt, err = k.rt.GetPodStatus(ctx, pod.UID); err != nil {
			return 0, err
		}
	} else if a.InitContainerToStart >= 0 || len(a.ContainersToStart) > 0 || len(a.EphemeralToStart) > 0 {
		// CreateContainer and image pulls are given the sandbox's config too.
		if sandboxCfg, err = k.sandboxConfig(pod, a.Attempt); err != nil {
			return 0, err
		}
	}

	addrs := podAddresses{HostIPs: []string{k.cfg.NodeIP}}
	if pod.Spec.HostNetwork {
		addrs.PodIPs = addrs.HostIPs
	} else if sb := rt.LatestSandbox(); sb != nil {
		addrs.PodIPs = sb.IPs
	}
	hostsPath := ""
	if len(addrs.PodIPs) > 0 || pod.Spec.HostNetwork {
		if hostsPath, err = k.writeHostsFile(pod, addrs.PodIPs); err != nil {
			return 0, err
		}
	}

	next := k.resyncInterval(pod)
	start := func(c *corev1.Container) {
		if wait := k.startContainer(ctx, w, pod, c, rt, sandboxID, sandboxCfg, containerInputs{Addresses: addrs, Volumes: vols, HostsFile: hostsPath}); wait > 0 {
			next = min(next, wait)
		}
	}
	for _, i := range a.EphemeralToStart {
		ec := &pod.Spec.EphemeralContainers[i]
		c := corev1.Container(ec.EphemeralContainerCommon)
		in := containerInputs{Addresses: addrs, Volumes: vols, HostsFile: hostsPath}
		if ec.TargetContainerName != "" {
			if target := rt.Latest(ec.TargetContainerName); target != nil && target.State == cri.ContainerRunning {
				in.TargetContainerID = target.ID
			}
		}
		k.startContainer(ctx, w, pod, &c, rt, sandboxID, sandboxCfg, in)
	}
	if i := a.InitContainerToStart; i >= 0 {
		c := &pod.Spec.InitContainers[i]
		start(c)
		// A regular init container must finish before anything else starts; a sidecar
		// only needs to be running.
		if !status.IsRestartableInit(c) || !anyRegularContainerCreated(pod, rt) {
			a.ContainersToStart = nil
		}
	}
	for _, i := range a.ContainersToStart {
		start(&pod.Spec.Containers[i])
	}

	if changed {
		if rt, err = k.rt.GetPodStatus(ctx, pod.UID); err != nil {
			return 0, err
		}
	}
	k.probes.UpdatePod(pod, runningContainers(rt))
	st := k.writeStatus(ctx, w, pod, rt, false)
	if st.Phase == corev1.PodSucceeded || st.Phase == corev1.PodFailed {
		return time.Hour, k.finishPod(ctx, w, pod)
	}
	k.removeDeadObjects(ctx, pod, rt)
	return next, nil
}

// warnUnsupported records, once per pod, a Warning event for spec features Skiff's kubelet
// does not implement, so they fail loudly instead of being silently ignored.
func (k *Kubelet) warnUnsupported(w *podWorker, pod *corev1.Pod) {
	var missing []string
	for _, c := range append(append([]corev1.Container{}, pod.Spec.InitContainers...), pod.Spec.Containers...) {
		if len(c.RestartPolicyRules) > 0 {
			missing = append(missing, "container restartPolicyRules are not implemented")
			break
		}
	}
	for _, m := range missing {
		if !w.warned[m] {
			w.warned[m] = true
			k.recorder.Event(status.PodRef(pod), corev1.EventTypeWarning, eventFailed, m)
		}
	}
}

// resyncInterval is how long until the pod is synced again without an event: soon for
// pods whose volume contents may change, at the active deadline, else SyncFrequency.
func (k *Kubelet) resyncInterval(pod *corev1.Pod) time.Duration {
	next := k.cfg.SyncFrequency
	for _, v := range pod.Spec.Volumes {
		if v.ConfigMap != nil || v.Secret != nil || v.DownwardAPI != nil || v.Projected != nil {
			next = min(next, k.cfg.VolumeSyncFrequency)
		}
	}
	if d := pod.Spec.ActiveDeadlineSeconds; d != nil && pod.Status.StartTime != nil {
		if left := time.Until(pod.Status.StartTime.Add(time.Duration(*d) * time.Second)); left > 0 {
			next = min(next, left+100*time.Millisecond)
		}
	}
	return next
}

// runningContainers maps container names to their running instance, for the probes.
func runningContainers(rt *cri.PodStatus) map[string]probes.Running {
	out := map[string]probes.Running{}
	ip := ""
	if sb := rt.LatestSandbox(); sb != nil && len(sb.IPs) > 0 {
		ip = sb.IPs[0]
	}
	for _, c := range rt.Containers {
		if _, seen := out[c.Name]; seen || c.State != cri.ContainerRunning {
			continue
		}
		out[c.Name] = probes.Running{ContainerID: c.ID, StartedAt: c.StartedAt.UnixNano(), PodIP: ip}
	}
	return out
}

func findRuntimeContainer(rt *cri.PodStatus, id string) *cri.Container {
	for _, c := range rt.Containers {
		if c.ID == id {
			return c
		}
	}
	return nil
}

// writeHostsFile (re)writes the pod's managed /etc/hosts and returns its path.
func (k *Kubelet) writeHostsFile(pod *corev1.Pod, podIPs []string) (string, error) {
	content, err := k.hostsFile(pod, podIPs)
	if err != nil {
		return "", err
	}
	p := filepath.Join(k.volumes.PodDir(pod.UID), "etc-hosts")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", err
	}
	if old, err := os.ReadFile(p); err == nil && string(old) == string(content) {
		return p, nil
	}
	if err := os.WriteFile(p, content, 0o644); err != nil {
		return "", fmt.Errorf("write hosts file: %w", err)
	}
	return p, os.Chmod(p, 0o644)
}

// backoffKey identifies a container's restart back-off (a new image resets it).
func backoffKey(pod *corev1.Pod, c *corev1.Container) string {
	return pod.Name + "_" + pod.Namespace + "_" + pod.UID + "_" + c.Name + "_" + c.Image
}

// startContainer pulls, creates and starts one container, recording the outcome as events
// and as the container's waiting reason. It returns how long until a back-off expires
// (0 when not backing off).
func (k *Kubelet) startContainer(ctx context.Context, w *podWorker, pod *corev1.Pod, c *corev1.Container, rt *cri.PodStatus, sandboxID string, sandboxCfg *runtimeapi.PodSandboxConfig, in containerInputs) time.Duration {
	ref := status.ContainerRef(pod, c.Name)
	fail := func(reason, msg string) {
		w.waiting[c.Name] = status.Waiting{Reason: reason, Message: msg}
	}
	podDesc := fmt.Sprintf("%s_%s(%s)", pod.Name, pod.Namespace, pod.UID)

	latest := rt.Latest(c.Name)
	if latest != nil && latest.State == cri.ContainerExited {
		key := backoffKey(pod, c)
		if k.backoff.InBackoffSince(key, latest.FinishedAt) {
			delay := k.backoff.Get(key)
			k.recorder.Eventf(ref, corev1.EventTypeWarning, eventBackOff, "Back-off restarting failed container %s in pod %s", c.Name, podDesc)
			fail(reasonCrashLoopBackOff, fmt.Sprintf("back-off %s restarting failed container=%s pod=%s", delay, c.Name, podDesc))
			return time.Until(latest.FinishedAt.Add(delay)) + 100*time.Millisecond
		}
		k.backoff.Next(key, latest.FinishedAt)
	}

	imageRef, err := k.images.EnsureImage(ctx, pod, c, ref, sandboxCfg)
	if err != nil {
		reason, msg := images.AsWaiting(err)
		k.recorder.Eventf(ref, corev1.EventTypeWarning, eventFailed, "Error: %s", reason)
		fail(reason, msg)
		return 0
	}

	restartCount := 0
	if latest != nil {
		restartCount = latest.RestartCount + 1
	}
	in.ImageRef, in.RestartCount = imageRef, restartCount
	cfg, err := k.containerConfig(ctx, pod, c, in)
	if err != nil {
		k.recorder.Eventf(ref, corev1.EventTypeWarning, eventFailed, "Error: %v", err)
		fail(reasonCreateConfigError, err.Error())
		return 0
	}
	if err := os.MkdirAll(filepath.Join(sandboxCfg.LogDirectory, c.Name), 0o755); err != nil {
		fail(reasonCreateConfigError, err.Error())
		return 0
	}
	id, err := k.rt.CreateContainer(ctx, sandboxID, cfg, sandboxCfg)
	if err != nil {
		msg := grpcMessage(err)
		k.recorder.Eventf(ref, corev1.EventTypeWarning, eventFailed, "Error: %s", msg)
		fail(reasonCreateContainerError, msg)
		return 0
	}
	k.recorder.Eventf(ref, corev1.EventTypeNormal, eventCreated, "Created container: %s", c.Name)
	if err := k.rt.StartContainer(ctx, id); err != nil {
		msg := grpcMessage(err)
		k.recorder.Eventf(ref, corev1.EventTypeWarning, eventFailed, "Error: %s", msg)
		fail(reasonRunContainerError, msg)
		return 0
	}
	k.recorder.Eventf(ref, corev1.EventTypeNormal, eventStarted, "Started container %s", c.Name)
	delete(w.waiting, c.Name)

	if c.Lifecycle != nil && c.Lifecycle.PostStart != nil {
		target := probes.Target{Pod: pod, Container: c, ContainerID: id, PodIP: first(in.Addresses.PodIPs)}
		if msg, err := k.runHook(ctx, c.Lifecycle.PostStart, target, 0); err != nil {
			k.recorder.Eventf(ref, corev1.EventTypeWarning, "FailedPostStartHook", "%s", msg)
			_ = k.rt.StopContainer(ctx, id, 2*time.Second)
			fail(reasonPostStartHookError, msg)
		}
	}
	return 0
}

// writeStatus computes the pod's status and writes it if it changed.
func (k *Kubelet) writeStatus(ctx context.Context, w *podWorker, pod *corev1.Pod, rt *cri.PodStatus, terminal bool) corev1.PodStatus {
	st := status.Compute(status.Input{
		Pod: pod, Runtime: rt, Waiting: w.waiting, Probes: k.probes,
		HostIPs: []string{k.cfg.NodeIP}, ContainerID: k.rt.ContainerIDString,
		Terminal: terminal, Override: w.override, Now: time.Now(),
	})
	updated, err := k.status.Sync(ctx, pod, st)
	if err != nil {
		slog.Warn("writing pod status failed", "namespace", pod.Namespace, "name", pod.Name, "err", err)
		return st
	}
	if updated != nil {
		w.setPod(updated)
	}
	return st
}

// deadlineExceeded applies activeDeadlineSeconds.
func deadlineExceeded(pod *corev1.Pod, now time.Time) *status.PhaseOverride {
	d := pod.Spec.ActiveDeadlineSeconds
	if d == nil || pod.Status.StartTime == nil {
		return nil
	}
	if now.Sub(pod.Status.StartTime.Time) < time.Duration(*d)*time.Second {
		return nil
	}
	return &status.PhaseOverride{Phase: corev1.PodFailed, Reason: "DeadlineExceeded", Message: "Pod was active on the node longer than the specified deadline"}
}

// removeDeadObjects keeps, per container name, the newest instance and the one before it
// (status lastState and `kubectl logs --previous` read it) and removes older exited ones,
// and removes stopped sandboxes older than the current one once they hold no container,
// as upstream's garbage collection does for a live pod.
func (k *Kubelet) removeDeadObjects(ctx context.Context, pod *corev1.Pod, rt *cri.PodStatus) {
	seen := map[string]int{}
	inUse := map[string]bool{}
	for _, c := range rt.Containers {
		seen[c.Name]++
		if seen[c.Name] > 2 && c.State == cri.ContainerExited {
			if err := k.rt.RemoveContainer(ctx, c.ID); err != nil {
				slog.Debug("removing dead container failed", "namespace", pod.Namespace, "name", pod.Name, "container", c.Name, "err", err)
			}
			continue
		}
		inUse[c.SandboxID] = true
	}
	for i, sb := range rt.Sandboxes {
		if i == 0 || sb.Ready || inUse[sb.ID] {
			continue
		}
		if err := k.rt.RemovePodSandbox(ctx, sb.ID); err != nil {
			slog.Debug("removing dead sandbox failed", "namespace", pod.Namespace, "name", pod.Name, "err", err)
		}
	}
}

// Package status turns what the kubelet knows about a pod (its spec, the runtime's
// containers, probe results, the last start failures) into the pod's API status, and
// writes that status to the API server only when it changed.
//
// The computation is pure (Compute and the helpers it calls: phase, conditions, container
// statuses) and follows upstream's kubelet rules:
//   - phase as upstream's getPhase: Pending until every container has started, Running
//     while any runs (or is restarting under its restart policy), Succeeded/Failed once
//     all have terminated and none will restart; a terminal phase never changes back;
//   - conditions PodReadyToStartContainers, Initialized, Ready and ContainersReady with
//     upstream's reasons and messages ("containers with unready status: [web]");
//   - container statuses with state, lastState, ready, started, restartCount, image,
//     imageID and containerID, waiting reasons ContainerCreating, PodInitializing,
//     CrashLoopBackOff, ErrImagePull ... as upstream shows them.
//
// The Manager (manager.go) owns the writing: a strategic merge patch of the status
// subresource carrying the pod's uid as precondition, sent only when the status differs
// from what the API (or the previous write) holds.
package status

import (
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/kubelet/cri"
)

// Waiting is why the kubelet could not (re)start a container on its last attempt: it
// becomes the container's waiting state while the container is due to start.
type Waiting struct {
	Reason  string // "CrashLoopBackOff", "ErrImagePull", "ImagePullBackOff", "CreateContainerConfigError" ...
	Message string
}

// Probes answers for the pod's probe results.
type Probes interface {
	// Ready: the running container id of container name passes its readiness probe (true
	// when it has none).
	Ready(pod *corev1.Pod, name, containerID string) bool
	// Started: the running container passed its startup probe (true when it has none).
	Started(pod *corev1.Pod, name, containerID string) bool
}

// PhaseOverride forces a terminal phase the runtime state does not show: an active
// deadline exceeded, a pod rejected at admission.
type PhaseOverride struct {
	Phase   corev1.PodPhase
	Reason  string
	Message string
}

// Input is everything a pod status is computed from.
type Input struct {
	// Pod is the pod as the API has it: its spec, and its current status (old status).
	Pod *corev1.Pod
	// Runtime is the runtime's view of the pod (nil or empty: nothing there).
	Runtime *cri.PodStatus
	// Waiting holds the last start failure per container name.
	Waiting map[string]Waiting
	Probes  Probes
	// HostIPs are the node's addresses (status.hostIP(s), and podIP(s) of host-network pods).
	HostIPs []string
	// ContainerID renders a runtime id for the API ("containerd://<id>").
	ContainerID func(id string) string
	// Terminal is set once the kubelet has finished with the pod (all containers stopped
	// for good): the phase becomes Succeeded or Failed from the exit codes.
	Terminal bool
	Override *PhaseOverride
	Now      time.Time
}

// Kubelet-owned pod conditions: the kubelet computes these and leaves every other condition
// (PodScheduled, DisruptionTarget, readiness gates) as others wrote them.
var kubeletConditions = map[corev1.PodConditionType]bool{
	corev1.PodReadyToStartContainers: true,
	corev1.PodInitialized:            true,
	corev1.PodReady:                  true,
	corev1.ContainersReady:           true,
}

// OwnedByKubelet reports whether the kubelet computes conditions of this type.
func OwnedByKubelet(t corev1.PodConditionType) bool { return kubeletConditions[t] }

// Compute builds the pod's status.
func Compute(in Input) corev1.PodStatus {
	pod := in.Pod
	old := pod.Status
	s := corev1.PodStatus{
		ObservedGeneration: pod.Generation,
		QOSClass:           corev1.ComputePodQOSClass(pod),
		NominatedNodeName:  old.NominatedNodeName,
		StartTime:          old.StartTime,
	}
	if s.StartTime == nil {
		t := metav1.NewTime(in.Now.UTC().Truncate(time.Second))
		s.StartTime = &t
	}
	if len(in.HostIPs) > 0 {
		s.HostIP = in.HostIPs[0]
		for _, ip := range in.HostIPs {
			s.HostIPs = append(s.HostIPs, corev1.HostIP{IP: ip})
		}
	}
	s.PodIP, s.PodIPs = podIPs(in)

	s.InitContainerStatuses = containerStatuses(in, pod.Spec.InitContainers, old.InitContainerStatuses, true)
	s.ContainerStatuses = containerStatuses(in, pod.Spec.Containers, old.ContainerStatuses, false)
	if len(pod.Spec.EphemeralContainers) > 0 {
		specs := make([]corev1.Container, 0, len(pod.Spec.EphemeralContainers))
		for _, ec := range pod.Spec.EphemeralContainers {
			specs = append(specs, corev1.Container(ec.EphemeralContainerCommon))
		}
		s.EphemeralContainerStatuses = containerStatuses(in, specs, old.EphemeralContainerStatuses, false)
		// Debug containers have no probes and take no part in readiness, as upstream.
		for i := range s.EphemeralContainerStatuses {
			s.EphemeralContainerStatuses[i].Ready, s.EphemeralContainerStatuses[i].Started = false, nil
		}
	}

	all := append(append([]corev1.ContainerStatus{}, s.InitContainerStatuses...), s.ContainerStatuses...)
	s.Phase = Phase(pod, all, in.Terminal, anyRegularContainerStarted(pod, in.Runtime))
	// A terminal phase is final: neither the runtime nor a restart of the kubelet takes a
	// pod back from Succeeded or Failed.
	if old.Phase == corev1.PodSucceeded || old.Phase == corev1.PodFailed {
		s.Phase = old.Phase
	}
	if s.Phase == old.Phase {
		s.Reason, s.Message = old.Reason, old.Message
	}
	if o := in.Override; o != nil && s.Phase != corev1.PodSucceeded {
		s.Phase, s.Reason, s.Message = o.Phase, o.Reason, o.Message
	}

	s.Conditions = Conditions(in, all, s.Phase)
	return s
}

// podIPs reads the pod's addresses from its newest sandbox. A host-network pod has the
// node's; a pod whose sandbox was stopped keeps the addresses it had, as upstream does
// (a finished pod still shows where it ran).
func podIPs(in Input) (string, []corev1.PodIP) {
	var ips []string
	if in.Pod.Spec.HostNetwork {
		ips = in.HostIPs
	} else if sb := in.Runtime.LatestSandbox(); sb != nil && sb.Ready {
		ips = sb.IPs
	}
	if len(ips) == 0 {
		return in.Pod.Status.PodIP, in.Pod.Status.PodIPs
	}
	out := make([]corev1.PodIP, 0, len(ips))
	for _, ip := range ips {
		out = append(out, corev1.PodIP{IP: ip})
	}
	return ips[0], out
}

// anyRegularContainerStarted: the pod has been initialized once (a regular container has
// been created at some point).
func anyRegularContainerStarted(pod *corev1.Pod, rt *cri.PodStatus) bool {
	for i := range pod.Spec.Containers {
		for _, c := range rt.Named(pod.Spec.Containers[i].Name) {
			if !c.StartedAt.IsZero() || c.State == cri.ContainerRunning {
				return true
			}
		}
	}
	for _, cs := range pod.Status.ContainerStatuses {
		if cs.State.Running != nil || cs.State.Terminated != nil || cs.LastTerminationState.Terminated != nil {
			return true
		}
	}
	return false
}

// IsRestartableInit reports a sidecar: an init container with restartPolicy Always.
func IsRestartableInit(c *corev1.Container) bool {
	return c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
}

// PodRef is the pod's object reference for events.
func PodRef(pod *corev1.Pod) *corev1.ObjectReference {
	return &corev1.ObjectReference{Kind: "Pod", APIVersion: "v1", Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID, ResourceVersion: pod.ResourceVersion}
}

// ContainerRef is a container's object reference for events: the pod, with fieldPath
// "spec.containers{name}" (or spec.initContainers{name}), as upstream records them.
func ContainerRef(pod *corev1.Pod, name string) *corev1.ObjectReference {
	ref := PodRef(pod)
	ref.FieldPath = "spec.containers{" + name + "}"
	for _, c := range pod.Spec.InitContainers {
		if c.Name == name {
			ref.FieldPath = "spec.initContainers{" + name + "}"
		}
	}
	return ref
}

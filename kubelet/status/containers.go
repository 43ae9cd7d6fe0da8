package status

import (
	"sort"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/kubelet/cri"
)

// Waiting reasons the kubelet shows before a container first runs.
const (
	ReasonContainerCreating = "ContainerCreating"
	ReasonPodInitializing   = "PodInitializing"
	// ReasonStatusUnknown marks a container that was running and vanished from the runtime.
	ReasonStatusUnknown = "ContainerStatusUnknown"
)

// SandboxNeeded is upstream's PodSandboxChanged: must a (new) sandbox be created for the
// pod, with which attempt number, which sandbox (if any) is being replaced, and why.
func SandboxNeeded(pod *corev1.Pod, rt *cri.PodStatus) (needed bool, attempt uint32, sandboxID, reason string) {
	if rt == nil || len(rt.Sandboxes) == 0 {
		return true, 0, "", "no pod sandbox exists"
	}
	ready := 0
	for _, s := range rt.Sandboxes {
		if s.Ready {
			ready++
		}
	}
	sb := rt.Sandboxes[0]
	switch {
	case ready > 1:
		return true, sb.Attempt + 1, sb.ID, "multiple pod sandboxes are ready and need to be reconciled"
	case !sb.Ready:
		return true, sb.Attempt + 1, sb.ID, "pod sandbox is not ready"
	case sb.HostNetwork != pod.Spec.HostNetwork:
		return true, sb.Attempt + 1, "", "network namespace mode changed and sandbox needs to be recreated"
	case !pod.Spec.HostNetwork && len(sb.IPs) == 0:
		return true, sb.Attempt + 1, sb.ID, "pod sandbox has no IP address"
	}
	return false, sb.Attempt, sb.ID, ""
}

// ShouldRestart is upstream's ShouldContainerBeRestarted: is spec container c due to be
// (re)started, given what the runtime has? Never for a pod being deleted; always for one
// that never ran; for an exited one, as the restart policy says.
func ShouldRestart(pod *corev1.Pod, c *corev1.Container, rt *cri.PodStatus) bool {
	if pod.DeletionTimestamp != nil {
		return false
	}
	latest := rt.Latest(c.Name)
	if latest == nil {
		return true
	}
	for _, ec := range pod.Spec.EphemeralContainers {
		if ec.Name == c.Name {
			// Ephemeral containers run once.
			return false
		}
	}
	switch latest.State {
	case cri.ContainerRunning:
		return false
	case cri.ContainerExited:
		return containerShouldRestart(pod, c, latest.ExitCode)
	}
	// Created but never started, or in an unknown state: it has to be (re)started.
	return true
}

// containerStatuses is upstream's convertToAPIContainerStatuses for one list (init or
// regular containers), simplified to what Skiff's runtime view holds.
func containerStatuses(in Input, specs []corev1.Container, old []corev1.ContainerStatus, init bool) []corev1.ContainerStatus {
	if len(specs) == 0 {
		return nil
	}
	pod, rt := in.Pod, in.Runtime
	oldByName := map[string]corev1.ContainerStatus{}
	for _, s := range old {
		oldByName[s.Name] = s
	}
	defaultWaiting := ReasonContainerCreating
	if !init && len(pod.Spec.InitContainers) > 0 {
		defaultWaiting = ReasonPodInitializing
	}

	out := make([]corev1.ContainerStatus, 0, len(specs))
	for i := range specs {
		spec := &specs[i]
		st := corev1.ContainerStatus{
			Name:  spec.Name,
			Image: spec.Image,
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: defaultWaiting}},
		}
		o, hadOld := oldByName[spec.Name]
		if hadOld {
			if o.State.Terminated != nil {
				// A finished container stays finished even once the runtime forgot it.
				st = *o.DeepCopy()
			} else {
				st.RestartCount = o.RestartCount
				st.LastTerminationState = *o.LastTerminationState.DeepCopy()
			}
		}

		st.VolumeMounts = volumeMountStatuses(spec)
		history := rt.Named(spec.Name)
		switch {
		case len(history) > 0:
			applyRuntime(&st, history[0], in)
			st.AllocatedResources, st.Resources = resourcesOf(spec)
			if len(history) > 1 {
				prev := corev1.ContainerStatus{}
				applyRuntime(&prev, history[1], in)
				st.LastTerminationState = prev.State
			}
		case hadOld && o.State.Running != nil && st.LastTerminationState.Terminated == nil:
			// It was running and the runtime lost it: report it as terminated rather than
			// going back to waiting (which would make the pod Pending again).
			st.LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
				ExitCode: 137, Reason: ReasonStatusUnknown,
				Message: "The container could not be located when the pod was deleted.  The container used to be Running",
			}}
			if pod.DeletionTimestamp == nil {
				st.RestartCount++
			}
		}

		// A container due to (re)start shows why it is not running yet.
		latest := rt.Latest(spec.Name)
		exitedOK := latest != nil && latest.State == cri.ContainerExited && latest.ExitCode == 0
		if !(init && !IsRestartableInit(spec) && exitedOK) && ShouldRestart(pod, spec, rt) {
			if w, ok := in.Waiting[spec.Name]; ok {
				if st.State.Terminated != nil {
					st.LastTerminationState = st.State
				}
				st.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: w.Reason, Message: w.Message}}
			}
		}

		setReadiness(&st, spec, in, init)
		out = append(out, st)
	}
	if !init {
		// Upstream sorts regular container statuses by name; init ones keep spec order.
		sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	}
	return out
}

// applyRuntime fills st from one runtime container.
func applyRuntime(st *corev1.ContainerStatus, c *cri.Container, in Input) {
	id := c.ID
	if in.ContainerID != nil {
		id = in.ContainerID(c.ID)
	}
	st.ContainerID = id
	st.RestartCount = int32(c.RestartCount)
	if c.Image != "" {
		st.Image = c.Image
	}
	st.ImageID = c.ImageRef
	switch c.State {
	case cri.ContainerRunning:
		st.State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(c.StartedAt.UTC().Truncate(1e9))}}
	case cri.ContainerExited:
		st.State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
			ExitCode:    c.ExitCode,
			Reason:      c.Reason,
			Message:     c.Message,
			StartedAt:   metav1.NewTime(c.StartedAt.UTC().Truncate(1e9)),
			FinishedAt:  metav1.NewTime(c.FinishedAt.UTC().Truncate(1e9)),
			ContainerID: id,
		}}
	default:
		st.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{}}
	}
}

// setReadiness fills started and ready as upstream's probe manager does.
func setReadiness(st *corev1.ContainerStatus, spec *corev1.Container, in Input, init bool) {
	started := false
	if st.State.Running != nil {
		started = true
		if in.Probes != nil {
			started = in.Probes.Started(in.Pod, spec.Name, st.ContainerID)
		}
	}
	st.Started = &started
	if init && !IsRestartableInit(spec) {
		st.Ready = st.State.Terminated != nil && st.State.Terminated.ExitCode == 0
		return
	}
	st.Ready = false
	if started && st.State.Running != nil {
		st.Ready = true
		if in.Probes != nil {
			st.Ready = in.Probes.Ready(in.Pod, spec.Name, st.ContainerID)
		}
	}
}

// volumeMountStatuses lists the container's mounts as upstream reports them (read-only
// mounts are not recursively read-only: Skiff does not ask the runtime for that).
func volumeMountStatuses(c *corev1.Container) []corev1.VolumeMountStatus {
	var out []corev1.VolumeMountStatus
	for _, m := range c.VolumeMounts {
		vs := corev1.VolumeMountStatus{Name: m.Name, MountPath: m.MountPath, ReadOnly: m.ReadOnly}
		if m.ReadOnly {
			disabled := corev1.RecursiveReadOnlyDisabled
			vs.RecursiveReadOnly = &disabled
		}
		out = append(out, vs)
	}
	return out
}

// resourcesOf reports the resources the container was given: allocatedResources (its
// requests) and resources (its requests and limits), as upstream's in-place resize
// support reports them for containers the runtime knows.
func resourcesOf(c *corev1.Container) (corev1.ResourceList, *corev1.ResourceRequirements) {
	return c.Resources.Requests.DeepCopy(), c.Resources.DeepCopy()
}

package status

import (
	"fmt"
	"strings"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// Condition reasons, upstream's words.
const (
	ReasonContainersNotReady       = "ContainersNotReady"
	ReasonContainersNotInitialized = "ContainersNotInitialized"
	ReasonPodCompleted             = "PodCompleted"
	ReasonPodFailed                = "PodFailed"
	ReasonReadinessGatesNotReady   = "ReadinessGatesNotReady"
	ReasonPodSandboxNotReady       = "PodSandboxNotReady"
)

// containerShouldRestart: would the pod's restart policy restart a container that exited
// with this code? (Container-level restart rules are not implemented; sidecars always
// restart.)
func containerShouldRestart(pod *corev1.Pod, c *corev1.Container, exitCode int32) bool {
	if IsRestartableInit(c) {
		return true
	}
	switch pod.Spec.RestartPolicy {
	case corev1.RestartPolicyNever:
		return false
	case corev1.RestartPolicyOnFailure:
		return exitCode != 0
	}
	return true
}

func statusByName(statuses []corev1.ContainerStatus, name string) (corev1.ContainerStatus, bool) {
	for _, s := range statuses {
		if s.Name == name {
			return s, true
		}
	}
	return corev1.ContainerStatus{}, false
}

// Phase is upstream's getPhase: the pod phase from its container statuses. terminal says
// the kubelet has stopped the pod for good; initialized says a regular container ran once
// (so restarting sidecars do not send the pod back to Pending).
func Phase(pod *corev1.Pod, statuses []corev1.ContainerStatus, terminal, initialized bool) corev1.PodPhase {
	pendingInit, pendingSidecars, failedInitNotRestartable := 0, 0, 0
	unknown, running, waiting, stopped, succeeded := 0, 0, 0, 0, 0

	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		st, ok := statusByName(statuses, c.Name)
		if IsRestartableInit(c) {
			switch {
			case !ok:
				unknown++
			case st.State.Running != nil:
				if st.Started == nil || !*st.Started {
					pendingSidecars++
				}
				running++
			case st.State.Terminated != nil:
				// A stopped sidecar does not count towards the phase.
			case st.State.Waiting != nil && st.LastTerminationState.Terminated == nil:
				pendingSidecars++
				waiting++
			case st.State.Waiting != nil:
			default:
				pendingSidecars++
				unknown++
			}
			continue
		}
		switch {
		case !ok, st.State.Running != nil:
			pendingInit++
		case st.State.Terminated != nil:
			if code := st.State.Terminated.ExitCode; code != 0 && !containerShouldRestart(pod, c, code) {
				failedInitNotRestartable++
			}
		case st.State.Waiting != nil && st.LastTerminationState.Terminated != nil:
			if code := st.LastTerminationState.Terminated.ExitCode; code != 0 && !containerShouldRestart(pod, c, code) {
				failedInitNotRestartable++
			}
		default:
			pendingInit++
		}
	}

	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		st, ok := statusByName(statuses, c.Name)
		switch {
		case !ok:
			unknown++
		case st.State.Running != nil:
			running++
		case st.State.Terminated != nil:
			stopped++
			if st.State.Terminated.ExitCode == 0 {
				succeeded++
			}
		case st.State.Waiting != nil && st.LastTerminationState.Terminated != nil:
			stopped++
		case st.State.Waiting != nil:
			waiting++
		default:
			unknown++
		}
	}

	if failedInitNotRestartable > 0 {
		return corev1.PodFailed
	}
	switch {
	case pendingInit > 0 || (pendingSidecars > 0 && !initialized):
		return corev1.PodPending
	case waiting > 0:
		return corev1.PodPending
	case running > 0 && unknown == 0:
		return corev1.PodRunning
	case running == 0 && stopped > 0 && unknown == 0:
		if terminal {
			if stopped == succeeded {
				return corev1.PodSucceeded
			}
			return corev1.PodFailed
		}
		switch pod.Spec.RestartPolicy {
		case corev1.RestartPolicyAlways:
			// Every container is on its way to being restarted.
			return corev1.PodRunning
		case corev1.RestartPolicyNever:
			if stopped == succeeded {
				return corev1.PodSucceeded
			}
			return corev1.PodFailed
		}
		// OnFailure: done if all succeeded, otherwise the failed ones restart.
		if stopped == succeeded {
			return corev1.PodSucceeded
		}
		return corev1.PodRunning
	}
	return corev1.PodPending
}

// Conditions computes the kubelet-owned conditions, in upstream's order, keeping each
// one's lastTransitionTime when its status did not change.
func Conditions(in Input, statuses []corev1.ContainerStatus, phase corev1.PodPhase) []corev1.PodCondition {
	pod := in.Pod
	conds := []corev1.PodCondition{
		readyToStartContainers(in),
		initializedCondition(pod, statuses, phase, anyRegularContainerStarted(pod, in.Runtime)),
	}
	containersReady := containersReadyCondition(pod, statuses, phase)
	conds = append(conds, podReadyCondition(pod, containersReady), containersReady)
	now := metav1.NewTime(in.Now.UTC().Truncate(1e9))
	for i := range conds {
		conds[i].ObservedGeneration = pod.Generation
		conds[i].LastTransitionTime = now
		for _, o := range pod.Status.Conditions {
			if o.Type == conds[i].Type && o.Status == conds[i].Status && !o.LastTransitionTime.IsZero() {
				conds[i].LastTransitionTime = o.LastTransitionTime
			}
		}
	}
	return conds
}

func readyToStartContainers(in Input) corev1.PodCondition {
	c := corev1.PodCondition{Type: corev1.PodReadyToStartContainers, Status: corev1.ConditionTrue}
	if needed, _, _, msg := SandboxNeeded(in.Pod, in.Runtime); needed {
		c.Status, c.Reason, c.Message = corev1.ConditionFalse, ReasonPodSandboxNotReady, msg
	}
	return c
}

func initializedCondition(pod *corev1.Pod, statuses []corev1.ContainerStatus, phase corev1.PodPhase, initialized bool) corev1.PodCondition {
	var unknown, incomplete []string
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		st, ok := statusByName(statuses, c.Name)
		switch {
		case !ok:
			unknown = append(unknown, c.Name)
		case IsRestartableInit(c) && (st.Started == nil || !*st.Started):
			incomplete = append(incomplete, c.Name)
		case !IsRestartableInit(c) && !st.Ready:
			incomplete = append(incomplete, c.Name)
		}
	}
	cond := corev1.PodCondition{Type: corev1.PodInitialized, Status: corev1.ConditionTrue}
	if phase == corev1.PodSucceeded && len(unknown) == 0 {
		cond.Reason = ReasonPodCompleted
		return cond
	}
	if initialized {
		return cond
	}
	if msg := joinMessages(unknown, incomplete, "incomplete"); msg != "" {
		cond.Status, cond.Reason, cond.Message = corev1.ConditionFalse, ReasonContainersNotInitialized, msg
	}
	return cond
}

func containersReadyCondition(pod *corev1.Pod, statuses []corev1.ContainerStatus, phase corev1.PodPhase) corev1.PodCondition {
	cond := corev1.PodCondition{Type: corev1.ContainersReady, Status: corev1.ConditionTrue}
	var unknown, unready []string
	check := func(c *corev1.Container) {
		if st, ok := statusByName(statuses, c.Name); !ok {
			unknown = append(unknown, c.Name)
		} else if !st.Ready {
			unready = append(unready, c.Name)
		}
	}
	for i := range pod.Spec.InitContainers {
		if IsRestartableInit(&pod.Spec.InitContainers[i]) {
			check(&pod.Spec.InitContainers[i])
		}
	}
	for i := range pod.Spec.Containers {
		check(&pod.Spec.Containers[i])
	}
	switch {
	case phase == corev1.PodSucceeded && len(unknown) == 0:
		cond.Status, cond.Reason = corev1.ConditionFalse, ReasonPodCompleted
		return cond
	case phase == corev1.PodFailed:
		cond.Status, cond.Reason = corev1.ConditionFalse, ReasonPodFailed
		return cond
	}
	if msg := joinMessages(unknown, unready, "unready"); msg != "" {
		cond.Status, cond.Reason, cond.Message = corev1.ConditionFalse, ReasonContainersNotReady, msg
	}
	return cond
}

func podReadyCondition(pod *corev1.Pod, containersReady corev1.PodCondition) corev1.PodCondition {
	cond := corev1.PodCondition{Type: corev1.PodReady, Status: containersReady.Status, Reason: containersReady.Reason, Message: containersReady.Message}
	if containersReady.Status != corev1.ConditionTrue {
		return cond
	}
	var msgs []string
	for _, rg := range pod.Spec.ReadinessGates {
		var found *corev1.PodCondition
		for i := range pod.Status.Conditions {
			if pod.Status.Conditions[i].Type == rg.ConditionType {
				found = &pod.Status.Conditions[i]
			}
		}
		if found == nil {
			msgs = append(msgs, fmt.Sprintf("corresponding condition of pod readiness gate %q does not exist.", string(rg.ConditionType)))
		} else if found.Status != corev1.ConditionTrue {
			msgs = append(msgs, fmt.Sprintf("the status of pod readiness gate %q is not \"True\", but %v", string(rg.ConditionType), found.Status))
		}
	}
	if len(msgs) > 0 {
		cond.Status, cond.Reason, cond.Message = corev1.ConditionFalse, ReasonReadinessGatesNotReady, strings.Join(msgs, ", ")
	}
	return cond
}

// joinMessages renders upstream's "containers with unknown status: [a], containers with
// unready status: [b]" (Go's %s of a string slice: names in brackets, space separated).
func joinMessages(unknown, bad []string, adjective string) string {
	var parts []string
	if len(unknown) > 0 {
		parts = append(parts, fmt.Sprintf("containers with unknown status: %s", unknown))
	}
	if len(bad) > 0 {
		parts = append(parts, fmt.Sprintf("containers with %s status: %s", adjective, bad))
	}
	return strings.Join(parts, ", ")
}

package table

import (
	"fmt"
	"strconv"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

func init() { register("pods", podColumns, podRow) }

func podColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		nameColumn(),
		col("Ready", "string", "How many of the pod's containers are ready, out of how many."),
		col("Status", "string", "The pod's state in a word: its phase, or why it is not running yet or any more."),
		col("Restarts", "string", "How many times the pod's containers were restarted, and how long ago the last restart was."),
		ageColumn(),
		wide("IP", "string", fieldDoc(corev1.PodStatus{}, "podIP", "The IP address of the pod.")),
		wide("Node", "string", fieldDoc(corev1.PodSpec{}, "nodeName", "The node the pod is bound to.")),
		wide("Nominated Node", "string", fieldDoc(corev1.PodStatus{}, "nominatedNodeName", "The node the scheduler preempted pods on for this pod.")),
		wide("Readiness Gates", "string", fieldDoc(corev1.PodSpec{}, "readinessGates", "How many of the pod's readiness gates are true, out of how many.")),
	}
}

// Row conditions of finished pods: kubectl hides Completed rows unless --show-all (old
// versions) and colours them in some UIs.
var (
	podSucceededConditions = []metav1.TableRowCondition{{Type: "Completed", Status: "True", Reason: "Succeeded", Message: "The pod has completed successfully."}}
	podFailedConditions    = []metav1.TableRowCondition{{Type: "Completed", Status: "True", Reason: "Failed", Message: "The pod failed."}}
)

// nodeLostReason is the status reason the node lifecycle controller gives a pod on a node
// that stopped reporting; such a pod being deleted shows as "Unknown".
const nodeLostReason = "NodeLost"

func podRow(now time.Time, pod *corev1.Pod) metav1.TableRow {
	s := summarizePod(pod)
	restarts := strconv.Itoa(s.restarts)
	if s.restarts != 0 && !s.lastRestart.IsZero() {
		restarts = fmt.Sprintf("%d (%s ago)", s.restarts, since(now, s.lastRestart))
	}

	ip := "<none>"
	if len(pod.Status.PodIPs) > 0 && pod.Status.PodIPs[0].IP != "" {
		ip = pod.Status.PodIPs[0].IP
	}
	row := metav1.TableRow{Cells: []any{
		pod.Name,
		fmt.Sprintf("%d/%d", s.ready, s.total),
		s.status,
		restarts,
		age(now, pod),
		ip,
		orNone(pod.Spec.NodeName),
		orNone(pod.Status.NominatedNodeName),
		readinessGates(pod),
	}}
	switch pod.Status.Phase {
	case corev1.PodSucceeded:
		row.Conditions = podSucceededConditions
	case corev1.PodFailed:
		row.Conditions = podFailedConditions
	}
	return row
}

// podSummary is what the READY, STATUS and RESTARTS columns show.
type podSummary struct {
	ready, total int
	status       string
	restarts     int
	lastRestart  metav1.Time
}

// summarizePod computes a pod's columns as upstream's printer does. STATUS starts as the
// phase (or status.reason), and is then overridden, in this order, by: a scheduling gate;
// the first init container that has not finished ("Init:1/3", "Init:CrashLoopBackOff",
// "Init:Error", "Init:ExitCode:2"); otherwise the containers' own reasons, the first
// container's winning ("ContainerCreating", "CrashLoopBackOff", "Completed", "OOMKilled",
// "Error"), with "Completed" turned back into "Running"/"NotReady" while others still run;
// and finally deletion ("Terminating", or "Unknown" on a lost node).
//
// Sidecars (init containers with restartPolicy Always) count as containers in READY, and
// once the pod is initialized only their restarts count alongside the regular containers'.
func summarizePod(pod *corev1.Pod) podSummary {
	s := podSummary{total: len(pod.Spec.Containers), status: string(pod.Status.Phase)}
	if pod.Status.Reason != "" {
		s.status = pod.Status.Reason
	}
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Reason == corev1.PodReasonSchedulingGated {
			s.status = corev1.PodReasonSchedulingGated
		}
	}

	sidecars := map[string]bool{}
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		if isSidecar(c) {
			sidecars[c.Name] = true
			s.total++
		}
	}

	// Init containers: all restarts count while initializing; the first one still at work
	// names the status.
	var sidecarRestarts int
	var sidecarLastRestart metav1.Time
	initializing := false
	for i, cs := range pod.Status.InitContainerStatuses {
		s.restarts += int(cs.RestartCount)
		later(&s.lastRestart, cs.LastTerminationState)
		if sidecars[cs.Name] {
			sidecarRestarts += int(cs.RestartCount)
			later(&sidecarLastRestart, cs.LastTerminationState)
		}
		if t := cs.State.Terminated; t != nil && t.ExitCode == 0 {
			continue // finished
		}
		if sidecars[cs.Name] && cs.Started != nil && *cs.Started {
			if cs.Ready {
				s.ready++
			}
			continue // a running sidecar does not hold initialization up
		}
		initializing = true
		switch t, w := cs.State.Terminated, cs.State.Waiting; {
		case t != nil:
			s.status = "Init:" + terminatedReason(t)
		case w != nil && w.Reason != "" && w.Reason != "PodInitializing":
			s.status = "Init:" + w.Reason
		default:
			s.status = fmt.Sprintf("Init:%d/%d", i, len(pod.Spec.InitContainers))
		}
		break
	}

	if !initializing || podInitialized(pod) {
		s.restarts = sidecarRestarts
		s.lastRestart = sidecarLastRestart
		running := false
		failedReason := ""
		// Walk backwards so that the first container's reason is the one that sticks.
		for i := len(pod.Status.ContainerStatuses) - 1; i >= 0; i-- {
			cs := pod.Status.ContainerStatuses[i]
			s.restarts += int(cs.RestartCount)
			later(&s.lastRestart, cs.LastTerminationState)
			switch {
			case cs.State.Waiting != nil && cs.State.Waiting.Reason != "":
				s.status = cs.State.Waiting.Reason
			case cs.State.Terminated != nil:
				s.status = terminatedReason(cs.State.Terminated)
				if cs.State.Terminated.ExitCode != 0 {
					failedReason = s.status
				}
			case cs.Ready && cs.State.Running != nil:
				running = true
				s.ready++
			}
		}
		if s.status == "Completed" {
			switch {
			case running && podReady(pod):
				s.status = "Running"
			case failedReason != "":
				s.status = failedReason
			case running:
				s.status = "NotReady"
			}
		}
	}

	if pod.DeletionTimestamp != nil {
		switch {
		case pod.Status.Reason == nodeLostReason:
			s.status = "Unknown"
		case pod.Status.Phase != corev1.PodSucceeded && pod.Status.Phase != corev1.PodFailed:
			s.status = "Terminating"
		}
	}
	return s
}

// terminatedReason names how a container ended: its reason, else its signal or exit code.
func terminatedReason(t *corev1.ContainerStateTerminated) string {
	switch {
	case t.Reason != "":
		return t.Reason
	case t.Signal != 0:
		return fmt.Sprintf("Signal:%d", t.Signal)
	}
	return fmt.Sprintf("ExitCode:%d", t.ExitCode)
}

// later moves *last to the end of the container's previous run, if that is later.
func later(last *metav1.Time, previous corev1.ContainerState) {
	if t := previous.Terminated; t != nil && t.FinishedAt.Time.After(last.Time) {
		*last = t.FinishedAt
	}
}

func isSidecar(c *corev1.Container) bool {
	return c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
}

// podInitialized reports the pod's Initialized condition (the first one listed).
func podInitialized(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodInitialized {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// podReady reports whether any Ready condition is true.
func podReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

// readinessGates is "<true gates>/<gates>", counting for each gate the first condition of
// its type; "<none>" without gates.
func readinessGates(pod *corev1.Pod) string {
	if len(pod.Spec.ReadinessGates) == 0 {
		return "<none>"
	}
	trueGates := 0
	for _, g := range pod.Spec.ReadinessGates {
		for _, c := range pod.Status.Conditions {
			if c.Type == g.ConditionType {
				if c.Status == corev1.ConditionTrue {
					trueGates++
				}
				break
			}
		}
	}
	return fmt.Sprintf("%d/%d", trueGates, len(pod.Spec.ReadinessGates))
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}

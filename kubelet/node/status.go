package node

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// Health is what the node's Ready condition is computed from.
type Health struct {
	// RuntimeErr is set when the runtime did not answer its status call.
	RuntimeErr error
	// RuntimeReady / NetworkReady are the runtime's conditions, with their reason and
	// message when false.
	RuntimeReady, NetworkReady             bool
	RuntimeNotReadyMsg, NetworkNotReadyMsg string
	// PLEGErr is set when relisting the runtime has stalled.
	PLEGErr error
}

// readyCondition is upstream's Ready condition: True "kubelet is posting ready status", or
// False KubeletNotReady with the problems joined.
func readyCondition(h Health) corev1.NodeCondition {
	var problems []string
	switch {
	case h.RuntimeErr != nil:
		problems = append(problems, "container runtime is down")
	default:
		if !h.RuntimeReady {
			problems = append(problems, "container runtime not ready: "+h.RuntimeNotReadyMsg)
		}
		if !h.NetworkReady {
			problems = append(problems, "container runtime network not ready: "+h.NetworkNotReadyMsg)
		}
	}
	if h.PLEGErr != nil {
		problems = append(problems, h.PLEGErr.Error())
	}
	if len(problems) > 0 {
		msg := problems[0]
		if len(problems) > 1 {
			msg = fmt.Sprintf("[%s", problems[0])
			for _, p := range problems[1:] {
				msg += ", " + p
			}
			msg += "]"
		}
		return corev1.NodeCondition{Type: corev1.NodeReady, Status: corev1.ConditionFalse, Reason: "KubeletNotReady", Message: msg}
	}
	return corev1.NodeCondition{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady", Message: "kubelet is posting ready status"}
}

// pressureConditions are the three pressure conditions. Skiff has no eviction manager:
// they always report no pressure, as an upstream kubelet does on a healthy node.
func pressureConditions() []corev1.NodeCondition {
	return []corev1.NodeCondition{
		{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientMemory", Message: "kubelet has sufficient memory available"},
		{Type: corev1.NodeDiskPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasNoDiskPressure", Message: "kubelet has no disk pressure"},
		{Type: corev1.NodePIDPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientPID", Message: "kubelet has sufficient PID available"},
	}
}

// Conditions computes the node's four conditions (upstream's order: MemoryPressure,
// DiskPressure, PIDPressure, Ready), stamping the heartbeat now and keeping each
// condition's lastTransitionTime while its status stays the same.
func Conditions(old []corev1.NodeCondition, h Health, now time.Time) []corev1.NodeCondition {
	conds := append(pressureConditions(), readyCondition(h))
	stamp := metav1.NewTime(now.UTC().Truncate(time.Second))
	for i := range conds {
		conds[i].LastHeartbeatTime = stamp
		conds[i].LastTransitionTime = stamp
		for _, o := range old {
			if o.Type == conds[i].Type && o.Status == conds[i].Status && !o.LastTransitionTime.IsZero() {
				conds[i].LastTransitionTime = o.LastTransitionTime
			}
		}
	}
	// Conditions other components own (NetworkUnavailable, custom ones) are kept.
	for _, o := range old {
		switch o.Type {
		case corev1.NodeMemoryPressure, corev1.NodeDiskPressure, corev1.NodePIDPressure, corev1.NodeReady:
		default:
			conds = append(conds, o)
		}
	}
	return conds
}

// statusChanged compares two node statuses ignoring heartbeat times: an unchanged status
// needs writing only every NodeStatusReportFrequency.
func statusChanged(a, b corev1.NodeStatus) bool {
	strip := func(s corev1.NodeStatus) []byte {
		s.Conditions = append([]corev1.NodeCondition(nil), s.Conditions...)
		for i := range s.Conditions {
			s.Conditions[i].LastHeartbeatTime = metav1.Time{}
		}
		sort.Slice(s.Conditions, func(i, j int) bool { return s.Conditions[i].Type < s.Conditions[j].Type })
		out, _ := json.Marshal(s)
		return out
	}
	return string(strip(a)) != string(strip(b))
}

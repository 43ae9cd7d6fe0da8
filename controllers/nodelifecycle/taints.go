package nodelifecycle

import (
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// conditionTaints maps a node condition and its status to the key of the NoSchedule taint
// it calls for, as upstream's node lifecycle controller does.
var conditionTaints = map[corev1.NodeConditionType]map[corev1.ConditionStatus]string{
	corev1.NodeReady: {
		corev1.ConditionFalse:   corev1.TaintNodeNotReady,
		corev1.ConditionUnknown: corev1.TaintNodeUnreachable,
	},
	corev1.NodeMemoryPressure:     {corev1.ConditionTrue: corev1.TaintNodeMemoryPressure},
	corev1.NodeDiskPressure:       {corev1.ConditionTrue: corev1.TaintNodeDiskPressure},
	corev1.NodeNetworkUnavailable: {corev1.ConditionTrue: corev1.TaintNodeNetworkUnavailable},
	corev1.NodePIDPressure:        {corev1.ConditionTrue: corev1.TaintNodePIDPressure},
}

// managedNoScheduleKeys are the NoSchedule taint keys this controller owns: it adds and
// removes them; every other taint is the user's.
var managedNoScheduleKeys = map[string]bool{
	corev1.TaintNodeNotReady: true, corev1.TaintNodeUnreachable: true,
	corev1.TaintNodeMemoryPressure: true, corev1.TaintNodeDiskPressure: true,
	corev1.TaintNodeNetworkUnavailable: true, corev1.TaintNodePIDPressure: true,
	corev1.TaintNodeUnschedulable: true,
}

// noScheduleTaints is the set of managed NoSchedule taints the node's conditions and
// spec.unschedulable call for (keys and effects only).
func noScheduleTaints(node *corev1.Node) []corev1.Taint {
	var out []corev1.Taint
	for _, c := range node.Status.Conditions {
		if key, ok := conditionTaints[c.Type][c.Status]; ok {
			out = append(out, corev1.Taint{Key: key, Effect: corev1.TaintEffectNoSchedule})
		}
	}
	if node.Spec.Unschedulable {
		out = append(out, corev1.Taint{Key: corev1.TaintNodeUnschedulable, Effect: corev1.TaintEffectNoSchedule})
	}
	return out
}

// The NoExecute taints that follow the Ready condition; the two are mutually exclusive.
var (
	notReadyNoExecute    = corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoExecute}
	unreachableNoExecute = corev1.Taint{Key: corev1.TaintNodeUnreachable, Effect: corev1.TaintEffectNoExecute}
)

// noExecuteFor is the NoExecute taint a Ready condition status calls for (nil for True or
// no condition at all: a node whose kubelet never reported is only handled once its grace
// period made its conditions Unknown).
func noExecuteFor(ready corev1.ConditionStatus) *corev1.Taint {
	switch ready {
	case corev1.ConditionFalse:
		return &notReadyNoExecute
	case corev1.ConditionUnknown:
		return &unreachableNoExecute
	}
	return nil
}

// noExecutePlan is what to do about a node's NoExecute lifecycle taints.
type noExecutePlan struct {
	add    *corev1.Taint
	remove []corev1.Taint
	// rateLimited marks an add that needs a token of the zone's eviction limiter: a fresh
	// NoExecute taint starts evictions. Swapping not-ready for unreachable does not.
	rateLimited bool
}

// planNoExecute decides how the node's not-ready/unreachable NoExecute taints change, given
// the status of its Ready condition. In master disruption mode (every node not ready) none
// may stay: evicting everything would only make an outage worse.
func planNoExecute(taints []corev1.Taint, ready corev1.ConditionStatus, masterDisruption bool) noExecutePlan {
	want := noExecuteFor(ready)
	if masterDisruption {
		want = nil
	}
	var plan noExecutePlan
	hasWant := false
	for _, t := range []corev1.Taint{notReadyNoExecute, unreachableNoExecute} {
		if !hasTaint(taints, t) {
			continue
		}
		if want != nil && t.Key == want.Key {
			hasWant = true
		} else {
			plan.remove = append(plan.remove, t)
		}
	}
	if want != nil && !hasWant {
		plan.add = want
		// Replacing the opposite taint keeps evictions going as they were: no new token.
		plan.rateLimited = len(plan.remove) == 0
	}
	return plan
}

// taintDiff compares the managed NoSchedule taints the node should have with those it has,
// matching by key and effect as upstream does.
func taintDiff(want, taints []corev1.Taint) (add, remove []corev1.Taint) {
	for _, t := range want {
		if !hasTaint(taints, t) {
			add = append(add, t)
		}
	}
	for _, t := range taints {
		if t.Effect == corev1.TaintEffectNoSchedule && managedNoScheduleKeys[t.Key] && !hasTaint(want, t) {
			remove = append(remove, t)
		}
	}
	return add, remove
}

// applyTaints returns taints without those in remove and with those in add, the added ones
// stamped with timeAdded = now. The input is not modified.
func applyTaints(taints, add, remove []corev1.Taint, now time.Time) []corev1.Taint {
	out := make([]corev1.Taint, 0, len(taints)+len(add))
	for _, t := range taints {
		if !hasTaint(remove, t) {
			out = append(out, t)
		}
	}
	ts := metav1.NewTime(now.UTC().Truncate(time.Second))
	for _, t := range add {
		if hasTaint(out, t) {
			continue
		}
		t.TimeAdded = &ts
		out = append(out, t)
	}
	return out
}

// hasTaint reports whether a taint with t's key and effect is in taints.
func hasTaint(taints []corev1.Taint, t corev1.Taint) bool {
	for _, x := range taints {
		if x.Key == t.Key && x.Effect == t.Effect {
			return true
		}
	}
	return false
}

// The beta OS and architecture labels, which upstream keeps equal to the stable ones for
// old clients.
const (
	labelOSBeta   = "beta.kubernetes.io/os"
	labelArchBeta = "beta.kubernetes.io/arch"
)

// labelsToReconcile returns the beta labels whose value must follow the stable one
// (kubernetes.io/os, kubernetes.io/arch); nil when they already agree.
func labelsToReconcile(node *corev1.Node) map[string]string {
	var out map[string]string
	for stable, beta := range map[string]string{corev1.LabelOSStable: labelOSBeta, corev1.LabelArchStable: labelArchBeta} {
		v, ok := node.Labels[stable]
		if !ok {
			continue
		}
		if cur, has := node.Labels[beta]; !has || cur != v {
			if out == nil {
				out = map[string]string{}
			}
			out[beta] = v
		}
	}
	return out
}

package scheduler

import (
	"log/slog"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

// The filter reasons of the node-level plugins, worded exactly as upstream's.
const (
	reasonUnschedulable     = "node(s) were unschedulable"
	reasonUntoleratedTaints = "node(s) had untolerated taint(s)"
)

// Taints the node lifecycle controller puts on nodes; the filters below treat a node as if
// it carried them, so the scheduler behaves the same whether or not that controller runs.
const (
	taintNodeUnschedulable = "node.kubernetes.io/unschedulable"
	taintNodeNotReady      = "node.kubernetes.io/not-ready"
	taintNodeUnreachable   = "node.kubernetes.io/unreachable"
)

// filterNodeUnschedulable rejects cordoned nodes (spec.unschedulable), unless the pod
// tolerates the node.kubernetes.io/unschedulable:NoSchedule taint (DaemonSet pods do).
func filterNodeUnschedulable(c *Cycle, n *NodeInfo) *Status {
	if !n.Node.Spec.Unschedulable {
		return nil
	}
	taint := corev1.Taint{Key: taintNodeUnschedulable, Effect: corev1.TaintEffectNoSchedule}
	if tolerates(c.Pod.Spec.Tolerations, &taint) {
		return nil
	}
	return reject(UnschedulableAndUnresolvable, reasonUnschedulable)
}

// filterNodeReady rejects nodes whose Ready condition is not True. Upstream gets this effect
// from the taints the node lifecycle controller adds (not-ready when Ready=False,
// unreachable when Unknown or missing), so a pod tolerating that taint still fits, and the
// reason reads as a taint.
func filterNodeReady(c *Cycle, n *NodeInfo) *Status {
	taint := corev1.Taint{Key: taintNodeUnreachable, Effect: corev1.TaintEffectNoSchedule}
	for _, cond := range n.Node.Status.Conditions {
		if cond.Type != corev1.NodeReady {
			continue
		}
		switch cond.Status {
		case corev1.ConditionTrue:
			return nil
		case corev1.ConditionFalse:
			taint.Key = taintNodeNotReady
		}
	}
	if tolerates(c.Pod.Spec.Tolerations, &taint) {
		return nil
	}
	return reject(UnschedulableAndUnresolvable, reasonUntoleratedTaints)
}

// filterTaintToleration rejects nodes with a NoSchedule or NoExecute taint the pod does not
// tolerate. Since Kubernetes 1.35 the message no longer names the taint (taints may be
// sensitive), so the taint is logged instead.
func filterTaintToleration(c *Cycle, n *NodeInfo) *Status {
	for i := range n.Node.Spec.Taints {
		t := &n.Node.Spec.Taints[i]
		if t.Effect != corev1.TaintEffectNoSchedule && t.Effect != corev1.TaintEffectNoExecute {
			continue
		}
		if !tolerates(c.Pod.Spec.Tolerations, t) {
			slog.Debug("node has an untolerated taint", "pod", c.Pod.Namespace+"/"+c.Pod.Name,
				"node", n.Name(), "taint", t.Key+"="+t.Value+":"+string(t.Effect))
			return reject(UnschedulableAndUnresolvable, reasonUntoleratedTaints)
		}
	}
	return nil
}

// scoreTaintToleration prefers nodes with fewer PreferNoSchedule taints the pod does not
// tolerate: counted per node, then reversed so that the fewest scores 100.
func scoreTaintToleration(c *Cycle, nodes []*NodeInfo) []int64 {
	// Only tolerations that can apply to PreferNoSchedule count (an empty effect means all).
	var tolerations []corev1.Toleration
	for _, t := range c.Pod.Spec.Tolerations {
		if t.Effect == "" || t.Effect == corev1.TaintEffectPreferNoSchedule {
			tolerations = append(tolerations, t)
		}
	}
	scores := make([]int64, len(nodes))
	for i, n := range nodes {
		for j := range n.Node.Spec.Taints {
			t := &n.Node.Spec.Taints[j]
			if t.Effect == corev1.TaintEffectPreferNoSchedule && !tolerates(tolerations, t) {
				scores[i]++
			}
		}
	}
	normalizeScores(scores, true)
	return scores
}

// tolerates reports whether any toleration matches the taint: same effect (or none given),
// same key (or none given, which with Exists matches every key), and the value equal
// unless the operator is Exists.
func tolerates(tolerations []corev1.Toleration, taint *corev1.Taint) bool {
	for i := range tolerations {
		t := &tolerations[i]
		if t.Effect != "" && t.Effect != taint.Effect {
			continue
		}
		if t.Key != "" && t.Key != taint.Key {
			continue
		}
		switch t.Operator {
		case corev1.TolerationOpExists:
			return true
		case "", corev1.TolerationOpEqual:
			if t.Value == taint.Value {
				return true
			}
		}
	}
	return false
}

// normalizeScores scales raw scores so the highest becomes MaxNodeScore (upstream's
// DefaultNormalizeScore); with reverse, the lowest raw score wins instead. All-zero raw
// scores mean "no preference": 0 everywhere, or MaxNodeScore everywhere when reversed.
func normalizeScores(scores []int64, reverse bool) {
	var highest int64
	for _, s := range scores {
		highest = max(highest, s)
	}
	for i := range scores {
		if highest == 0 {
			if reverse {
				scores[i] = MaxNodeScore
			}
			continue
		}
		scores[i] = MaxNodeScore * scores[i] / highest
		if reverse {
			scores[i] = MaxNodeScore - scores[i]
		}
	}
}

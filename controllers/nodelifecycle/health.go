package nodelifecycle

import (
	"time"

	coordinationv1 "github.com/skiff-k8s/skiff/api/coordination/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// healthRecord is what the controller remembers about one node between syncs: when it last
// saw a sign of life, measured on this process's clock. Heartbeat times written by the
// kubelet are only compared for change, never against our clock, so clock skew between
// machines cannot make a node look dead.
type healthRecord struct {
	// probeTime is when (our clock) the node last showed it is alive: a new Ready heartbeat
	// or a renewed Lease.
	probeTime time.Time
	// hasReady, heartbeat and transition are the node's Ready condition as last seen.
	hasReady   bool
	heartbeat  metav1.Time
	transition metav1.Time
	// leaseRenew is the Lease's renewTime as last seen.
	leaseRenew time.Time
}

// observeHealth folds what the node and its Lease show now into the record of the previous
// sync (nil for a node seen for the first time) and returns the new record.
//
// A node seen for the first time without a Ready condition (its kubelet never posted
// status) counts from its creation, so it gets the startup grace period from the moment it
// registered; any other first sight counts from now, so a restarted controller gives every
// node a full grace period.
func observeHealth(prev *healthRecord, node *corev1.Node, lease *coordinationv1.Lease, now time.Time) healthRecord {
	ready := readyCondition(node)
	var rec healthRecord
	switch {
	case prev == nil && ready == nil:
		rec = healthRecord{probeTime: node.CreationTimestamp.Time}
	case prev == nil, prev.hasReady != (ready != nil):
		rec = healthRecord{probeTime: now}
	case ready != nil && !ready.LastHeartbeatTime.Equal(prev.heartbeat.Time):
		rec = healthRecord{probeTime: now}
	default:
		rec = *prev
	}
	if ready != nil {
		rec.hasReady, rec.heartbeat, rec.transition = true, ready.LastHeartbeatTime, ready.LastTransitionTime
	}
	if prev != nil {
		rec.leaseRenew = prev.leaseRenew
	}
	// A renewed Lease is a heartbeat too (the cheap one: the kubelet posts full status only
	// every few minutes when nothing changes).
	if lease != nil && lease.Spec.RenewTime != nil && lease.Spec.RenewTime.Time.After(rec.leaseRenew) {
		rec.leaseRenew = lease.Spec.RenewTime.Time
		rec.probeTime = now
	}
	return rec
}

// gracePeriod is how long node may stay silent: longer while its kubelet never posted
// status (it may still be starting).
func gracePeriod(node *corev1.Node, monitorGrace, startupGrace time.Duration) time.Duration {
	if readyCondition(node) == nil {
		return startupGrace
	}
	return monitorGrace
}

// silentConditionTypes are the conditions set to Unknown when a node falls silent; upstream
// leaves NetworkUnavailable alone, as it is managed by the network plugin, not the kubelet.
var silentConditionTypes = []corev1.NodeConditionType{
	corev1.NodeReady, corev1.NodeMemoryPressure, corev1.NodeDiskPressure, corev1.NodePIDPressure,
}

// Reasons and messages of conditions set by this controller, upstream's words.
const (
	reasonNodeStatusUnknown      = "NodeStatusUnknown"
	messageNodeStatusUnknown     = "Kubelet stopped posting node status."
	reasonNodeStatusNeverUpdated = "NodeStatusNeverUpdated"
	messageNodeStatusNeverUpd    = "Kubelet never posted node status."
)

// silentNodeConditions returns the node's conditions as they must read once it has been
// silent past its grace period: every condition of silentConditionTypes Unknown, missing
// ones added. changed is false when they already read so. The input is not modified.
func silentNodeConditions(node *corev1.Node, now time.Time) (conditions []corev1.NodeCondition, changed bool) {
	conditions = append([]corev1.NodeCondition(nil), node.Status.Conditions...)
	ts := metav1.NewTime(now.UTC().Truncate(time.Second))
	for _, typ := range silentConditionTypes {
		i := conditionIndex(conditions, typ)
		if i < 0 {
			conditions = append(conditions, corev1.NodeCondition{
				Type: typ, Status: corev1.ConditionUnknown,
				Reason: reasonNodeStatusNeverUpdated, Message: messageNodeStatusNeverUpd,
				LastHeartbeatTime: node.CreationTimestamp, LastTransitionTime: ts,
			})
			changed = true
			continue
		}
		if conditions[i].Status != corev1.ConditionUnknown {
			c := &conditions[i]
			c.Status, c.Reason, c.Message, c.LastTransitionTime = corev1.ConditionUnknown, reasonNodeStatusUnknown, messageNodeStatusUnknown, ts
			changed = true
		}
	}
	return conditions, changed
}

// readyCondition returns the node's Ready condition, or nil.
func readyCondition(node *corev1.Node) *corev1.NodeCondition {
	if i := conditionIndex(node.Status.Conditions, corev1.NodeReady); i >= 0 {
		return &node.Status.Conditions[i]
	}
	return nil
}

// readyStatus is the status of the node's Ready condition, "" when it has none.
func readyStatus(node *corev1.Node) corev1.ConditionStatus {
	if c := readyCondition(node); c != nil {
		return c.Status
	}
	return ""
}

func conditionIndex(conditions []corev1.NodeCondition, typ corev1.NodeConditionType) int {
	for i := range conditions {
		if conditions[i].Type == typ {
			return i
		}
	}
	return -1
}

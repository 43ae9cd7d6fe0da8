package replicaset

import (
	"time"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/labels"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// This file holds the decisions of the ReplicaSet controller that need no I/O: how many pods
// to create or delete, in which batches, and what the status says. The order in which
// surplus pods are deleted is in deletion_order.go.

// BurstReplicas is how many pods one sync creates or deletes at most (upstream's
// kube-controller-manager default). A ReplicaSet scaled from 0 to 2,000 gets there in four
// syncs, each waiting for the informer to see the previous one's pods.
const BurstReplicas = 500

// slowStartInitialBatch is the size of the first batch of creations; batches double while
// they succeed.
const slowStartInitialBatch = 1

// Reasons of events and of the ReplicaFailure condition (upstream's).
const (
	reasonSuccessfulCreate = "SuccessfulCreate"
	reasonFailedCreate     = "FailedCreate"
	reasonSuccessfulDelete = "SuccessfulDelete"
	reasonFailedDelete     = "FailedDelete"
)

// replicaDiff says how many pods to create (positive) or delete (negative) so that active
// pods become want, bounded by burst in both directions.
func replicaDiff(active, want, burst int) int {
	diff := want - active
	switch {
	case diff > burst:
		return burst
	case diff < -burst:
		return -burst
	}
	return diff
}

// slowStartBatches splits count calls into batches of initial, 2*initial, 4*initial ...
// (the last one holding what is left). The caller runs each batch concurrently and stops
// at the first batch with a failure: a template the API refuses costs one request, and a
// healthy one still reaches 500 pods in 9 round trips.
func slowStartBatches(count, initial int) []int {
	var batches []int
	for size := min(count, initial); size > 0; {
		batches = append(batches, size)
		count -= size
		size = min(2*size, count)
	}
	return batches
}

// isPodActive: the pod counts towards the replicas (not finished, not being deleted).
func isPodActive(p *corev1.Pod) bool {
	return p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed &&
		p.DeletionTimestamp == nil
}

// isPodTerminating: the pod is being deleted but its containers may still run
// (status.terminatingReplicas counts these).
func isPodTerminating(p *corev1.Pod) bool {
	return p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed &&
		p.DeletionTimestamp != nil
}

// podReadyCondition returns the pod's Ready condition, or nil.
func podReadyCondition(p *corev1.Pod) *corev1.PodCondition {
	for i := range p.Status.Conditions {
		if p.Status.Conditions[i].Type == corev1.PodReady {
			return &p.Status.Conditions[i]
		}
	}
	return nil
}

// isPodReady: the pod's Ready condition is True.
func isPodReady(p *corev1.Pod) bool {
	c := podReadyCondition(p)
	return c != nil && c.Status == corev1.ConditionTrue
}

// isPodAvailable: ready for at least minReadySeconds at now. A Ready condition without a
// transition time counts as available only when minReadySeconds is 0.
func isPodAvailable(p *corev1.Pod, minReadySeconds int32, now time.Time) bool {
	if !isPodReady(p) {
		return false
	}
	if minReadySeconds == 0 {
		return true
	}
	c := podReadyCondition(p)
	return !c.LastTransitionTime.IsZero() &&
		!c.LastTransitionTime.Add(time.Duration(minReadySeconds)*time.Second).After(now)
}

// calculateStatus is the ReplicaSet's status as the pods show it: the counts, and the
// ReplicaFailure condition set when manageErr says creating or deleting pods failed (reason
// FailedCreate or FailedDelete, message the error) and removed once a sync succeeds.
// terminating is nil when terminatingReplicas is not reported. observedGeneration is left to
// the writer (it records the generation actually acted on).
func calculateStatus(rs *appsv1.ReplicaSet, active, terminating []*corev1.Pod, manageErr error, now time.Time) appsv1.ReplicaSetStatus {
	status := *rs.Status.DeepCopy()
	templateLabels := labels.SelectorFromSet(rs.Spec.Template.Labels)
	var fullyLabeled, ready, available int32
	for _, p := range active {
		// The template's labels are a superset of the selector, so a pod carrying them all
		// is "fully labeled"; one only matching the selector (adopted, or relabeled) is not.
		if templateLabels.Matches(p.Labels) {
			fullyLabeled++
		}
		if isPodReady(p) {
			ready++
			if isPodAvailable(p, rs.Spec.MinReadySeconds, now) {
				available++
			}
		}
	}
	status.Replicas = int32(len(active))
	status.FullyLabeledReplicas = fullyLabeled
	status.ReadyReplicas = ready
	status.AvailableReplicas = available
	if terminating != nil {
		n := int32(len(terminating))
		status.TerminatingReplicas = &n
	}

	failure := replicaSetCondition(status, appsv1.ReplicaSetReplicaFailure)
	switch {
	case manageErr != nil && failure == nil:
		reason := ""
		if diff := len(active) - int(specReplicas(rs)); diff < 0 {
			reason = reasonFailedCreate
		} else if diff > 0 {
			reason = reasonFailedDelete
		}
		status.Conditions = append(withoutCondition(status.Conditions, appsv1.ReplicaSetReplicaFailure),
			appsv1.ReplicaSetCondition{
				Type:               appsv1.ReplicaSetReplicaFailure,
				Status:             corev1.ConditionTrue,
				LastTransitionTime: metav1.NewTime(now.UTC().Truncate(time.Second)),
				Reason:             reason,
				Message:            manageErr.Error(),
			})
	case manageErr == nil && failure != nil:
		status.Conditions = withoutCondition(status.Conditions, appsv1.ReplicaSetReplicaFailure)
	}
	return status
}

// statusUnchanged reports whether writing next would change nothing: same counts, same
// conditions, and the current generation already observed.
func statusUnchanged(rs *appsv1.ReplicaSet, next appsv1.ReplicaSetStatus) bool {
	cur := rs.Status
	return cur.Replicas == next.Replicas &&
		cur.FullyLabeledReplicas == next.FullyLabeledReplicas &&
		cur.ReadyReplicas == next.ReadyReplicas &&
		cur.AvailableReplicas == next.AvailableReplicas &&
		equalInt32Ptr(cur.TerminatingReplicas, next.TerminatingReplicas) &&
		rs.Generation == cur.ObservedGeneration &&
		equalConditions(cur.Conditions, next.Conditions)
}

// nextAvailabilityCheck says when a ready pod next becomes available (ready for
// minReadySeconds), so the controller can requeue the ReplicaSet then and update
// availableReplicas without waiting for another event. nil when no pod is waiting for that.
func nextAvailabilityCheck(pods []*corev1.Pod, minReadySeconds int32, now time.Time) *time.Duration {
	if minReadySeconds <= 0 {
		return nil
	}
	var next *time.Duration
	for _, p := range pods {
		if !isPodReady(p) {
			continue
		}
		c := podReadyCondition(p)
		if c.LastTransitionTime.IsZero() {
			continue
		}
		wait := c.LastTransitionTime.Add(time.Duration(minReadySeconds) * time.Second).Sub(now)
		if wait > 0 && (next == nil || wait < *next) {
			next = &wait
		}
	}
	return next
}

// specReplicas reads spec.replicas; the API always defaults it, nil reads as 0 like
// upstream's scale subresource does.
func specReplicas(rs *appsv1.ReplicaSet) int32 {
	if rs.Spec.Replicas == nil {
		return 0
	}
	return *rs.Spec.Replicas
}

func replicaSetCondition(s appsv1.ReplicaSetStatus, t appsv1.ReplicaSetConditionType) *appsv1.ReplicaSetCondition {
	for i := range s.Conditions {
		if s.Conditions[i].Type == t {
			return &s.Conditions[i]
		}
	}
	return nil
}

// withoutCondition returns a new slice without conditions of type t (never aliasing the
// input, which may belong to the cache).
func withoutCondition(conds []appsv1.ReplicaSetCondition, t appsv1.ReplicaSetConditionType) []appsv1.ReplicaSetCondition {
	var out []appsv1.ReplicaSetCondition
	for _, c := range conds {
		if c.Type != t {
			out = append(out, c)
		}
	}
	return out
}

func equalConditions(a, b []appsv1.ReplicaSetCondition) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Type != y.Type || x.Status != y.Status || x.Reason != y.Reason || x.Message != y.Message ||
			!x.LastTransitionTime.Equal(y.LastTransitionTime.Time) {
			return false
		}
	}
	return true
}

func equalInt32Ptr(a, b *int32) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

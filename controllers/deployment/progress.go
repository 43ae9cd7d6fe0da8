package deployment

import (
	"fmt"
	"time"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// This file computes what a Deployment's status says: the counts summed over its
// ReplicaSets, the Available condition, and the Progressing condition that `kubectl rollout
// status` waits on. The reasons and messages are upstream's, word for word:
//
//	Available   True   MinimumReplicasAvailable    Deployment has minimum availability.
//	Available   False  MinimumReplicasUnavailable  Deployment does not have minimum availability.
//	Progressing True   NewReplicaSetCreated        Created new replica set "web-5d4f8"
//	Progressing True   FoundNewReplicaSet          Found new replica set "web-5d4f8"
//	Progressing True   ReplicaSetUpdated           ReplicaSet "web-5d4f8" is progressing.
//	Progressing True   NewReplicaSetAvailable      ReplicaSet "web-5d4f8" has successfully progressed.
//	Progressing False  ProgressDeadlineExceeded    ReplicaSet "web-5d4f8" has timed out progressing.
//	Progressing Unknown DeploymentPaused / DeploymentResumed   Deployment is paused / resumed
//	Progressing False  ReplicaSetCreateError       Failed to create new replica set "web-5d4f8": ...
//	ReplicaFailure     (copied from a ReplicaSet's ReplicaFailure condition)
//
// A rollout has progressDeadlineSeconds (default 600) to make progress: a new pod
// created, ready or available, or an old one removed. Each bit of progress refreshes the
// condition's lastUpdateTime; when the deadline passes without any, the Deployment is marked
// ProgressDeadlineExceeded (the rollout itself goes on).

// newCondition returns a condition whose update and transition times are now.
func newCondition(t appsv1.DeploymentConditionType, status corev1.ConditionStatus, reason, message string, now time.Time) appsv1.DeploymentCondition {
	ts := metav1.NewTime(now.UTC().Truncate(time.Second))
	return appsv1.DeploymentCondition{Type: t, Status: status, LastUpdateTime: ts, LastTransitionTime: ts, Reason: reason, Message: message}
}

func getCondition(s appsv1.DeploymentStatus, t appsv1.DeploymentConditionType) *appsv1.DeploymentCondition {
	for i := range s.Conditions {
		if s.Conditions[i].Type == t {
			return &s.Conditions[i]
		}
	}
	return nil
}

// setCondition puts c in the status (moving it to the end), unless a condition with the
// same status and reason is already there. When only the reason changes, the transition
// time is kept: the status did not transition.
func setCondition(s *appsv1.DeploymentStatus, c appsv1.DeploymentCondition) {
	cur := getCondition(*s, c.Type)
	if cur != nil && cur.Status == c.Status && cur.Reason == c.Reason {
		return
	}
	if cur != nil && cur.Status == c.Status {
		c.LastTransitionTime = cur.LastTransitionTime
	}
	s.Conditions = append(withoutCondition(s.Conditions, c.Type), c)
}

func removeCondition(s *appsv1.DeploymentStatus, t appsv1.DeploymentConditionType) {
	s.Conditions = withoutCondition(s.Conditions, t)
}

// withoutCondition returns a new slice (never aliasing the input, which may be cached).
func withoutCondition(conds []appsv1.DeploymentCondition, t appsv1.DeploymentConditionType) []appsv1.DeploymentCondition {
	var out []appsv1.DeploymentCondition
	for _, c := range conds {
		if c.Type != t {
			out = append(out, c)
		}
	}
	return out
}

// hasProgressDeadline: progressDeadlineSeconds is set and not MaxInt32 ("never").
func hasProgressDeadline(d *appsv1.Deployment) bool {
	return d.Spec.ProgressDeadlineSeconds != nil && *d.Spec.ProgressDeadlineSeconds != maxInt32
}

// calculateStatus sums the ReplicaSets' counts into the Deployment's status and sets the
// Available condition: True when at least replicas-maxUnavailable pods are available.
// Other conditions are carried over. allRSs may contain a nil (no new ReplicaSet yet).
func calculateStatus(allRSs []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet, d *appsv1.Deployment, now time.Time) appsv1.DeploymentStatus {
	available := availableReplicaSum(allRSs)
	unavailable := max(specReplicaSum(allRSs)-available, 0)
	status := appsv1.DeploymentStatus{
		ObservedGeneration:  d.Generation,
		Replicas:            statusReplicaSum(allRSs),
		UpdatedReplicas:     statusReplicaSum([]*appsv1.ReplicaSet{newRS}),
		ReadyReplicas:       readyReplicaSum(allRSs),
		AvailableReplicas:   available,
		UnavailableReplicas: unavailable,
		TerminatingReplicas: terminatingReplicaSum(allRSs),
		CollisionCount:      d.Status.CollisionCount,
		Conditions:          append([]appsv1.DeploymentCondition(nil), d.Status.Conditions...),
	}
	if available >= deploymentReplicas(d)-maxUnavailable(d) {
		setCondition(&status, newCondition(appsv1.DeploymentAvailable, corev1.ConditionTrue,
			appsv1.MinimumReplicasAvailable, "Deployment has minimum availability.", now))
	} else {
		setCondition(&status, newCondition(appsv1.DeploymentAvailable, corev1.ConditionFalse,
			appsv1.MinimumReplicasUnavailable, "Deployment does not have minimum availability.", now))
	}
	return status
}

// deploymentComplete: every desired pod is updated and available, no old pod is left, and
// the controller has seen the latest spec.
func deploymentComplete(d *appsv1.Deployment, s *appsv1.DeploymentStatus) bool {
	r := deploymentReplicas(d)
	return s.UpdatedReplicas == r && s.Replicas == r && s.AvailableReplicas == r &&
		s.ObservedGeneration >= d.Generation
}

// deploymentProgressing: compared with the status the Deployment has now, the new one shows
// progress (more updated, ready or available pods, or fewer old ones).
func deploymentProgressing(d *appsv1.Deployment, s *appsv1.DeploymentStatus) bool {
	old := d.Status
	return s.UpdatedReplicas > old.UpdatedReplicas ||
		s.Replicas-s.UpdatedReplicas < old.Replicas-old.UpdatedReplicas ||
		s.ReadyReplicas > old.ReadyReplicas ||
		s.AvailableReplicas > old.AvailableReplicas
}

// deploymentTimedOut: the Progressing condition was last updated more than
// progressDeadlineSeconds ago (or already says so). A completed rollout never times out.
func deploymentTimedOut(d *appsv1.Deployment, s *appsv1.DeploymentStatus, now time.Time) bool {
	if !hasProgressDeadline(d) {
		return false
	}
	c := getCondition(*s, appsv1.DeploymentProgressing)
	if c == nil {
		return false
	}
	switch c.Reason {
	case appsv1.NewRSAvailableReason:
		return false
	case appsv1.TimedOutReason:
		return true
	}
	deadline := c.LastUpdateTime.Add(time.Duration(*d.Spec.ProgressDeadlineSeconds) * time.Second)
	return deadline.Before(now)
}

// rolloutStatus is the status a rolling or recreating sync writes: calculateStatus plus the
// Progressing condition (complete, progressing or timed out) and the ReplicaFailure
// condition of the ReplicaSets.
func rolloutStatus(allRSs []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet, d *appsv1.Deployment, now time.Time) appsv1.DeploymentStatus {
	status := calculateStatus(allRSs, newRS, d, now)
	if !hasProgressDeadline(d) {
		removeCondition(&status, appsv1.DeploymentProgressing)
	}
	current := getCondition(d.Status, appsv1.DeploymentProgressing)
	// Already complete with no old pods left: a resync, nothing to estimate.
	complete := status.Replicas == status.UpdatedReplicas && current != nil && current.Reason == appsv1.NewRSAvailableReason
	if hasProgressDeadline(d) && !complete {
		subject := fmt.Sprintf("Deployment %q", d.Name)
		if newRS != nil {
			subject = fmt.Sprintf("ReplicaSet %q", newRS.Name)
		}
		switch {
		case deploymentComplete(d, &status):
			setCondition(&status, newCondition(appsv1.DeploymentProgressing, corev1.ConditionTrue,
				appsv1.NewRSAvailableReason, subject+" has successfully progressed.", now))
		case deploymentProgressing(d, &status):
			// Unlike setCondition, refresh lastUpdateTime even when the reason is the same:
			// that time is what the deadline counts from.
			c := newCondition(appsv1.DeploymentProgressing, corev1.ConditionTrue,
				appsv1.ReplicaSetUpdatedReason, subject+" is progressing.", now)
			if current != nil {
				if current.Status == corev1.ConditionTrue {
					c.LastTransitionTime = current.LastTransitionTime
				}
				removeCondition(&status, appsv1.DeploymentProgressing)
			}
			setCondition(&status, c)
		case deploymentTimedOut(d, &status, now):
			setCondition(&status, newCondition(appsv1.DeploymentProgressing, corev1.ConditionFalse,
				appsv1.TimedOutReason, subject+" has timed out progressing.", now))
		}
	}
	if failure := replicaFailure(allRSs, newRS); failure != nil {
		setCondition(&status, *failure)
	} else {
		removeCondition(&status, appsv1.DeploymentReplicaFailure)
	}
	return status
}

// replicaFailure returns the ReplicaFailure condition to show on the Deployment: the new
// ReplicaSet's if it has one, else the first old one's; nil when none fails.
func replicaFailure(allRSs []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet) *appsv1.DeploymentCondition {
	for _, rs := range append([]*appsv1.ReplicaSet{newRS}, allRSs...) {
		if rs == nil {
			continue
		}
		for _, c := range rs.Status.Conditions {
			if c.Type == appsv1.ReplicaSetReplicaFailure {
				return &appsv1.DeploymentCondition{
					Type: appsv1.DeploymentReplicaFailure, Status: c.Status, Reason: c.Reason, Message: c.Message,
					LastUpdateTime: c.LastTransitionTime, LastTransitionTime: c.LastTransitionTime,
				}
			}
		}
	}
	return nil
}

// progressCheckAfter says when to look at a rollout again to notice its deadline passing
// (no event will announce it): -1 when there is no deadline to watch (none set, no
// Progressing condition, complete, or already timed out), 0 for "now", else the time left
// plus a second of margin against clock skew in the delayed queue.
func progressCheckAfter(d *appsv1.Deployment, newStatus *appsv1.DeploymentStatus, now time.Time) time.Duration {
	current := getCondition(d.Status, appsv1.DeploymentProgressing)
	if !hasProgressDeadline(d) || current == nil {
		return -1
	}
	if deploymentComplete(d, newStatus) || current.Reason == appsv1.TimedOutReason {
		return -1
	}
	after := current.LastUpdateTime.Add(time.Duration(*d.Spec.ProgressDeadlineSeconds) * time.Second).Sub(now)
	if after < time.Second {
		return 0
	}
	return after + time.Second
}

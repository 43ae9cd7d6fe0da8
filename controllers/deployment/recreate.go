package deployment

import (
	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

// This file holds the decision of the Recreate strategy: old and new pods never run at
// the same time. The sync scales every old ReplicaSet to 0, then waits until no old pod
// is left running (not merely scaled down: pods take their grace period to stop), and only
// then creates and scales up the new ReplicaSet. The steps themselves are in sync.go.

// oldPodsRunning reports whether anything of the old ReplicaSets may still run: an old
// ReplicaSet still reports pods, or a pod controlled by an old ReplicaSet is not finished
// (Succeeded and Failed pods are; Unknown is counted as running, since it may well be).
// podsByOwner maps ReplicaSet uids to the pods they control.
func oldPodsRunning(newRS *appsv1.ReplicaSet, oldRSs []*appsv1.ReplicaSet, podsByOwner map[string][]*corev1.Pod) bool {
	if statusReplicaSum(oldRSs) > 0 {
		return true
	}
	for uid, pods := range podsByOwner {
		if newRS != nil && newRS.UID == uid {
			continue
		}
		for _, p := range pods {
			if p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed {
				return true
			}
		}
	}
	return false
}

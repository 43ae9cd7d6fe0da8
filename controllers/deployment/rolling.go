package deployment

import (
	"fmt"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	"github.com/skiff-k8s/skiff/api/intstr"
)

// This file holds the decisions of a RollingUpdate: how far the new ReplicaSet may grow
// and how far the old ones may shrink at this moment, so that the Deployment never has
// more than replicas+maxSurge pods nor fewer than replicas-maxUnavailable available ones.
// A rollout is a sequence of syncs, each taking the step these functions allow, then
// waiting for pods to become available before the next.

// resolveFenceposts turns maxSurge and maxUnavailable (absolute, or a percentage of
// desired) into pod counts: a surge percentage rounds up, an unavailability percentage
// rounds down (both towards keeping capacity). If both come out 0 (e.g. 10% of 5 pods
// unavailable and no surge), maxUnavailable becomes 1, or the rollout could never move.
func resolveFenceposts(maxSurge, maxUnavailable *intstr.IntOrString, desired int32) (surge, unavailable int32, err error) {
	zero := intstr.FromInt32(0)
	s, err := intstr.GetScaledValueFromIntOrPercent(intstr.ValueOrDefault(maxSurge, zero), int(desired), true)
	if err != nil {
		return 0, 0, err
	}
	u, err := intstr.GetScaledValueFromIntOrPercent(intstr.ValueOrDefault(maxUnavailable, zero), int(desired), false)
	if err != nil {
		return 0, 0, err
	}
	if s == 0 && u == 0 {
		u = 1
	}
	return int32(s), int32(u), nil
}

func isRollingUpdate(d *appsv1.Deployment) bool {
	return d.Spec.Strategy.Type == appsv1.RollingUpdateDeploymentStrategyType
}

// rollingParams returns the RollingUpdate bounds, or nils when the strategy has none.
func rollingParams(d *appsv1.Deployment) (maxSurge, maxUnavailable *intstr.IntOrString) {
	if ru := d.Spec.Strategy.RollingUpdate; ru != nil {
		return ru.MaxSurge, ru.MaxUnavailable
	}
	return nil, nil
}

// maxSurge is how many pods above spec.replicas a rolling Deployment may run (0 for
// Recreate). Invalid values were refused by validation and count as 0.
func maxSurge(d *appsv1.Deployment) int32 {
	if !isRollingUpdate(d) {
		return 0
	}
	s, u := rollingParams(d)
	surge, _, _ := resolveFenceposts(s, u, deploymentReplicas(d))
	return surge
}

// maxUnavailable is how many of spec.replicas may be unavailable during a rolling update,
// never more than spec.replicas (0 for Recreate, or for 0 replicas).
func maxUnavailable(d *appsv1.Deployment) int32 {
	replicas := deploymentReplicas(d)
	if !isRollingUpdate(d) || replicas == 0 {
		return 0
	}
	s, u := rollingParams(d)
	_, unavailable, _ := resolveFenceposts(s, u, replicas)
	return min(unavailable, replicas)
}

// newReplicaSetReplicas is the size the new ReplicaSet may have now: for a RollingUpdate,
// grow towards spec.replicas as far as the surge allows (all pods of all ReplicaSets at most
// replicas+maxSurge); for Recreate, spec.replicas at once (old pods are gone by then).
func newReplicaSetReplicas(d *appsv1.Deployment, allRSs []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet) (int32, error) {
	switch d.Spec.Strategy.Type {
	case appsv1.RollingUpdateDeploymentStrategyType:
		s, _ := rollingParams(d)
		surge, err := intstr.GetScaledValueFromIntOrPercent(s, int(deploymentReplicas(d)), true)
		if err != nil {
			return 0, err
		}
		current := specReplicaSum(allRSs)
		maxTotal := deploymentReplicas(d) + int32(surge)
		if current >= maxTotal {
			return replicasOf(newRS), nil
		}
		grow := min(maxTotal-current, deploymentReplicas(d)-replicasOf(newRS))
		return replicasOf(newRS) + grow, nil
	case appsv1.RecreateDeploymentStrategyType:
		return deploymentReplicas(d), nil
	}
	return 0, fmt.Errorf("deployment type %v isn't supported", d.Spec.Strategy.Type)
}

// replicaSetsSettled reports whether no ReplicaSet runs more pods than its spec asks, that
// is, none has deletions it was told to make but has not made (or not yet reported).
// Until then its counts are stale in the unsafe direction: its doomed pods still run
// (a new pod now would exceed maxSurge) and still count as available (removing another
// old pod now would break maxUnavailable). Counts that lag low, as a growing
// ReplicaSet's do, only make a step more careful, so they need no wait.
func replicaSetsSettled(rss []*appsv1.ReplicaSet) bool {
	for _, rs := range rss {
		if rs.Status.Replicas > replicasOf(rs) {
			return false
		}
	}
	return true
}

// newReplicaSetTarget is the first step of a rolling sync: the new ReplicaSet's size now
// (shrunk to spec.replicas if it is above, grown as the surge allows if below).
func newReplicaSetTarget(d *appsv1.Deployment, allRSs []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet) (int32, error) {
	if replicasOf(newRS) >= deploymentReplicas(d) {
		return deploymentReplicas(d), nil
	}
	return newReplicaSetReplicas(d, allRSs, newRS)
}

// maxOldScaleDown is how many old pods the second step may remove: everything above
// replicas-maxUnavailable, minus the new ReplicaSet's pods that are not available yet
// (they may never become so; counting them would let a broken template take the whole
// Deployment down).
func maxOldScaleDown(d *appsv1.Deployment, allRSs []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet) int32 {
	minAvailable := deploymentReplicas(d) - maxUnavailable(d)
	newUnavailable := replicasOf(newRS) - newRS.Status.AvailableReplicas
	return specReplicaSum(allRSs) - minAvailable - newUnavailable
}

// scaleStep is one ReplicaSet resize a decision asks for.
type scaleStep struct {
	rs *appsv1.ReplicaSet
	to int32
}

// unhealthyCleanup plans the removal of old pods that are not available, oldest ReplicaSet
// first, at most maxCleanup in all: they serve nothing, and removing them costs no
// availability (the ReplicaSet controller deletes not-ready pods first).
func unhealthyCleanup(oldRSs []*appsv1.ReplicaSet, maxCleanup int32) []scaleStep {
	sorted := sortedCopy(oldRSs)
	var steps []scaleStep
	var total int32
	for _, rs := range sorted {
		if total >= maxCleanup {
			break
		}
		replicas := replicasOf(rs)
		if replicas == 0 || replicas == rs.Status.AvailableReplicas {
			continue
		}
		n := min(maxCleanup-total, replicas-rs.Status.AvailableReplicas)
		if n <= 0 {
			// More available than desired (status lags a scale-down): nothing unhealthy.
			continue
		}
		steps = append(steps, scaleStep{rs, replicas - n})
		total += n
	}
	return steps
}

// oldScaleDown plans shrinking old ReplicaSets, oldest first, by as many pods as are
// available above replicas-maxUnavailable across all ReplicaSets.
func oldScaleDown(d *appsv1.Deployment, allRSs, oldRSs []*appsv1.ReplicaSet) []scaleStep {
	minAvailable := deploymentReplicas(d) - maxUnavailable(d)
	available := availableReplicaSum(allRSs)
	if available <= minAvailable {
		return nil
	}
	budget := available - minAvailable
	var steps []scaleStep
	var total int32
	for _, rs := range sortedCopy(oldRSs) {
		if total >= budget {
			break
		}
		replicas := replicasOf(rs)
		if replicas == 0 {
			continue
		}
		n := min(replicas, budget-total)
		steps = append(steps, scaleStep{rs, replicas - n})
		total += n
	}
	return steps
}

func sortedCopy(rss []*appsv1.ReplicaSet) []*appsv1.ReplicaSet {
	out := append([]*appsv1.ReplicaSet(nil), rss...)
	sortByCreation(out)
	return out
}

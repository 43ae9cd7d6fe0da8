package nodelifecycle

import (
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

// tolerates reports whether toleration tol matches taint: same effect (or any, when the
// toleration names none), same key (or any, for an empty key with Exists), and with the
// Equal operator (the default) the same value.
func tolerates(tol corev1.Toleration, taint corev1.Taint) bool {
	if tol.Effect != "" && tol.Effect != taint.Effect {
		return false
	}
	if tol.Key != "" && tol.Key != taint.Key {
		return false
	}
	switch tol.Operator {
	case "", corev1.TolerationOpEqual:
		return tol.Value == taint.Value
	case corev1.TolerationOpExists:
		return true
	}
	return false
}

// matchingTolerations returns, for each taint, the first toleration that tolerates it;
// allTolerated is false (and used nil) as soon as one taint is tolerated by none.
func matchingTolerations(taints []corev1.Taint, tolerations []corev1.Toleration) (allTolerated bool, used []corev1.Toleration) {
	for _, taint := range taints {
		found := false
		for _, tol := range tolerations {
			if tolerates(tol, taint) {
				used = append(used, tol)
				found = true
				break
			}
		}
		if !found {
			return false, nil
		}
	}
	return true, used
}

// minTolerationTime is how long the tolerations allow a pod to stay: the smallest
// tolerationSeconds among them (zero or negative means leave at once), or -1 when none
// sets a limit (stay forever). No toleration at all is 0.
func minTolerationTime(tolerations []corev1.Toleration) time.Duration {
	if len(tolerations) == 0 {
		return 0
	}
	minimum := time.Duration(-1)
	for _, t := range tolerations {
		if t.TolerationSeconds == nil {
			continue
		}
		if *t.TolerationSeconds <= 0 {
			return 0
		}
		d := time.Duration(*t.TolerationSeconds) * time.Second
		if minimum < 0 || d < minimum {
			minimum = d
		}
	}
	return minimum
}

// evictionAction is what the taint eviction controller does about one pod.
type evictionAction int

const (
	// keepPod: nothing to do (no NoExecute taint, or tolerated forever); any scheduled
	// eviction is cancelled.
	keepPod evictionAction = iota
	// evictNow: delete the pod now.
	evictNow
	// evictLater: delete the pod at the decision's time, unless things change.
	evictLater
)

// evictionDecision is the verdict on one pod.
type evictionDecision struct {
	action evictionAction
	// at is when the pod must go (evictLater); start is when its countdown started, to be
	// remembered for the next decision.
	at, start time.Time
}

// decideEviction judges a pod on a node with the given NoExecute taints. started is when
// this pod's countdown began, if one is running: a countdown keeps its start while the
// node stays tainted, so that taints changing (not-ready becoming unreachable) do not
// give the pod more time.
func decideEviction(tolerations []corev1.Toleration, noExecute []corev1.Taint, started *time.Time, now time.Time) evictionDecision {
	if len(noExecute) == 0 {
		return evictionDecision{action: keepPod}
	}
	allTolerated, used := matchingTolerations(noExecute, tolerations)
	if !allTolerated {
		return evictionDecision{action: evictNow, at: now, start: now}
	}
	wait := minTolerationTime(used)
	if wait < 0 {
		return evictionDecision{action: keepPod}
	}
	start := now
	if started != nil {
		start = *started
	}
	at := start.Add(wait)
	if !at.After(now) {
		return evictionDecision{action: evictNow, at: at, start: start}
	}
	return evictionDecision{action: evictLater, at: at, start: start}
}

// noExecuteTaints keeps the NoExecute taints.
func noExecuteTaints(taints []corev1.Taint) []corev1.Taint {
	var out []corev1.Taint
	for _, t := range taints {
		if t.Effect == corev1.TaintEffectNoExecute {
			out = append(out, t)
		}
	}
	return out
}

package scheduler

import (
	"fmt"
	"sort"
	"strings"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

// FitError says why a pod fits no node. Its message is what users read in the
// PodScheduled condition and the FailedScheduling event, so it follows upstream's format
// word for word, e.g.:
//
//	0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint(s).
//	no new claims to deallocate, preemption: 0/3 nodes are available:
//	1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.
//
// (one line in reality). The first sentence counts each node under the reasons of the
// filter that rejected it; the rest is what upstream's post-filter plugins add after trying
// to make room: dynamic resource allocation has no claims to free, and preemption reports,
// node by node, whether evicting pods could help.
type FitError struct {
	Pod         *corev1.Pod
	NumAllNodes int
	// NodeStatuses holds, per rejected node, the Status of the filter that rejected it.
	NodeStatuses map[string]*Status
	// PreFilterMsg replaces the per-node counts when the pod was rejected before any node
	// was examined (conflicting node affinity terms).
	PreFilterMsg string
}

// Messages of the post-filter plugins, as upstream prints them.
const (
	// DynamicResources (on by default since 1.34) speaks first even for pods without claims.
	msgNoClaimsToDeallocate  = "no new claims to deallocate"
	msgPreemptionNotHelpful  = "Preemption is not helpful for scheduling"
	msgNoPreemptionVictims   = "No preemption victims found for incoming pod"
	msgPreemptionPolicyNever = "not eligible due to preemptionPolicy=Never."
)

// Error renders the message.
func (e *FitError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "0/%d nodes are available:", e.NumAllNodes)
	if e.PreFilterMsg != "" {
		fmt.Fprintf(&b, " %s.", e.PreFilterMsg)
	} else {
		counts := map[string]int{}
		for _, st := range e.NodeStatuses {
			for _, r := range st.Reasons {
				counts[r]++
			}
		}
		if h := histogram(counts); h != "" {
			fmt.Fprintf(&b, " %s.", h)
		}
	}
	fmt.Fprintf(&b, " %s, preemption: %s", msgNoClaimsToDeallocate, e.preemptionMessage())
	return b.String()
}

// preemptionMessage is what upstream's DefaultPreemption reports after its dry run. Skiff
// does not preempt (see doc.go); on a node where evicting lower-priority pods might have
// helped, upstream would try, and Skiff reports that no victims were found.
func (e *FitError) preemptionMessage() string {
	if e.Pod.Spec.PreemptionPolicy != nil && *e.Pod.Spec.PreemptionPolicy == corev1.PreemptNever {
		return msgPreemptionPolicyNever
	}
	counts := map[string]int{}
	for _, st := range e.NodeStatuses {
		if st.Code == Unschedulable {
			counts[msgNoPreemptionVictims]++
		} else {
			counts[msgPreemptionNotHelpful]++
		}
	}
	// Nodes never examined (pinned elsewhere, or rejected before filtering) cannot help.
	if missing := e.NumAllNodes - len(e.NodeStatuses); missing > 0 {
		counts[msgPreemptionNotHelpful] += missing
	}
	return fmt.Sprintf("0/%d nodes are available: %s.", e.NumAllNodes, histogram(counts))
}

// histogram renders reason counts as upstream does: "N reason" items, sorted as strings
// (so "1 Insufficient cpu" comes before "2 node(s) ..."), joined by ", ".
func histogram(counts map[string]int) string {
	items := make([]string, 0, len(counts))
	for reason, n := range counts {
		items = append(items, fmt.Sprintf("%d %s", n, reason))
	}
	sort.Strings(items)
	return strings.Join(items, ", ")
}

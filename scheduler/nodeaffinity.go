package scheduler

import (
	"slices"
	"strconv"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

// Filter reasons of the node-selection plugins, worded as upstream's.
const (
	reasonNodeName         = "node(s) didn't match the requested node name"
	reasonNodeAffinity     = "node(s) didn't match Pod's node affinity/selector"
	reasonAffinityConflict = "pod affinity terms conflict"
)

// nodeNameField is the only field node affinity's matchFields may test.
const nodeNameField = "metadata.name"

// podAffinity is a pod's node placement wishes, parsed once per attempt.
type podAffinity struct {
	// nodeSelector must match the node's labels exactly (spec.nodeSelector).
	nodeSelector map[string]string
	// required holds the terms of requiredDuringSchedulingIgnoredDuringExecution; a node
	// must match at least one. hasRequired tells "no terms given" from "no valid terms".
	required    []corev1.NodeSelectorTerm
	hasRequired bool
	// preferred are the weighted terms of preferredDuringSchedulingIgnoredDuringExecution.
	preferred []corev1.PreferredSchedulingTerm
}

func newPodAffinity(pod *corev1.Pod) podAffinity {
	a := podAffinity{nodeSelector: pod.Spec.NodeSelector}
	if pod.Spec.Affinity == nil || pod.Spec.Affinity.NodeAffinity == nil {
		return a
	}
	na := pod.Spec.Affinity.NodeAffinity
	if na.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		a.hasRequired = true
		a.required = na.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
	}
	a.preferred = na.PreferredDuringSchedulingIgnoredDuringExecution
	return a
}

// requiredNodeNames returns the only nodes a pod may land on when every required term pins
// node names with matchFields (how DaemonSet pods target their node), or nil when any node
// may do. conflict is set when the pinned names cannot all hold at once.
func (a *podAffinity) requiredNodeNames() (names map[string]bool, conflict bool) {
	if !a.hasRequired || len(a.required) == 0 {
		return nil, false
	}
	for _, term := range a.required {
		var termNames map[string]bool
		for _, f := range term.MatchFields {
			if f.Key != nodeNameField || f.Operator != corev1.NodeSelectorOpIn {
				continue
			}
			// Requirements of one term are ANDed: intersect.
			set := map[string]bool{}
			for _, v := range f.Values {
				if termNames == nil || termNames[v] {
					set[v] = true
				}
			}
			termNames = set
		}
		if termNames == nil {
			// This term accepts nodes by other means; terms are ORed, so any node may do.
			return nil, false
		}
		if names == nil {
			names = map[string]bool{}
		}
		for n := range termNames {
			names[n] = true
		}
	}
	return names, len(names) == 0
}

// filterNodeName rejects every node but the one a pod names in spec.nodeName. The scheduler
// only picks up pods without one, so this matters only to callers of the pipeline itself.
func filterNodeName(c *Cycle, n *NodeInfo) *Status {
	if c.Pod.Spec.NodeName == "" || c.Pod.Spec.NodeName == n.Name() {
		return nil
	}
	return reject(UnschedulableAndUnresolvable, reasonNodeName)
}

// filterNodeAffinity rejects nodes that miss the pod's nodeSelector or all of its required
// node affinity terms.
func filterNodeAffinity(c *Cycle, n *NodeInfo) *Status {
	labels := n.Node.Labels
	for k, v := range c.affinity.nodeSelector {
		if got, ok := labels[k]; !ok || got != v {
			return reject(UnschedulableAndUnresolvable, reasonNodeAffinity)
		}
	}
	if c.affinity.hasRequired && !slices.ContainsFunc(c.affinity.required, func(t corev1.NodeSelectorTerm) bool {
		return termMatches(&t, n.Node)
	}) {
		return reject(UnschedulableAndUnresolvable, reasonNodeAffinity)
	}
	return nil
}

// scoreNodeAffinity sums, per node, the weights of the preferred terms it matches, then
// scales so the best node scores 100.
func scoreNodeAffinity(c *Cycle, nodes []*NodeInfo) []int64 {
	if len(c.affinity.preferred) == 0 {
		return nil
	}
	scores := make([]int64, len(nodes))
	for i, n := range nodes {
		for j := range c.affinity.preferred {
			term := &c.affinity.preferred[j]
			if term.Weight != 0 && termMatches(&term.Preference, n.Node) {
				scores[i] += int64(term.Weight)
			}
		}
	}
	normalizeScores(scores, false)
	return scores
}

// termMatches reports whether a node satisfies every requirement of a node selector term.
// A term without requirements, or with an invalid one, matches no node (as upstream, which
// ignores terms it cannot parse).
func termMatches(term *corev1.NodeSelectorTerm, node *corev1.Node) bool {
	if len(term.MatchExpressions) == 0 && len(term.MatchFields) == 0 {
		return false
	}
	for i := range term.MatchExpressions {
		r := &term.MatchExpressions[i]
		value, present := node.Labels[r.Key]
		if !requirementMatches(r, value, present) {
			return false
		}
	}
	for i := range term.MatchFields {
		r := &term.MatchFields[i]
		if r.Key != nodeNameField {
			return false
		}
		if r.Operator != corev1.NodeSelectorOpIn && r.Operator != corev1.NodeSelectorOpNotIn {
			return false
		}
		if !requirementMatches(r, node.Name, true) {
			return false
		}
	}
	return true
}

// requirementMatches evaluates one requirement against a label (or field) value.
func requirementMatches(r *corev1.NodeSelectorRequirement, value string, present bool) bool {
	switch r.Operator {
	case corev1.NodeSelectorOpIn:
		return len(r.Values) > 0 && present && slices.Contains(r.Values, value)
	case corev1.NodeSelectorOpNotIn:
		// NotIn also holds when the label is absent, as in label selectors.
		return len(r.Values) > 0 && (!present || !slices.Contains(r.Values, value))
	case corev1.NodeSelectorOpExists:
		return len(r.Values) == 0 && present
	case corev1.NodeSelectorOpDoesNotExist:
		return len(r.Values) == 0 && !present
	case corev1.NodeSelectorOpGt, corev1.NodeSelectorOpLt:
		// Both sides must be integers; the node's label is compared to the single value.
		if len(r.Values) != 1 || !present {
			return false
		}
		want, err := strconv.ParseInt(r.Values[0], 10, 64)
		if err != nil {
			return false
		}
		got, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return false
		}
		if r.Operator == corev1.NodeSelectorOpGt {
			return got > want
		}
		return got < want
	}
	return false
}

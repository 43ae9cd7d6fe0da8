package scheduler

import (
	"log/slog"
	"math"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/labels"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// Well-known node labels the default spreading uses as topology domains.
const (
	labelHostname = "kubernetes.io/hostname"
	labelZone     = "topology.kubernetes.io/zone"
)

// Filter reasons of PodTopologySpread, worded as upstream's.
const (
	reasonSpreadNotMatch     = "node(s) didn't match pod topology spread constraints"
	reasonSpreadMissingLabel = reasonSpreadNotMatch + " (missing required label)"
)

// spreadConstraint is one spreading rule: keep the number of matching pods per value of
// TopologyKey (per domain) within MaxSkew of each other.
type spreadConstraint struct {
	TopologyKey string
	MaxSkew     int64
	// MinDomains: with fewer domains than this, the emptiest domain counts as 0 (hard
	// constraints only), so pods cannot all pile into the few domains that exist.
	MinDomains int32
	// Selector picks the pods that count; nil means the pod's siblings (same controller),
	// which is how Skiff approximates the system default constraints.
	Selector labels.Selector
	// HonorAffinity: only nodes the pod's node affinity allows count (default Honor).
	// HonorTaints: only nodes whose taints the pod tolerates count (default Ignore).
	HonorAffinity, HonorTaints bool
}

// defaultSpreadConstraints are upstream's system defaults for pods that declare no
// topologySpreadConstraints: spread over nodes (skew 3) and zones (skew 5), both
// ScheduleAnyway, so they only ever score and never filter.
var defaultSpreadConstraints = []spreadConstraint{
	{TopologyKey: labelHostname, MaxSkew: 3, HonorAffinity: true},
	{TopologyKey: labelZone, MaxSkew: 5, HonorAffinity: true},
}

// spreading is a pod's spreading rules, prepared once per attempt.
type spreading struct {
	pod *corev1.Pod
	// hard are the DoNotSchedule constraints (a filter), soft the ScheduleAnyway ones (a
	// score): the pod's own, or the system defaults when it declares none.
	hard, soft []spreadConstraint
	// systemDefaulted: soft are the defaults, which do not require nodes to carry every
	// topology label.
	systemDefaulted bool
	// controllerUID identifies the siblings the defaults count.
	controllerUID string

	// hardCounts[i] maps each domain of hard[i] to its matching pods, over the nodes that
	// count; hardMin[i] is the smallest of them. Computed on first use (upstream's
	// PreFilter), since most pods have no hard constraints.
	hardCounts []map[string]int64
	hardMin    []int64
}

// newSpreading reads the pod's constraints. The system defaults apply to pods of a
// ReplicaSet, ReplicationController or StatefulSet that declare none.
//
// Upstream counts, for the defaults, the pods selected by the Services, ReplicaSets,
// ReplicationControllers and StatefulSets that select this pod. Skiff counts the pods of
// the same controller instead, which are the same pods for a ReplicaSet (and so a
// Deployment) or a StatefulSet, without watching those kinds; pods grouped only by a
// Service are not spread.
func newSpreading(pod *corev1.Pod) *spreading {
	s := &spreading{pod: pod}
	if len(pod.Spec.TopologySpreadConstraints) == 0 {
		ref := metav1.GetControllerOf(&pod.ObjectMeta)
		if ref == nil {
			return s
		}
		switch ref.Kind {
		case "ReplicaSet", "ReplicationController", "StatefulSet":
			s.soft, s.systemDefaulted, s.controllerUID = defaultSpreadConstraints, true, ref.UID
		}
		return s
	}
	for _, tsc := range pod.Spec.TopologySpreadConstraints {
		c := spreadConstraint{
			TopologyKey:   tsc.TopologyKey,
			MaxSkew:       int64(tsc.MaxSkew),
			Selector:      constraintSelector(pod, &tsc),
			HonorAffinity: tsc.NodeAffinityPolicy == nil || *tsc.NodeAffinityPolicy == corev1.NodeInclusionPolicyHonor,
			HonorTaints:   tsc.NodeTaintsPolicy != nil && *tsc.NodeTaintsPolicy == corev1.NodeInclusionPolicyHonor,
		}
		if tsc.WhenUnsatisfiable == corev1.DoNotSchedule {
			if tsc.MinDomains != nil {
				c.MinDomains = *tsc.MinDomains
			}
			s.hard = append(s.hard, c)
		} else {
			s.soft = append(s.soft, c)
		}
	}
	return s
}

// constraintSelector is the constraint's labelSelector, narrowed by matchLabelKeys to the
// pods sharing the incoming pod's values of those labels (e.g. pod-template-hash: only the
// same Deployment revision). An invalid selector selects nothing.
func constraintSelector(pod *corev1.Pod, tsc *corev1.TopologySpreadConstraint) labels.Selector {
	sel, err := labels.FromLabelSelector(tsc.LabelSelector)
	if err != nil {
		slog.Warn("ignoring invalid labelSelector of a topology spread constraint",
			"pod", pod.Namespace+"/"+pod.Name, "err", err)
		return labels.Nothing()
	}
	for _, key := range tsc.MatchLabelKeys {
		value, ok := pod.Labels[key]
		if !ok {
			continue
		}
		if r, err := labels.NewRequirement(key, labels.In, []string{value}); err == nil {
			sel = sel.Add(*r)
		}
	}
	return sel
}

// matchingOn counts the pods on a node that a constraint counts: same namespace, selected,
// not being deleted.
func (s *spreading) matchingOn(n *NodeInfo, c *spreadConstraint) int64 {
	if c.Selector == nil {
		// UIDs are unique cluster-wide, so siblings are in the pod's namespace too.
		return int64(n.controllerPods[s.controllerUID])
	}
	var count int64
	for _, p := range n.Pods {
		if p.Pod.Namespace == s.pod.Namespace && p.Pod.DeletionTimestamp == nil && c.Selector.Matches(p.Pod.Labels) {
			count++
		}
	}
	return count
}

// nodeCounts reports whether a node's pods count for a constraint: its inclusion policies.
func (s *spreading) nodeCounts(c *Cycle, n *NodeInfo, sc *spreadConstraint) bool {
	if sc.HonorAffinity && filterNodeAffinity(c, n) != nil {
		return false
	}
	if sc.HonorTaints && filterTaintToleration(c, n) != nil {
		return false
	}
	return true
}

// hasKeys reports whether a node carries the topology label of every constraint.
func hasKeys(n *NodeInfo, constraints []spreadConstraint) bool {
	for _, sc := range constraints {
		if _, ok := n.Node.Labels[sc.TopologyKey]; !ok {
			return false
		}
	}
	return true
}

// filterPodTopologySpread rejects nodes where placing the pod would make a DoNotSchedule
// constraint's skew (its domain's matching pods, plus itself, minus the emptiest domain's)
// exceed maxSkew.
func filterPodTopologySpread(c *Cycle, n *NodeInfo) *Status {
	s := c.spreading
	if len(s.hard) == 0 {
		return nil
	}
	if s.hardCounts == nil {
		s.countHard(c)
	}
	for i := range s.hard {
		sc := &s.hard[i]
		value, ok := n.Node.Labels[sc.TopologyKey]
		if !ok {
			return reject(UnschedulableAndUnresolvable, reasonSpreadMissingLabel)
		}
		var self int64
		if sc.Selector.Matches(s.pod.Labels) {
			self = 1
		}
		if s.hardCounts[i][value]+self-s.hardMin[i] > sc.MaxSkew {
			return reject(Unschedulable, reasonSpreadNotMatch)
		}
	}
	return nil
}

// countHard counts matching pods per domain of every hard constraint, over all nodes that
// count (not only feasible ones: the skew is a property of the whole cluster).
func (s *spreading) countHard(c *Cycle) {
	s.hardCounts = make([]map[string]int64, len(s.hard))
	s.hardMin = make([]int64, len(s.hard))
	for i := range s.hard {
		s.hardCounts[i] = map[string]int64{}
	}
	for _, n := range c.Snapshot.Nodes {
		if !hasKeys(n, s.hard) {
			continue
		}
		for i := range s.hard {
			sc := &s.hard[i]
			if s.nodeCounts(c, n, sc) {
				s.hardCounts[i][n.Node.Labels[sc.TopologyKey]] += s.matchingOn(n, sc)
			}
		}
	}
	for i, sc := range s.hard {
		lowest := int64(math.MaxInt32) // no domain at all: nothing to be skewed against
		for _, count := range s.hardCounts[i] {
			lowest = min(lowest, count)
		}
		if int32(len(s.hardCounts[i])) < sc.MinDomains {
			lowest = 0
		}
		s.hardMin[i] = lowest
	}
}

// scorePodTopologySpread prefers nodes, and domains, holding fewer matching pods, for the
// soft constraints (the pod's ScheduleAnyway ones, or the system defaults). As upstream's
// PodTopologySpread score:
//
//   - per constraint, raw score = matching pods in the node's domain * log(domains + 2),
//     plus maxSkew - 1 to soften small differences; the log weight keeps a key with few
//     domains (zones) from being drowned by one with many (nodes);
//   - domain counts cover every node that counts (node affinity honored), not just the
//     feasible ones;
//   - raw scores are then reversed so the fewest matching pods scores 100. With the pod's
//     own constraints, a node missing a topology label scores 0; the system defaults do
//     not require the labels.
func scorePodTopologySpread(c *Cycle, nodes []*NodeInfo) []int64 {
	s := c.spreading
	if len(s.soft) == 0 || len(c.Snapshot.Nodes) == 0 {
		return nil
	}
	requireAllKeys := !s.systemDefaulted
	ignored := make([]bool, len(nodes))

	// The domains of each constraint among the feasible nodes, then their counts.
	domainCounts := make([]map[string]int64, len(s.soft))
	weights := make([]float64, len(s.soft))
	scored := 0
	for j, n := range nodes {
		if ignored[j] = requireAllKeys && !hasKeys(n, s.soft); !ignored[j] {
			scored++
		}
	}
	for i, sc := range s.soft {
		domainCounts[i] = map[string]int64{}
		size := scored
		if sc.TopologyKey != labelHostname {
			// Without required labels, a node lacking this one joins the "" domain: it sizes
			// the weight but scores nothing for this key.
			for j, n := range nodes {
				if !ignored[j] {
					domainCounts[i][n.Node.Labels[sc.TopologyKey]] = 0
				}
			}
			size = len(domainCounts[i])
		}
		weights[i] = math.Log(float64(size + 2))
	}
	for _, n := range c.Snapshot.Nodes {
		if requireAllKeys && !hasKeys(n, s.soft) {
			continue
		}
		for i := range s.soft {
			sc := &s.soft[i]
			if sc.TopologyKey == labelHostname || !s.nodeCounts(c, n, sc) {
				continue // per-node counts are taken when scoring the node
			}
			value := n.Node.Labels[sc.TopologyKey]
			if _, ok := domainCounts[i][value]; ok {
				domainCounts[i][value] += s.matchingOn(n, sc)
			}
		}
	}

	scores := make([]int64, len(nodes))
	for j, n := range nodes {
		if ignored[j] {
			continue
		}
		var score float64
		for i := range s.soft {
			sc := &s.soft[i]
			value, ok := n.Node.Labels[sc.TopologyKey]
			if !ok {
				continue
			}
			count := domainCounts[i][value]
			if sc.TopologyKey == labelHostname {
				count = s.matchingOn(n, sc)
			}
			score += float64(count)*weights[i] + float64(sc.MaxSkew-1)
		}
		scores[j] = int64(math.Round(score))
	}

	// Reverse and scale: upstream's NormalizeScore for this plugin.
	lowest, highest := int64(math.MaxInt64), int64(0)
	for j, v := range scores {
		if !ignored[j] {
			lowest, highest = min(lowest, v), max(highest, v)
		}
	}
	for j, v := range scores {
		switch {
		case ignored[j]:
			scores[j] = 0
		case highest == 0:
			scores[j] = MaxNodeScore
		default:
			scores[j] = MaxNodeScore * (highest + lowest - v) / highest
		}
	}
	return scores
}

package scheduler

import (
	"log/slog"
	"math"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/labels"
)

// Filter reasons of InterPodAffinity, worded as upstream's.
const (
	reasonPodAffinity             = "node(s) didn't match pod affinity rules"
	reasonPodAntiAffinity         = "node(s) didn't match pod anti-affinity rules"
	reasonExistingPodAntiAffinity = "node(s) didn't satisfy existing pods anti-affinity rules"
)

// hardPodAffinityWeight is how much an existing pod's *required* affinity to the incoming
// pod counts in the score (upstream's default, 1): being wanted attracts a little.
const hardPodAffinityWeight = 1

// podAffinityTerm is a PodAffinityTerm ready to match pods: which namespaces, which labels,
// and the node label that defines "together" (a node, a zone ...).
type podAffinityTerm struct {
	namespaces  map[string]bool
	nsSelector  labels.Selector // nil: only the listed namespaces
	selector    labels.Selector
	topologyKey string
	weight      int64 // preferred terms only
}

// podAffinityTerms are a pod's four kinds of inter-pod terms, parsed once per pod.
type podAffinityTerms struct {
	requiredAffinity, requiredAntiAffinity   []podAffinityTerm
	preferredAffinity, preferredAntiAffinity []podAffinityTerm
}

// has reports whether the pod has any inter-pod term at all.
func (t *podAffinityTerms) has() bool {
	return t != nil && len(t.requiredAffinity)+len(t.requiredAntiAffinity)+
		len(t.preferredAffinity)+len(t.preferredAntiAffinity) > 0
}

// newPodAffinityTerms parses a pod's pod (anti-)affinity; nil when it has none.
func newPodAffinityTerms(pod *corev1.Pod) *podAffinityTerms {
	a := pod.Spec.Affinity
	if a == nil || (a.PodAffinity == nil && a.PodAntiAffinity == nil) {
		return nil
	}
	t := &podAffinityTerms{}
	if pa := a.PodAffinity; pa != nil {
		t.requiredAffinity = parseTerms(pod, pa.RequiredDuringSchedulingIgnoredDuringExecution)
		t.preferredAffinity = parseWeightedTerms(pod, pa.PreferredDuringSchedulingIgnoredDuringExecution)
	}
	if paa := a.PodAntiAffinity; paa != nil {
		t.requiredAntiAffinity = parseTerms(pod, paa.RequiredDuringSchedulingIgnoredDuringExecution)
		t.preferredAntiAffinity = parseWeightedTerms(pod, paa.PreferredDuringSchedulingIgnoredDuringExecution)
	}
	if !t.has() {
		return nil
	}
	return t
}

func parseTerms(pod *corev1.Pod, terms []corev1.PodAffinityTerm) []podAffinityTerm {
	var out []podAffinityTerm
	for i := range terms {
		out = append(out, parseTerm(pod, &terms[i]))
	}
	return out
}

func parseWeightedTerms(pod *corev1.Pod, terms []corev1.WeightedPodAffinityTerm) []podAffinityTerm {
	var out []podAffinityTerm
	for i := range terms {
		t := parseTerm(pod, &terms[i].PodAffinityTerm)
		t.weight = int64(terms[i].Weight)
		out = append(out, t)
	}
	return out
}

// parseTerm prepares one term of pod: no namespaces and no namespaceSelector mean the pod's
// own namespace; matchLabelKeys (mismatchLabelKeys) narrow the selector to pods sharing
// (not sharing) the pod's values of those labels. Invalid selectors select nothing.
func parseTerm(pod *corev1.Pod, term *corev1.PodAffinityTerm) podAffinityTerm {
	t := podAffinityTerm{namespaces: map[string]bool{}, topologyKey: term.TopologyKey}
	for _, ns := range term.Namespaces {
		t.namespaces[ns] = true
	}
	if len(term.Namespaces) == 0 && term.NamespaceSelector == nil {
		t.namespaces[pod.Namespace] = true
	}
	invalid := func(err error) labels.Selector {
		slog.Warn("ignoring invalid selector of a pod affinity term", "pod", pod.Namespace+"/"+pod.Name, "err", err)
		return labels.Nothing()
	}
	if term.NamespaceSelector != nil {
		sel, err := labels.FromLabelSelector(term.NamespaceSelector)
		if err != nil {
			sel = invalid(err)
		}
		t.nsSelector = sel
	}
	sel, err := labels.FromLabelSelector(term.LabelSelector)
	if err != nil {
		sel = invalid(err)
	}
	for _, keys := range []struct {
		keys []string
		op   labels.Operator
	}{{term.MatchLabelKeys, labels.In}, {term.MismatchLabelKeys, labels.NotIn}} {
		for _, key := range keys.keys {
			if value, ok := pod.Labels[key]; ok {
				if r, err := labels.NewRequirement(key, keys.op, []string{value}); err == nil {
					sel = sel.Add(*r)
				}
			}
		}
	}
	t.selector = sel
	return t
}

// matches reports whether the term selects pod: in one of its namespaces, with its labels.
func (t *podAffinityTerm) matches(pod *corev1.Pod, nsLabels func(string) map[string]string) bool {
	if !t.namespaces[pod.Namespace] && (t.nsSelector == nil || !t.nsSelector.Matches(nsLabels(pod.Namespace))) {
		return false
	}
	return t.selector.Matches(pod.Labels)
}

// topologyPair is one topology domain: a node label and its value.
type topologyPair struct{ key, value string }

// interPodState is what the filter needs, counted once per attempt over every pod in the
// cluster (upstream's InterPodAffinity PreFilter).
type interPodState struct {
	// existingAntiAffinity: domains where some pod's required anti-affinity rejects this pod.
	existingAntiAffinity map[topologyPair]int
	// affinity: per domain, pods matching all of this pod's required affinity terms.
	affinity map[topologyPair]int
	// antiAffinity: per domain, pods matching one of this pod's required anti-affinity terms.
	antiAffinity map[topologyPair]int
}

// countInterPod builds the filter state.
func countInterPod(c *Cycle) *interPodState {
	s := &interPodState{
		existingAntiAffinity: map[topologyPair]int{},
		affinity:             map[topologyPair]int{},
		antiAffinity:         map[topologyPair]int{},
	}
	own := c.PodInfo.AffinityTerms
	for _, n := range c.Snapshot.Nodes {
		node := n.Node
		// Existing pods' required anti-affinity against this pod.
		for _, existing := range n.PodsWithAffinity {
			for i := range existing.AffinityTerms.requiredAntiAffinity {
				term := &existing.AffinityTerms.requiredAntiAffinity[i]
				if value, ok := node.Labels[term.topologyKey]; ok && term.matches(c.Pod, c.nsLabels) {
					s.existingAntiAffinity[topologyPair{term.topologyKey, value}]++
				}
			}
		}
		if own == nil || len(own.requiredAffinity)+len(own.requiredAntiAffinity) == 0 {
			continue
		}
		// This pod's required terms against the existing pods.
		for _, existing := range n.Pods {
			if len(own.requiredAffinity) > 0 && matchesAll(own.requiredAffinity, existing.Pod, c.nsLabels) {
				for _, term := range own.requiredAffinity {
					if value, ok := node.Labels[term.topologyKey]; ok {
						s.affinity[topologyPair{term.topologyKey, value}]++
					}
				}
			}
			for i := range own.requiredAntiAffinity {
				term := &own.requiredAntiAffinity[i]
				if value, ok := node.Labels[term.topologyKey]; ok && term.matches(existing.Pod, c.nsLabels) {
					s.antiAffinity[topologyPair{term.topologyKey, value}]++
				}
			}
		}
	}
	return s
}

func matchesAll(terms []podAffinityTerm, pod *corev1.Pod, nsLabels func(string) map[string]string) bool {
	for i := range terms {
		if !terms[i].matches(pod, nsLabels) {
			return false
		}
	}
	return true
}

// filterInterPodAffinity enforces required pod affinity and anti-affinity, both the pod's
// own and, symmetrically, that of the pods already running: a pod that refuses company is
// not joined by the company it refuses.
func filterInterPodAffinity(c *Cycle, n *NodeInfo) *Status {
	if c.interPod == nil {
		c.interPod = countInterPod(c)
	}
	s, own := c.interPod, c.PodInfo.AffinityTerms
	if own != nil && len(own.requiredAffinity) > 0 {
		satisfied := true
		for _, term := range own.requiredAffinity {
			value, ok := n.Node.Labels[term.topologyKey]
			if !ok {
				return reject(UnschedulableAndUnresolvable, reasonPodAffinity)
			}
			if s.affinity[topologyPair{term.topologyKey, value}] <= 0 {
				satisfied = false
			}
		}
		// The first pod of a group with affinity to itself has nobody to join: it may go
		// anywhere, as long as no matching pod exists anywhere yet.
		if !satisfied && !(len(s.affinity) == 0 && matchesAll(own.requiredAffinity, c.Pod, c.nsLabels)) {
			return reject(UnschedulableAndUnresolvable, reasonPodAffinity)
		}
	}
	if own != nil {
		for _, term := range own.requiredAntiAffinity {
			if value, ok := n.Node.Labels[term.topologyKey]; ok && s.antiAffinity[topologyPair{term.topologyKey, value}] > 0 {
				return reject(Unschedulable, reasonPodAntiAffinity)
			}
		}
	}
	if len(s.existingAntiAffinity) > 0 {
		for key, value := range n.Node.Labels {
			if s.existingAntiAffinity[topologyPair{key, value}] > 0 {
				return reject(Unschedulable, reasonExistingPodAntiAffinity)
			}
		}
	}
	return nil
}

// scoreInterPodAffinity adds, per topology domain, the weights of the preferred terms
// satisfied by placing the pod there: the pod's own preferred affinity (+) and
// anti-affinity (-) towards running pods, and running pods' preferred affinity (+),
// anti-affinity (-) and required affinity (+1) towards this pod. Scores are then scaled
// from the lowest (0) to the highest (100).
func scoreInterPodAffinity(c *Cycle, nodes []*NodeInfo) []int64 {
	own := c.PodInfo.AffinityTerms
	ownPreferred := own != nil && len(own.preferredAffinity)+len(own.preferredAntiAffinity) > 0
	domains := map[topologyPair]int64{}
	add := func(node *corev1.Node, term *podAffinityTerm, weight int64) {
		if value, ok := node.Labels[term.topologyKey]; ok {
			domains[topologyPair{term.topologyKey, value}] += weight
		}
	}
	for _, n := range c.Snapshot.Nodes {
		candidates := n.PodsWithAffinity
		if ownPreferred {
			candidates = n.Pods // every pod may match this pod's preferences
		}
		for _, existing := range candidates {
			if ownPreferred {
				for i := range own.preferredAffinity {
					if t := &own.preferredAffinity[i]; t.matches(existing.Pod, c.nsLabels) {
						add(n.Node, t, t.weight)
					}
				}
				for i := range own.preferredAntiAffinity {
					if t := &own.preferredAntiAffinity[i]; t.matches(existing.Pod, c.nsLabels) {
						add(n.Node, t, -t.weight)
					}
				}
			}
			theirs := existing.AffinityTerms
			if theirs == nil {
				continue
			}
			for i := range theirs.requiredAffinity {
				if t := &theirs.requiredAffinity[i]; t.matches(c.Pod, c.nsLabels) {
					add(n.Node, t, hardPodAffinityWeight)
				}
			}
			for i := range theirs.preferredAffinity {
				if t := &theirs.preferredAffinity[i]; t.matches(c.Pod, c.nsLabels) {
					add(n.Node, t, t.weight)
				}
			}
			for i := range theirs.preferredAntiAffinity {
				if t := &theirs.preferredAntiAffinity[i]; t.matches(c.Pod, c.nsLabels) {
					add(n.Node, t, -t.weight)
				}
			}
		}
	}
	if len(domains) == 0 {
		return nil
	}

	scores := make([]int64, len(nodes))
	lowest, highest := int64(math.MaxInt64), int64(math.MinInt64)
	for j, n := range nodes {
		for pair, weight := range domains {
			if value, ok := n.Node.Labels[pair.key]; ok && value == pair.value {
				scores[j] += weight
			}
		}
		lowest, highest = min(lowest, scores[j]), max(highest, scores[j])
	}
	for j := range scores {
		if highest > lowest {
			scores[j] = int64(float64(MaxNodeScore) * float64(scores[j]-lowest) / float64(highest-lowest))
		} else {
			scores[j] = 0
		}
	}
	return scores
}

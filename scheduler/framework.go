package scheduler

import (
	"errors"
	"math/rand/v2"
	"sort"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

// Code is a filter's verdict on a node. Upstream distinguishes the two failure codes
// because they decide whether preemption (evicting lower-priority pods) could help.
type Code int

const (
	// Success: the node can run the pod.
	Success Code = iota
	// Unschedulable: the node could run the pod if some of its pods left (resources, ports).
	Unschedulable
	// UnschedulableAndUnresolvable: no eviction would help (taints, affinity, cordon).
	UnschedulableAndUnresolvable
)

// Status is why a filter rejected a node. Reasons are the phrases counted into the
// FailedScheduling message ("Insufficient cpu"); one filter may give several.
type Status struct {
	Code    Code
	Reasons []string
	// Plugin is the filter that decided, for logs and queueing.
	Plugin string
}

// reject builds a failure Status.
func reject(code Code, reasons ...string) *Status {
	return &Status{Code: code, Reasons: reasons}
}

// MaxNodeScore is the top of the scale every score is normalized to, as upstream.
const MaxNodeScore int64 = 100

// Filter is one feasibility check: it returns nil when the node can run the pod.
type Filter struct {
	Name  string
	Check func(c *Cycle, n *NodeInfo) *Status
}

// Scorer is one ranking: Score returns a score in 0..MaxNodeScore for each node (already
// normalized), or nil when it has no opinion about this pod (upstream's Skip). It sees all
// feasible nodes at once because normalizing needs the best and worst of them.
type Scorer struct {
	Name   string
	Weight int64
	Score  func(c *Cycle, nodes []*NodeInfo) []int64
}

// Pipeline is the ordered list of filters and scorers (see plugins.go) plus the little
// state upstream's generic scheduler keeps between attempts. It is not safe for concurrent
// use: one scheduling loop owns it.
type Pipeline struct {
	Filters []Filter
	Scorers []Scorer
	// NamespaceLabels returns a namespace's labels, for pod affinity terms that select
	// namespaces by label; nil means namespaces have no labels.
	NamespaceLabels func(namespace string) map[string]string
	// PercentageOfNodesToScore bounds how many feasible nodes are looked for in large
	// clusters; 0 means upstream's adaptive default (50% minus 1% per 125 nodes, >= 5%).
	PercentageOfNodesToScore int
	// rand breaks ties between equally scored nodes.
	rand *rand.Rand
	// nextStartNodeIndex rotates where the filter pass starts, so that when only part of a
	// large cluster is examined every node gets its turn.
	nextStartNodeIndex int
}

// Cycle is the state of one scheduling attempt for one pod (upstream's CycleState): the
// pod, what was derived from it once, and the snapshot it is placed against.
type Cycle struct {
	Pod      *corev1.Pod
	PodInfo  *PodInfo
	Snapshot *Snapshot
	// affinity is the pod's nodeSelector and required/preferred node affinity, parsed once.
	affinity podAffinity
	// spreading is the pod's topology spread constraints (its own or the defaults).
	spreading *spreading
	// interPod is the inter-pod affinity filter's counts, made on first use.
	interPod *interPodState
	// nsLabels looks up a namespace's labels (never nil).
	nsLabels func(namespace string) map[string]string
}

// newCycle prepares the per-pod state shared by the plugins (upstream's PreFilter).
func newCycle(pod *corev1.Pod, snapshot *Snapshot, nsLabels func(string) map[string]string) *Cycle {
	if nsLabels == nil {
		nsLabels = func(string) map[string]string { return nil }
	}
	return &Cycle{
		Pod:       pod,
		PodInfo:   NewPodInfo(pod),
		Snapshot:  snapshot,
		affinity:  newPodAffinity(pod),
		spreading: newSpreading(pod),
		nsLabels:  nsLabels,
	}
}

// Decision is where the pipeline placed a pod.
type Decision struct {
	Node string
	// EvaluatedNodes counts the nodes filtered, FeasibleNodes those that passed.
	EvaluatedNodes int
	FeasibleNodes  int
}

// ErrNoNodesAvailable is returned when the cluster has no nodes at all; upstream reports it
// in exactly these words.
var ErrNoNodesAvailable = errors.New("no nodes available to schedule pods")

// Schedule runs the pipeline for one pod against a snapshot: filter, score, pick. It
// returns a *FitError when no node fits and ErrNoNodesAvailable when there are no nodes.
func (p *Pipeline) Schedule(pod *corev1.Pod, snapshot *Snapshot) (Decision, error) {
	if len(snapshot.Nodes) == 0 {
		return Decision{}, ErrNoNodesAvailable
	}
	c := newCycle(pod, snapshot, p.NamespaceLabels)
	if _, conflict := c.affinity.requiredNodeNames(); conflict {
		return Decision{}, &FitError{Pod: pod, NumAllNodes: len(snapshot.Nodes), PreFilterMsg: reasonAffinityConflict}
	}
	feasible, statuses := p.findFeasibleNodes(c)
	if len(feasible) == 0 {
		return Decision{}, &FitError{Pod: pod, NumAllNodes: len(snapshot.Nodes), NodeStatuses: statuses}
	}
	d := Decision{EvaluatedNodes: len(feasible) + len(statuses), FeasibleNodes: len(feasible)}
	if len(feasible) == 1 {
		// Nothing to rank: upstream skips scoring too.
		d.Node = feasible[0].Name()
		return d, nil
	}
	d.Node = p.selectHost(feasible, p.scoreNodes(c, feasible))
	return d, nil
}

// findFeasibleNodes runs the filters over the nodes, starting where the previous attempt
// stopped, until enough feasible nodes are found. It returns the feasible nodes and, for
// every rejected node, the Status of the first filter that rejected it.
func (p *Pipeline) findFeasibleNodes(c *Cycle) ([]*NodeInfo, map[string]*Status) {
	nodes := c.Snapshot.Nodes
	want := p.numFeasibleNodesToFind(len(nodes))
	statuses := map[string]*Status{}
	var feasible []*NodeInfo

	// Upstream's NodeAffinity PreFilter: matchFields on metadata.name (DaemonSet pods) names
	// the only candidates, and the other nodes are not even filtered.
	allowed, _ := c.affinity.requiredNodeNames()

	processed := 0
	for i := 0; i < len(nodes) && len(feasible) < want; i++ {
		n := nodes[(p.nextStartNodeIndex+i)%len(nodes)]
		processed++
		if allowed != nil && !allowed[n.Name()] {
			statuses[n.Name()] = &Status{Code: UnschedulableAndUnresolvable,
				Reasons: []string{"node(s) didn't satisfy plugin(s) [" + NodeAffinity + "]"}, Plugin: NodeAffinity}
			continue
		}
		if st := p.runFilters(c, n); st != nil {
			statuses[n.Name()] = st
			continue
		}
		feasible = append(feasible, n)
	}
	p.nextStartNodeIndex = (p.nextStartNodeIndex + processed) % len(nodes)
	return feasible, statuses
}

// runFilters applies the filters in order; the first rejection decides, as upstream.
func (p *Pipeline) runFilters(c *Cycle, n *NodeInfo) *Status {
	for _, f := range p.Filters {
		if st := f.Check(c, n); st != nil && st.Code != Success {
			st.Plugin = f.Name
			return st
		}
	}
	return nil
}

// Upstream's bounds for partial filtering in big clusters.
const (
	minFeasibleNodesToFind           = 100
	minFeasibleNodesPercentageToFind = 5
)

// numFeasibleNodesToFind is how many feasible nodes are enough to stop filtering: all of
// them in clusters under 100 nodes, an adaptive share beyond, as upstream.
func (p *Pipeline) numFeasibleNodesToFind(numAllNodes int) int {
	if numAllNodes < minFeasibleNodesToFind || p.PercentageOfNodesToScore >= 100 {
		return numAllNodes
	}
	percentage := p.PercentageOfNodesToScore
	if percentage <= 0 {
		percentage = max(50-numAllNodes/125, minFeasibleNodesPercentageToFind)
	}
	return max(numAllNodes*percentage/100, minFeasibleNodesToFind)
}

// scoreNodes runs every scorer and returns each node's weighted total.
func (p *Pipeline) scoreNodes(c *Cycle, nodes []*NodeInfo) []int64 {
	totals := make([]int64, len(nodes))
	for _, s := range p.Scorers {
		scores := s.Score(c, nodes)
		if scores == nil {
			continue
		}
		for i, v := range scores {
			totals[i] += v * s.Weight
		}
	}
	return totals
}

// selectHost picks the node with the highest total. Among equal totals each node is
// equally likely (reservoir sampling), so identical empty nodes share new pods.
func (p *Pipeline) selectHost(nodes []*NodeInfo, totals []int64) string {
	best, seen := 0, 1
	for i := 1; i < len(nodes); i++ {
		switch {
		case totals[i] > totals[best]:
			best, seen = i, 1
		case totals[i] == totals[best]:
			seen++
			if p.rand.IntN(seen) == 0 {
				best = i
			}
		}
	}
	return nodes[best].Name()
}

// sortNodeInfos orders nodes by name, the stable order snapshots keep.
func sortNodeInfos(nodes []*NodeInfo) {
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].Name() < nodes[j].Name() })
}

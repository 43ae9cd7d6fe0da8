package scheduler

import "math/rand/v2"

// Plugin names, as upstream's default profile calls them: they appear in logs and in
// messages such as "node(s) didn't satisfy plugin(s) [NodeAffinity]".
const (
	NodeUnschedulable               = "NodeUnschedulable"
	NodeName                        = "NodeName"
	NodeReady                       = "NodeReady"
	TaintToleration                 = "TaintToleration"
	NodeAffinity                    = "NodeAffinity"
	NodePorts                       = "NodePorts"
	NodeResourcesFit                = "NodeResourcesFit"
	NodeResourcesBalancedAllocation = "NodeResourcesBalancedAllocation"
	PodTopologySpread               = "PodTopologySpread"
	InterPodAffinity                = "InterPodAffinity"
)

// DefaultPipeline is the whole placement policy, in order. Filters run first to last and
// the first that rejects a node names the reason, so their order is upstream's (it shapes
// the FailedScheduling message); scores are summed with upstream's default weights.
func DefaultPipeline() *Pipeline {
	return &Pipeline{
		Filters: []Filter{
			{NodeUnschedulable, filterNodeUnschedulable}, // a cordoned node takes no new pods: cheapest check, upstream's first
			{NodeName, filterNodeName},                   // a pod that names its node fits only there
			{NodeReady, filterNodeReady},                 // a node that is not Ready counts as tainted not-ready/unreachable, as the node controller would taint it
			{TaintToleration, filterTaintToleration},     // NoSchedule and NoExecute taints repel pods that do not tolerate them
			{NodeAffinity, filterNodeAffinity},           // nodeSelector and required node affinity are hard constraints
			{NodePorts, filterNodePorts},                 // two pods cannot hold the same hostPort on one node
			{NodeResourcesFit, filterNodeResourcesFit},   // room for the requests; after the cheap label and taint checks, as upstream
			{PodTopologySpread, filterPodTopologySpread}, // DoNotSchedule spread constraints; late, it counts pods across the whole cluster
			{InterPodAffinity, filterInterPodAffinity},   // required pod (anti-)affinity, the pod's and its neighbours'; costliest, last
		},
		Scorers: []Scorer{
			{TaintToleration, 3, scoreTaintToleration},                    // fewer untolerated PreferNoSchedule taints is better; weighted highest upstream
			{NodeAffinity, 2, scoreNodeAffinity},                          // preferred node affinity terms, by their weights
			{PodTopologySpread, 2, scorePodTopologySpread},                // ScheduleAnyway spreading, or by default a ReplicaSet's pods over nodes and zones
			{InterPodAffinity, 2, scoreInterPodAffinity},                  // preferred pod (anti-)affinity, both ways
			{NodeResourcesFit, 1, scoreLeastAllocated},                    // prefer the emptiest node (LeastAllocated strategy)
			{NodeResourcesBalancedAllocation, 1, scoreBalancedAllocation}, // prefer nodes whose cpu and memory fill up evenly
		},
		rand: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64())),
	}
}

// Package nodelifecycle holds two controllers of kube-controller-manager that react to
// nodes coming and going:
//
//   - Controller ("node-lifecycle-controller") watches every node's heartbeats: the
//     node's Lease in kube-node-lease (renewed by the kubelet every 10 s) and the Ready
//     condition's lastHeartbeatTime. A node silent for longer than the grace period (40 s;
//     60 s for a node whose kubelet never posted status) gets Ready, MemoryPressure,
//     DiskPressure and PIDPressure set to Unknown ("Kubelet stopped posting node status."),
//     its pods' Ready condition set to False, and the taints that follow the Ready
//     condition:
//
//     Ready=False    node.kubernetes.io/not-ready    NoSchedule + NoExecute
//     Ready=Unknown  node.kubernetes.io/unreachable  NoSchedule + NoExecute
//     Ready=True     none of them
//
//     The NoSchedule taints also follow the pressure conditions (memory-, disk-,
//     pid-pressure, network-unavailable) and spec.unschedulable. This is what removes the
//     not-ready:NoSchedule taint every new Node gets at creation once its kubelet reports
//     Ready: without this controller nothing is ever scheduled.
//
//   - TaintEvictionController ("taint-eviction-controller") deletes the pods on a node with
//     NoExecute taints they do not tolerate: at once when a taint is not tolerated at all,
//     after the smallest tolerationSeconds of the tolerations used otherwise (300 s for the
//     not-ready/unreachable tolerations the API server adds to every pod), never when a
//     toleration has no tolerationSeconds. Deleted pods get the DisruptionTarget condition
//     (reason DeletionByTaintManager) first; their ReplicaSet replaces them elsewhere.
//
// Promises, as upstream: NoExecute taints are added at most at --node-eviction-rate nodes
// per second per zone (0.1: one node every 10 s); a zone where at least 55 % of more than
// two nodes are not ready stops getting new NoExecute taints (unless it has more than 50
// nodes, then at the secondary rate); when every node of every zone is not ready the
// controller assumes the control plane, not the nodes, is cut off ("master disruption
// mode") and removes all NoExecute taints instead of evicting everything. Swapping
// not-ready for unreachable (or back) is never rate limited. Taints this controller adds
// carry timeAdded.
//
// Simplified from upstream: the eviction timer of a pod starts when this process first
// sees it on a tainted node, so a restart restarts the timer (upstream does the same); the
// per-zone eviction queue is a token bucket consulted when a node is synced rather than a
// FIFO of nodes.
package nodelifecycle

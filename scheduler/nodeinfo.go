package scheduler

import (
	"slices"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// PodInfo is a pod plus what the pipeline derives from it once, so that checking it
// against a thousand nodes does not recompute requests a thousand times.
type PodInfo struct {
	Pod *corev1.Pod
	// Requests is what the pod asks for (NodeResourcesFit filter, BalancedAllocation).
	Requests Resources
	// NonZeroRequests counts missing cpu/memory requests as the defaults (LeastAllocated).
	NonZeroRequests Resources
	// HostPorts are the node ports the pod's containers claim.
	HostPorts []hostPort
	// ControllerUID is the UID of the pod's controller owner ("" if none): spreading
	// counts siblings by it.
	ControllerUID string
	// AffinityTerms are the pod's inter-pod affinity terms, nil when it has none.
	AffinityTerms *podAffinityTerms
}

// NewPodInfo derives a PodInfo from a pod. The pod is kept, not copied: callers hand over
// objects they will not modify (informer objects are shared and read-only).
func NewPodInfo(pod *corev1.Pod) *PodInfo {
	p := &PodInfo{
		Pod:             pod,
		Requests:        podRequests(pod, false),
		NonZeroRequests: podRequests(pod, true),
		HostPorts:       podHostPorts(pod),
		AffinityTerms:   newPodAffinityTerms(pod),
	}
	if ref := metav1.GetControllerOf(&pod.ObjectMeta); ref != nil {
		p.ControllerUID = ref.UID
	}
	return p
}

// NodeInfo is one node as the scheduler sees it: the Node object and the pods counted
// against it (bound, or assumed by this scheduler), with their sums kept up to date.
type NodeInfo struct {
	// Node is nil while pods reference a node the informer has not delivered yet.
	Node *corev1.Node
	Pods []*PodInfo
	// Allocatable is what the node offers pods (status.allocatable).
	Allocatable Resources
	// Requested sums the pods' requests; NonZeroRequested the same with defaults.
	Requested        Resources
	NonZeroRequested Resources
	// UsedPorts are the host ports the node's pods hold.
	UsedPorts []hostPort
	// PodsWithAffinity are the pods with inter-pod affinity terms: the few whose terms
	// every attempt must check against the incoming pod.
	PodsWithAffinity []*PodInfo
	// controllerPods counts the node's pods per controller UID, leaving out pods being
	// deleted: spreading asks it for every node at every attempt.
	controllerPods map[string]int
	// generation changes whenever this NodeInfo does, so snapshots copy only what changed.
	generation int64
}

// newNodeInfo builds an empty NodeInfo for a node.
func newNodeInfo(node *corev1.Node) *NodeInfo {
	n := &NodeInfo{}
	n.setNode(node)
	return n
}

// Name is the node's name ("" while the Node object is unknown).
func (n *NodeInfo) Name() string {
	if n.Node == nil {
		return ""
	}
	return n.Node.Name
}

// setNode replaces the Node object and recomputes allocatable.
func (n *NodeInfo) setNode(node *corev1.Node) {
	n.Node = node
	n.Allocatable = Resources{}
	if node != nil {
		n.Allocatable.add(node.Status.Allocatable)
	}
}

// AddPod counts a pod against the node.
func (n *NodeInfo) AddPod(p *PodInfo) {
	n.Pods = append(n.Pods, p)
	n.Requested.addResources(p.Requests)
	n.NonZeroRequested.addResources(p.NonZeroRequests)
	n.UsedPorts = append(n.UsedPorts, p.HostPorts...)
	n.countController(p, 1)
	if p.AffinityTerms != nil {
		n.PodsWithAffinity = append(n.PodsWithAffinity, p)
	}
}

// countController adds delta to the count of the pod's controller, if it has one and is
// not being deleted.
func (n *NodeInfo) countController(p *PodInfo, delta int) {
	if p.ControllerUID == "" || p.Pod.DeletionTimestamp != nil {
		return
	}
	if n.controllerPods == nil {
		n.controllerPods = map[string]int{}
	}
	n.controllerPods[p.ControllerUID] += delta
	if n.controllerPods[p.ControllerUID] == 0 {
		delete(n.controllerPods, p.ControllerUID)
	}
}

// RemovePod stops counting the pod with this UID; it reports whether the pod was there.
func (n *NodeInfo) RemovePod(uid string) bool {
	for i, p := range n.Pods {
		if p.Pod.UID != uid {
			continue
		}
		// Order does not matter to any plugin: swap with the last and shrink.
		last := len(n.Pods) - 1
		n.Pods[i] = n.Pods[last]
		n.Pods[last] = nil
		n.Pods = n.Pods[:last]
		n.Requested.subResources(p.Requests)
		n.NonZeroRequested.subResources(p.NonZeroRequests)
		n.UsedPorts = removeHostPorts(n.UsedPorts, p.HostPorts)
		n.countController(p, -1)
		if p.AffinityTerms != nil {
			n.PodsWithAffinity = slices.DeleteFunc(n.PodsWithAffinity, func(q *PodInfo) bool { return q == p })
		}
		return true
	}
	return false
}

// Clone copies the NodeInfo so that a snapshot can be read while the cache changes. Pods
// and Node are shared: they are never modified in place.
func (n *NodeInfo) Clone() *NodeInfo {
	c := &NodeInfo{
		Node:             n.Node,
		Pods:             append([]*PodInfo(nil), n.Pods...),
		Allocatable:      n.Allocatable.clone(),
		Requested:        n.Requested.clone(),
		NonZeroRequested: n.NonZeroRequested.clone(),
		UsedPorts:        append([]hostPort(nil), n.UsedPorts...),
		PodsWithAffinity: append([]*PodInfo(nil), n.PodsWithAffinity...),
		generation:       n.generation,
	}
	if n.controllerPods != nil {
		c.controllerPods = make(map[string]int, len(n.controllerPods))
		for uid, count := range n.controllerPods {
			c.controllerPods[uid] = count
		}
	}
	return c
}

// Snapshot is a consistent, read-only view of all nodes for one scheduling attempt.
type Snapshot struct {
	// Nodes lists the nodes in a stable order (by name), so that the round-robin start
	// index of the filter pass means the same node from one attempt to the next.
	Nodes  []*NodeInfo
	byName map[string]*NodeInfo
	// generation is the cache generation this snapshot reflects.
	generation int64
}

// NewSnapshot builds a snapshot from nodes and the pods bound to them; tests and the
// benchmark use it to run the pipeline without a cache.
func NewSnapshot(nodes []*corev1.Node, pods []*corev1.Pod) *Snapshot {
	s := &Snapshot{byName: map[string]*NodeInfo{}}
	for _, node := range nodes {
		ni := newNodeInfo(node)
		s.byName[node.Name] = ni
		s.Nodes = append(s.Nodes, ni)
	}
	for _, pod := range pods {
		if ni := s.byName[pod.Spec.NodeName]; ni != nil {
			ni.AddPod(NewPodInfo(pod))
		}
	}
	sortNodeInfos(s.Nodes)
	return s
}

// Get returns the node with this name, or nil.
func (s *Snapshot) Get(name string) *NodeInfo { return s.byName[name] }

package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

// assumedPodTTL is how long an assumed pod keeps its place after its bind call returned,
// waiting for the watch event that confirms it. The event normally takes milliseconds; a
// pod that was bound and deleted before the informer ever saw it would otherwise hold its
// resources forever. (Upstream nowadays never expires assumptions; Skiff bounds them.)
const assumedPodTTL = 30 * time.Second

// cleanupAssumedPeriod is how often expired assumptions are looked for.
const cleanupAssumedPeriod = 1 * time.Second

// Cache is the cluster as the scheduler counts it: every node, and every pod that takes
// room on one. Pods come from the informer of assigned pods, plus the pods this scheduler
// has assumed onto a node between deciding and the informer confirming it.
//
// Promises: a pod is counted on at most one node; an assumed pod is counted from
// AssumePod until the informer confirms it (AddPod), the bind fails (ForgetPod), or its
// TTL after FinishBinding runs out; snapshots see a consistent state. Safe for concurrent
// use.
type Cache struct {
	mu  sync.Mutex
	now func() time.Time
	ttl time.Duration

	nodes map[string]*NodeInfo
	// pods are the counted pods by UID, with where and how they are counted.
	pods map[string]*podState
	// generation increases with every change; NodeInfos carry the value of their last one.
	generation int64
}

// podState is how a pod is counted.
type podState struct {
	info *PodInfo
	// assumed: placed by this scheduler, not yet confirmed by the informer.
	assumed bool
	// bindingFinished: the bind call returned, so the assumption may now expire at deadline.
	bindingFinished bool
	deadline        time.Time
}

// NewCache builds an empty cache; now is the clock, ttl the assumed pod lifetime.
func NewCache(now func() time.Time, ttl time.Duration) *Cache {
	return &Cache{now: now, ttl: ttl, nodes: map[string]*NodeInfo{}, pods: map[string]*podState{}}
}

// nodeLocked returns the NodeInfo for a name, creating an empty one: a pod may be seen
// before its node.
func (c *Cache) nodeLocked(name string) *NodeInfo {
	n := c.nodes[name]
	if n == nil {
		n = &NodeInfo{}
		c.nodes[name] = n
	}
	return n
}

// touchLocked marks a NodeInfo changed, so the next snapshot copies it.
func (c *Cache) touchLocked(n *NodeInfo) {
	c.generation++
	n.generation = c.generation
}

// AddNode starts counting a node (or updates it: informers may repeat adds).
func (c *Cache) AddNode(node *corev1.Node) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.nodeLocked(node.Name)
	n.setNode(node)
	c.touchLocked(n)
}

// UpdateNode replaces a node's object.
func (c *Cache) UpdateNode(node *corev1.Node) { c.AddNode(node) }

// RemoveNode forgets a node. Its pods stay counted under the name until they are removed
// too (the garbage collector deletes them), but the node is no longer offered.
func (c *Cache) RemoveNode(node *corev1.Node) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.nodes[node.Name]
	if n == nil {
		return
	}
	n.setNode(nil)
	c.touchLocked(n)
	if len(n.Pods) == 0 {
		delete(c.nodes, node.Name)
	}
}

// AssumePod counts a pod on pod.Spec.NodeName before the API server has confirmed the
// binding, so the next decisions already see its requests.
func (c *Cache) AssumePod(pod *corev1.Pod) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.pods[pod.UID]; ok {
		return fmt.Errorf("assume pod %s/%s: already counted", pod.Namespace, pod.Name)
	}
	c.addPodLocked(pod, true)
	return nil
}

// FinishBinding starts the expiry clock of an assumed pod: its bind call has returned.
func (c *Cache) FinishBinding(pod *corev1.Pod) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.pods[pod.UID]; st != nil && st.assumed {
		st.bindingFinished = true
		st.deadline = c.now().Add(c.ttl)
	}
}

// ForgetPod stops counting an assumed pod whose binding failed.
func (c *Cache) ForgetPod(pod *corev1.Pod) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.pods[pod.UID]; st != nil && st.assumed {
		c.removePodLocked(pod.UID)
	}
}

// IsAssumed reports whether the pod is assumed and not yet confirmed.
func (c *Cache) IsAssumed(pod *corev1.Pod) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.pods[pod.UID]
	return st != nil && st.assumed
}

// AddPod counts a pod the informer reports as assigned; for an assumed pod this is the
// confirmation, and the informer's version (and node) replaces the assumed one.
func (c *Cache) AddPod(pod *corev1.Pod) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.pods[pod.UID]; ok {
		c.removePodLocked(pod.UID)
	}
	c.addPodLocked(pod, false)
}

// UpdatePod replaces a counted pod with its new version.
func (c *Cache) UpdatePod(pod *corev1.Pod) { c.AddPod(pod) }

// RemovePod stops counting a pod (deleted, or finished: terminal pods free their room).
func (c *Cache) RemovePod(pod *corev1.Pod) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.removePodLocked(pod.UID)
}

func (c *Cache) addPodLocked(pod *corev1.Pod, assumed bool) {
	info := NewPodInfo(pod)
	n := c.nodeLocked(pod.Spec.NodeName)
	n.AddPod(info)
	c.touchLocked(n)
	c.pods[pod.UID] = &podState{info: info, assumed: assumed}
}

func (c *Cache) removePodLocked(uid string) {
	st := c.pods[uid]
	if st == nil {
		return
	}
	delete(c.pods, uid)
	name := st.info.Pod.Spec.NodeName
	n := c.nodes[name]
	if n == nil || !n.RemovePod(uid) {
		return
	}
	c.touchLocked(n)
	if n.Node == nil && len(n.Pods) == 0 {
		delete(c.nodes, name)
	}
}

// cleanupExpired drops assumed pods whose confirmation never came.
func (c *Cache) cleanupExpired() {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	for uid, st := range c.pods {
		if st.assumed && st.bindingFinished && now.After(st.deadline) {
			pod := st.info.Pod
			slog.Warn("assumed pod expired: its binding was never confirmed",
				"pod", pod.Namespace+"/"+pod.Name, "node", pod.Spec.NodeName)
			c.removePodLocked(uid)
		}
	}
}

// Run expires stale assumptions until ctx ends.
func (c *Cache) Run(ctx context.Context) {
	t := time.NewTicker(cleanupAssumedPeriod)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.cleanupExpired()
		}
	}
}

// UpdateSnapshot brings a snapshot up to date, copying only the nodes that changed since
// it was last updated: with a thousand nodes and one pod placed per attempt, one copy.
func (c *Cache) UpdateSnapshot(s *Snapshot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.byName == nil {
		s.byName = map[string]*NodeInfo{}
	}
	if s.generation == c.generation {
		return
	}
	membershipChanged := false
	for name, n := range c.nodes {
		cur := s.byName[name]
		switch {
		case n.Node == nil:
			continue // not offered; dropped below if the snapshot had it
		case cur == nil:
			s.byName[name] = n.Clone()
			membershipChanged = true
		case cur.generation != n.generation:
			// Overwrite in place: the snapshot's node list keeps pointing at it.
			*cur = *n.Clone()
		}
	}
	for name := range s.byName {
		if n := c.nodes[name]; n == nil || n.Node == nil {
			delete(s.byName, name)
			membershipChanged = true
		}
	}
	if membershipChanged {
		s.Nodes = s.Nodes[:0]
		for _, n := range s.byName {
			s.Nodes = append(s.Nodes, n)
		}
		sortNodeInfos(s.Nodes)
	}
	s.generation = c.generation
}

// NodeCount is how many nodes are offered, for logs and tests.
func (c *Cache) NodeCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	count := 0
	for _, n := range c.nodes {
		if n.Node != nil {
			count++
		}
	}
	return count
}

package scheduler

import (
	"testing"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

// placed returns a copy of the pod bound to node, as the scheduler assumes it.
func placed(pod *corev1.Pod, node string) *corev1.Pod {
	p := *pod
	p.Spec.NodeName = node
	return &p
}

// requestedMilliCPU reads a node's requested cpu from a fresh snapshot.
func requestedMilliCPU(t *testing.T, c *Cache, node string) int64 {
	t.Helper()
	s := &Snapshot{}
	c.UpdateSnapshot(s)
	n := s.Get(node)
	if n == nil {
		t.Fatalf("node %s not in snapshot", node)
	}
	return n.Requested.MilliCPU
}

// A burst of pods must not over-commit a node: once the first is assumed there, the next
// decision already sees it, before the API server has confirmed anything.
func TestAssumedPodsCountBeforeConfirmation(t *testing.T) {
	clock := newFakeClock()
	c := NewCache(clock.now, assumedPodTTL)
	c.AddNode(testNode("n1", "2", "4Gi"))
	p := DefaultPipeline()
	s := &Snapshot{}

	first := testPod("first", "1500m", "1Gi")
	c.UpdateSnapshot(s)
	d, err := p.Schedule(first, s)
	if err != nil || d.Node != "n1" {
		t.Fatalf("first pod: %v, %v", d, err)
	}
	if err := c.AssumePod(placed(first, d.Node)); err != nil {
		t.Fatal(err)
	}

	c.UpdateSnapshot(s)
	_, err = p.Schedule(testPod("second", "1", "1Gi"), s)
	if err == nil {
		t.Fatal("second pod fit although the first one was assumed onto the only node")
	}
	if !c.IsAssumed(first) {
		t.Fatal("first pod is not assumed")
	}
}

// The informer's event confirms an assumption; it then never expires.
func TestConfirmedPodsStay(t *testing.T) {
	clock := newFakeClock()
	c := NewCache(clock.now, assumedPodTTL)
	c.AddNode(testNode("n1", "4", "8Gi"))
	pod := placed(testPod("web", "1", "1Gi"), "n1")
	if err := c.AssumePod(pod); err != nil {
		t.Fatal(err)
	}
	c.FinishBinding(pod)
	c.AddPod(pod) // the watch event
	if c.IsAssumed(pod) {
		t.Fatal("pod still assumed after the informer confirmed it")
	}
	clock.advance(time.Hour)
	c.cleanupExpired()
	if got := requestedMilliCPU(t, c, "n1"); got != 1000 {
		t.Fatalf("requested cpu %dm, want 1000m", got)
	}
}

// An assumption never confirmed expires TTL after its bind call returned, not before.
func TestUnconfirmedAssumptionsExpire(t *testing.T) {
	clock := newFakeClock()
	c := NewCache(clock.now, assumedPodTTL)
	c.AddNode(testNode("n1", "4", "8Gi"))
	pod := placed(testPod("web", "1", "1Gi"), "n1")
	if err := c.AssumePod(pod); err != nil {
		t.Fatal(err)
	}

	// While the bind call is still running, no clock expires it.
	clock.advance(time.Hour)
	c.cleanupExpired()
	if !c.IsAssumed(pod) {
		t.Fatal("assumption expired while binding was still in progress")
	}

	c.FinishBinding(pod)
	clock.advance(assumedPodTTL)
	c.cleanupExpired()
	if !c.IsAssumed(pod) {
		t.Fatal("assumption expired at, not after, its deadline")
	}
	clock.advance(time.Second)
	c.cleanupExpired()
	if c.IsAssumed(pod) {
		t.Fatal("assumption did not expire")
	}
	if got := requestedMilliCPU(t, c, "n1"); got != 0 {
		t.Fatalf("requested cpu %dm after expiry, want 0", got)
	}
}

func TestForgottenAssumptionsFreeTheirRoom(t *testing.T) {
	clock := newFakeClock()
	c := NewCache(clock.now, assumedPodTTL)
	c.AddNode(testNode("n1", "4", "8Gi"))
	pod := placed(testPod("web", "1", "1Gi"), "n1")
	if err := c.AssumePod(pod); err != nil {
		t.Fatal(err)
	}
	if err := c.AssumePod(pod); err == nil {
		t.Fatal("assuming the same pod twice succeeded")
	}
	c.ForgetPod(pod) // the bind call failed
	if got := requestedMilliCPU(t, c, "n1"); got != 0 {
		t.Fatalf("requested cpu %dm after forgetting, want 0", got)
	}
}

// If the API says the pod landed elsewhere, the API wins.
func TestConfirmationOnAnotherNodeMovesThePod(t *testing.T) {
	clock := newFakeClock()
	c := NewCache(clock.now, assumedPodTTL)
	c.AddNode(testNode("n1", "4", "8Gi"))
	c.AddNode(testNode("n2", "4", "8Gi"))
	pod := testPod("web", "1", "1Gi")
	if err := c.AssumePod(placed(pod, "n1")); err != nil {
		t.Fatal(err)
	}
	c.AddPod(placed(pod, "n2"))
	if got := requestedMilliCPU(t, c, "n1"); got != 0 {
		t.Fatalf("n1 requested %dm, want 0", got)
	}
	if got := requestedMilliCPU(t, c, "n2"); got != 1000 {
		t.Fatalf("n2 requested %dm, want 1000m", got)
	}
}

// Snapshots copy only what changed and follow nodes coming and going.
func TestSnapshotFollowsTheCache(t *testing.T) {
	clock := newFakeClock()
	c := NewCache(clock.now, assumedPodTTL)
	c.AddNode(testNode("b", "4", "8Gi"))
	c.AddNode(testNode("a", "4", "8Gi"))
	s := &Snapshot{}
	c.UpdateSnapshot(s)
	if len(s.Nodes) != 2 || s.Nodes[0].Name() != "a" || s.Nodes[1].Name() != "b" {
		t.Fatalf("snapshot nodes %v, want [a b]", names(s.Nodes))
	}
	a, b := s.Get("a"), s.Get("b")

	c.AddPod(placed(testPod("web", "1", "1Gi"), "b"))
	c.UpdateSnapshot(s)
	if s.Get("a") != a || s.Get("b") != b {
		t.Fatal("snapshot replaced NodeInfos instead of updating them")
	}
	if a.Requested.MilliCPU != 0 || b.Requested.MilliCPU != 1000 {
		t.Fatalf("requested a=%d b=%d, want 0 and 1000", a.Requested.MilliCPU, b.Requested.MilliCPU)
	}

	// A pod seen before its node: counted, but the node is not offered yet.
	c.AddPod(placed(testPod("early", "1", "1Gi"), "c"))
	c.UpdateSnapshot(s)
	if len(s.Nodes) != 2 {
		t.Fatalf("snapshot nodes %v, want [a b]", names(s.Nodes))
	}
	c.AddNode(testNode("c", "4", "8Gi"))
	c.UpdateSnapshot(s)
	if len(s.Nodes) != 3 || s.Get("c").Requested.MilliCPU != 1000 {
		t.Fatalf("snapshot nodes %v, want [a b c] with c holding the early pod", names(s.Nodes))
	}

	c.RemoveNode(testNode("a", "4", "8Gi"))
	c.UpdateSnapshot(s)
	if len(s.Nodes) != 2 || s.Get("a") != nil {
		t.Fatalf("snapshot nodes %v after removing a, want [b c]", names(s.Nodes))
	}
	if c.NodeCount() != 2 {
		t.Fatalf("cache offers %d nodes, want 2", c.NodeCount())
	}
}

func names(nodes []*NodeInfo) []string {
	var out []string
	for _, n := range nodes {
		out = append(out, n.Name())
	}
	return out
}

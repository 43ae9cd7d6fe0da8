package nodelifecycle

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/cache"
	"github.com/skiff-k8s/skiff/client/clienttest"
	"github.com/skiff-k8s/skiff/client/events"
)

var ctx = context.Background()

// fixture is a controller over the in-memory API, its caches filled from that API's
// objects without running informers, and a clock the test moves.
type fixture struct {
	t        *testing.T
	api      *clienttest.Fake
	factory  *cache.SharedInformerFactory
	c        *Controller
	eviction *TaintEvictionController
	recorder *events.FakeRecorder
	now      time.Time
}

func newFixture(t *testing.T, objects ...any) *fixture {
	f := &fixture{t: t, api: clienttest.New(objects...), recorder: events.NewFakeRecorder(100), now: at(0)}
	f.factory = cache.NewSharedInformerFactory(f.api, cache.FactoryOptions{})
	f.c = NewController(f.api.Clientset(), f.factory, f.recorder, DefaultConfig())
	f.c.now = func() time.Time { return f.now }
	f.eviction = NewTaintEvictionController(f.api.Clientset(), f.factory, f.recorder)
	f.eviction.now = func() time.Time { return f.now }
	f.refreshCaches()
	return f
}

// refreshCaches makes the listers show what the fake API holds now (what the informers
// would deliver), then forgets the calls made so far.
func (f *fixture) refreshCaches() {
	cs := f.api.Clientset()
	nodes, _ := cs.Nodes().List(ctx, client.ListOptions{})
	fill(f.t, f.factory.Nodes().Indexer(), nodes.Items)
	pods, _ := cs.Pods("").List(ctx, client.ListOptions{})
	fill(f.t, f.factory.Pods().Indexer(), pods.Items)
	leases, _ := cs.Leases("").List(ctx, client.ListOptions{})
	fill(f.t, f.factory.Leases().Indexer(), leases.Items)
	f.api.ClearActions()
}

func fill[T any](t *testing.T, idx *cache.Indexer[T], items []T) {
	objs := make([]*T, len(items))
	for i := range items {
		objs[i] = &items[i]
	}
	if err := idx.Replace(objs); err != nil {
		t.Fatal(err)
	}
}

// writes renders the state-changing calls made since the last refresh.
func (f *fixture) writes() []string {
	var out []string
	for _, a := range clienttest.Writes(f.api.Actions()) {
		out = append(out, a.String())
	}
	return out
}

func (f *fixture) expectWrites(want ...string) {
	f.t.Helper()
	if got := f.writes(); !slices.Equal(got, want) {
		f.t.Errorf("writes:\n got %q\nwant %q", got, want)
	}
}

func (f *fixture) syncNode(name string) {
	f.t.Helper()
	if err := f.c.syncNode(ctx, name); err != nil {
		f.t.Fatalf("syncNode(%s): %v", name, err)
	}
}

func (f *fixture) node(name string) *corev1.Node {
	f.t.Helper()
	n, err := f.api.Clientset().Nodes().Get(ctx, name)
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

func taintKeys(taints []corev1.Taint) []string {
	var out []string
	for _, t := range taints {
		out = append(out, t.Key+":"+string(t.Effect))
	}
	slices.Sort(out)
	return out
}

func boundPod(name, node string, ready corev1.ConditionStatus) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name, UID: "uid-" + name},
		Spec:       corev1.PodSpec{NodeName: node, Tolerations: defaultTolerations},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{
			{Type: corev1.PodReady, Status: ready},
		}},
	}
}

func TestReadyNodeLosesTheAdmissionTaint(t *testing.T) {
	n := testNode("n1", corev1.ConditionTrue, 0)
	n.Spec.Taints = []corev1.Taint{notReadySched, userTaint}
	f := newFixture(t, n)
	f.syncNode("n1")
	f.expectWrites("patch nodes n1")
	if got := taintKeys(f.node("n1").Spec.Taints); !slices.Equal(got, []string{"dedicated:NoSchedule"}) {
		t.Errorf("taints = %v", got)
	}
	if ev := <-f.recorder.Events; ev != "Normal RegisteredNode Node n1 event: Registered Node n1 in Controller" {
		t.Errorf("event %q", ev)
	}
}

func TestNotReadyNodeGetsNoScheduleTaintAtOnce(t *testing.T) {
	healthy := testNode("n2", corev1.ConditionTrue, 0)
	f := newFixture(t, testNode("n1", corev1.ConditionFalse, 0), healthy)
	f.syncNode("n1")
	if got := taintKeys(f.node("n1").Spec.Taints); !slices.Equal(got, []string{
		"node.kubernetes.io/not-ready:NoExecute", "node.kubernetes.io/not-ready:NoSchedule"}) {
		t.Errorf("taints = %v", got)
	}
}

func TestSilentNodeBecomesUnknownTaintedAndItsPodsNotReady(t *testing.T) {
	f := newFixture(t,
		testNode("n1", corev1.ConditionTrue, 0), testNode("n2", corev1.ConditionTrue, 0),
		testLease("n1", 0),
		boundPod("web-1", "n1", corev1.ConditionTrue), boundPod("web-2", "n2", corev1.ConditionTrue))

	f.syncNode("n1")
	f.expectWrites() // fresh: nothing to do
	f.now = at(40)
	f.syncNode("n1")
	f.expectWrites() // exactly at the grace period: still fine

	f.now = at(41)
	f.syncNode("n1")
	f.expectWrites("update nodes/status n1", "patch nodes n1", "update pods/status default/web-1")
	n := f.node("n1")
	ready := readyCondition(n)
	if ready.Status != corev1.ConditionUnknown || ready.Reason != "NodeStatusUnknown" || ready.Message != "Kubelet stopped posting node status." {
		t.Errorf("ready = %+v", ready)
	}
	if got := taintKeys(n.Spec.Taints); !slices.Equal(got, []string{
		"node.kubernetes.io/unreachable:NoExecute", "node.kubernetes.io/unreachable:NoSchedule"}) {
		t.Errorf("taints = %v", got)
	}
	for _, tt := range n.Spec.Taints {
		if tt.TimeAdded == nil || !tt.TimeAdded.Equal(at(41)) {
			t.Errorf("taint %s timeAdded = %v", tt.Key, tt.TimeAdded)
		}
	}
	pod, _ := f.api.Clientset().Pods("default").Get(ctx, "web-1")
	if c := pod.Status.Conditions[0]; c.Status != corev1.ConditionFalse || !c.LastTransitionTime.Equal(at(41)) {
		t.Errorf("pod ready condition = %+v", c)
	}

	// The next passes change nothing: pods are marked once per spell.
	f.refreshCaches()
	f.now = at(46)
	f.syncNode("n1")
	f.expectWrites()

	// The kubelet comes back: taints go.
	f.refreshCaches()
	back := f.node("n1")
	back.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue, LastHeartbeatTime: mtime(50), LastTransitionTime: mtime(50)}}
	if _, err := f.api.Clientset().Nodes().UpdateStatus(ctx, back); err != nil {
		t.Fatal(err)
	}
	f.refreshCaches()
	f.now = at(50)
	f.syncNode("n1")
	f.expectWrites("patch nodes n1")
	if got := f.node("n1").Spec.Taints; len(got) != 0 {
		t.Errorf("taints left: %v", got)
	}
}

func TestLeaseRenewalKeepsNodeAlive(t *testing.T) {
	f := newFixture(t, testNode("n1", corev1.ConditionTrue, 0), testNode("n2", corev1.ConditionTrue, 0), testLease("n1", 0))
	f.syncNode("n1")
	lease, _ := f.api.Clientset().Leases(corev1.NamespaceNodeLease).Get(ctx, "n1")
	lease.Spec.RenewTime = &metav1.MicroTime{Time: at(30)}
	if _, err := f.api.Clientset().Leases(corev1.NamespaceNodeLease).Update(ctx, lease); err != nil {
		t.Fatal(err)
	}
	f.refreshCaches()
	f.now = at(30)
	f.syncNode("n1")
	f.now = at(60) // 60 s after the status heartbeat, 30 s after the lease renewal
	f.syncNode("n1")
	f.expectWrites()
}

func TestNeverPostedNodeGetsStartupGrace(t *testing.T) {
	f := newFixture(t, testNode("n1", "", 0), testNode("n2", corev1.ConditionTrue, 0))
	f.now = at(59)
	f.syncNode("n1")
	f.expectWrites()
	f.now = at(61)
	f.syncNode("n1")
	f.expectWrites("update nodes/status n1", "patch nodes n1")
	n := f.node("n1")
	if len(n.Status.Conditions) != 4 || n.Status.Conditions[0].Reason != "NodeStatusNeverUpdated" {
		t.Errorf("conditions = %+v", n.Status.Conditions)
	}
}

func TestMasterDisruptionAddsNoNoExecuteTaint(t *testing.T) {
	lone := testNode("n1", corev1.ConditionUnknown, 0)
	lone.Spec.Taints = []corev1.Taint{unreachableSched, unreachableNoExecute}
	f := newFixture(t, lone)
	f.syncNode("n1")
	if got := taintKeys(f.node("n1").Spec.Taints); !slices.Equal(got, []string{"node.kubernetes.io/unreachable:NoSchedule"}) {
		t.Errorf("taints = %v, want the NoExecute one removed", got)
	}
}

func TestNoExecuteTaintsAreRateLimitedPerZone(t *testing.T) {
	f := newFixture(t,
		testNode("a", corev1.ConditionUnknown, 0), testNode("b", corev1.ConditionUnknown, 0),
		testNode("c", corev1.ConditionTrue, 0), testNode("d", corev1.ConditionTrue, 0))
	f.syncNode("a")
	f.syncNode("b")
	if got := taintKeys(f.node("a").Spec.Taints); !slices.Contains(got, "node.kubernetes.io/unreachable:NoExecute") {
		t.Errorf("a: %v", got)
	}
	if got := taintKeys(f.node("b").Spec.Taints); slices.Contains(got, "node.kubernetes.io/unreachable:NoExecute") {
		t.Errorf("b tainted in the same second: %v", got)
	}
	f.refreshCaches()
	f.now = at(10)
	f.syncNode("b")
	if got := taintKeys(f.node("b").Spec.Taints); !slices.Contains(got, "node.kubernetes.io/unreachable:NoExecute") {
		t.Errorf("b after 10 s: %v", got)
	}
}

func TestPodBoundToNotReadyNodeIsMarkedNotReady(t *testing.T) {
	f := newFixture(t, testNode("n1", corev1.ConditionFalse, 0), boundPod("late", "n1", corev1.ConditionTrue))
	if err := f.c.syncPod(ctx, "default/late"); err != nil {
		t.Fatal(err)
	}
	f.expectWrites("update pods/status default/late")
	if ev := <-f.recorder.Events; ev != "Warning NodeNotReady Node is not ready" {
		t.Errorf("event %q", ev)
	}
}

func TestTaintEviction(t *testing.T) {
	tainted := testNode("n1", corev1.ConditionUnknown, 0)
	tainted.Spec.Taints = []corev1.Taint{{Key: corev1.TaintNodeUnreachable, Effect: corev1.TaintEffectNoExecute, TimeAdded: ptrMTime(0)}}
	intolerant := boundPod("intolerant", "n1", corev1.ConditionTrue)
	intolerant.Spec.Tolerations = nil
	f := newFixture(t, tainted, intolerant, boundPod("patient", "n1", corev1.ConditionTrue))

	if err := f.eviction.syncHandler(ctx, "default/intolerant"); err != nil {
		t.Fatal(err)
	}
	f.expectWrites("patch pods/status default/intolerant", "delete pods default/intolerant")
	patch := clienttest.Writes(f.api.Actions())[0]
	var body struct {
		Status corev1.PodStatus `json:"status"`
	}
	if err := json.Unmarshal(patch.Body, &body); err != nil || patch.PatchType != string(client.StrategicMergePatchType) ||
		body.Status.Conditions[0].Type != corev1.DisruptionTarget || body.Status.Conditions[0].Reason != "DeletionByTaintManager" {
		t.Errorf("status patch %s (%s): %v", patch.Body, patch.PatchType, err)
	}
	if ev := <-f.recorder.Events; ev != "Normal TaintManagerEviction Marking for deletion Pod default/intolerant" {
		t.Errorf("event %q", ev)
	}

	f.api.ClearActions()
	if err := f.eviction.syncHandler(ctx, "default/patient"); err != nil {
		t.Fatal(err)
	}
	f.expectWrites() // tolerates for 300 s
	f.now = at(299)
	_ = f.eviction.syncHandler(ctx, "default/patient")
	f.expectWrites()
	f.now = at(300)
	_ = f.eviction.syncHandler(ctx, "default/patient")
	f.expectWrites("patch pods/status default/patient", "delete pods default/patient")
}

func TestTaintEvictionCancelledWhenTaintGoes(t *testing.T) {
	tainted := testNode("n1", corev1.ConditionUnknown, 0)
	tainted.Spec.Taints = []corev1.Taint{unreachableNoExecute}
	f := newFixture(t, tainted, boundPod("patient", "n1", corev1.ConditionTrue))
	_ = f.eviction.syncHandler(ctx, "default/patient")

	n := f.node("n1")
	n.Spec.Taints = nil
	if _, err := f.api.Clientset().Nodes().Update(ctx, n); err != nil {
		t.Fatal(err)
	}
	f.refreshCaches()
	f.now = at(400)
	_ = f.eviction.syncHandler(ctx, "default/patient")
	f.expectWrites()
	if ev := <-f.recorder.Events; ev != "Normal TaintManagerEviction Cancelling deletion of Pod default/patient" {
		t.Errorf("event %q", ev)
	}
}

func ptrMTime(sec int) *metav1.Time { t := mtime(sec); return &t }

package scheduler

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/resource"
)

// pipelineFile is testdata/pipeline.yaml: a cluster and pods to place on it.
type pipelineFile struct {
	Nodes []corev1.Node `json:"nodes"`
	Pods  []corev1.Pod  `json:"pods"`
	Cases []struct {
		Name string     `json:"name"`
		Pod  corev1.Pod `json:"pod"`
		Want struct {
			Node  string `json:"node"`
			Error string `json:"error"`
		} `json:"want"`
	} `json:"cases"`
}

func TestPipelineDecisions(t *testing.T) {
	var file pipelineFile
	loadYAML(t, "testdata/pipeline.yaml", &file)
	for _, tc := range file.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			snapshot := NewSnapshot(pointers(file.Nodes), pointers(file.Pods))
			d, err := DefaultPipeline().Schedule(&tc.Pod, snapshot)
			var got string
			if err != nil {
				got = "error: " + err.Error()
			} else {
				got = "node: " + d.Node
			}
			want := "node: " + tc.Want.Node
			if tc.Want.Error != "" {
				want = "error: " + tc.Want.Error
			}
			if got != want {
				t.Errorf("\ngot  %s\nwant %s", got, want)
			}
		})
	}
}

func TestScheduleWithoutNodes(t *testing.T) {
	_, err := DefaultPipeline().Schedule(&corev1.Pod{}, NewSnapshot(nil, nil))
	if !errors.Is(err, ErrNoNodesAvailable) || err.Error() != "no nodes available to schedule pods" {
		t.Fatalf("got %v, want ErrNoNodesAvailable", err)
	}
}

// Equal nodes must share the load: every one of them gets picked sometimes.
func TestTiesAreBrokenAtRandom(t *testing.T) {
	var nodes []*corev1.Node
	for i := range 4 {
		nodes = append(nodes, testNode(fmt.Sprintf("n%d", i), "4", "8Gi"))
	}
	p := DefaultPipeline()
	p.rand = rand.New(rand.NewPCG(1, 2))
	picked := map[string]int{}
	for range 400 {
		d, err := p.Schedule(testPod("web", "100m", "100Mi"), NewSnapshot(nodes, nil))
		if err != nil {
			t.Fatal(err)
		}
		picked[d.Node]++
	}
	for _, n := range nodes {
		if picked[n.Name] < 50 {
			t.Errorf("node %s picked %d times out of 400: %v", n.Name, picked[n.Name], picked)
		}
	}
}

// In a big cluster only part of the nodes is filtered per attempt, and where the pass
// starts rotates, so every node gets its turn.
func TestLargeClustersAreFilteredInPart(t *testing.T) {
	var nodes []*corev1.Node
	for i := range 1000 {
		nodes = append(nodes, testNode(fmt.Sprintf("n%04d", i), "4", "8Gi"))
	}
	p := DefaultPipeline()
	if got := p.numFeasibleNodesToFind(1000); got != 420 { // (50 - 1000/125)% of 1000
		t.Fatalf("numFeasibleNodesToFind(1000) = %d, want 420", got)
	}
	if got := p.numFeasibleNodesToFind(99); got != 99 {
		t.Fatalf("numFeasibleNodesToFind(99) = %d, want 99", got)
	}
	if got := p.numFeasibleNodesToFind(5000); got != 500 { // 10%
		t.Fatalf("numFeasibleNodesToFind(5000) = %d, want 500", got)
	}
	snapshot := NewSnapshot(nodes, nil)
	d, err := p.Schedule(testPod("web", "100m", "100Mi"), snapshot)
	if err != nil {
		t.Fatal(err)
	}
	if d.EvaluatedNodes != 420 || d.FeasibleNodes != 420 || p.nextStartNodeIndex != 420 {
		t.Fatalf("evaluated %d, feasible %d, next start %d; want 420, 420, 420",
			d.EvaluatedNodes, d.FeasibleNodes, p.nextStartNodeIndex)
	}
	if _, err := p.Schedule(testPod("web2", "100m", "100Mi"), snapshot); err != nil {
		t.Fatal(err)
	}
	if p.nextStartNodeIndex != 840 {
		t.Fatalf("next start %d, want 840", p.nextStartNodeIndex)
	}
}

// testNode is a Ready node with the given allocatable cpu and memory and 110 pod slots.
func testNode(name, cpu, memory string) *corev1.Node {
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{labelHostname: name}},
		Status: corev1.NodeStatus{
			Allocatable: corev1.ResourceList{
				corev1.ResourceCPU:    resource.MustParse(cpu),
				corev1.ResourceMemory: resource.MustParse(memory),
				corev1.ResourcePods:   resource.MustParse("110"),
			},
			Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}},
		},
	}
}

// testPod is a pending pod in "default" with one container requesting cpu and memory.
func testPod(name, cpu, memory string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", UID: "uid-" + name},
		Spec: corev1.PodSpec{
			SchedulerName: "default-scheduler",
			Containers: []corev1.Container{{Name: "c", Image: "registry.k8s.io/pause:3.10", Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{
					corev1.ResourceCPU:    resource.MustParse(cpu),
					corev1.ResourceMemory: resource.MustParse(memory),
				},
			}}},
		},
	}
}

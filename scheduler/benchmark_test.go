package scheduler

import (
	"fmt"
	"slices"
	"testing"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// BenchmarkSchedule measures the placement pipeline alone (no API, no cache locking):
// 10,000 pods of 100 ReplicaSets placed one after another on 1,000 nodes spread over 3
// zones, each placed pod counted on its node before the next decision. Reported in pods/s
// and as the p99 latency of one placement decision.
func BenchmarkSchedule(b *testing.B) {
	const numNodes, numPods, numReplicaSets = 1000, 10000, 100
	var nodes []*corev1.Node
	for i := range numNodes {
		n := testNode(fmt.Sprintf("node-%04d", i), "32", "128Gi")
		n.Labels[labelZone] = fmt.Sprintf("zone-%d", i%3)
		nodes = append(nodes, n)
	}
	pods := make([]*corev1.Pod, numPods)
	isController := true
	for i := range pods {
		rs := i % numReplicaSets
		p := testPod(fmt.Sprintf("rs-%d-pod-%d", rs, i), fmt.Sprintf("%dm", 100+10*(rs%20)), fmt.Sprintf("%dMi", 128+64*(rs%8)))
		p.OwnerReferences = []metav1.OwnerReference{{
			APIVersion: "apps/v1", Kind: "ReplicaSet", Name: fmt.Sprintf("rs-%d", rs),
			UID: fmt.Sprintf("rs-uid-%d", rs), Controller: &isController,
		}}
		pods[i] = p
	}

	latencies := make([]time.Duration, 0, numPods*b.N)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		snapshot := NewSnapshot(nodes, nil)
		p := DefaultPipeline()
		b.StartTimer()
		for _, pod := range pods {
			start := time.Now()
			d, err := p.Schedule(pod, snapshot)
			latencies = append(latencies, time.Since(start))
			if err != nil {
				b.Fatalf("pod %s: %v", pod.Name, err)
			}
			bound := *pod
			bound.Spec.NodeName = d.Node
			snapshot.Get(d.Node).AddPod(NewPodInfo(&bound))
		}
	}
	b.ReportMetric(float64(numPods*b.N)/b.Elapsed().Seconds(), "pods/s")
	slices.Sort(latencies)
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds()), "p99-us")
}

// The benchmark's pods must really spread: no node ends up with more than its fair share
// plus the skew the scores tolerate.
func TestBenchmarkWorkloadSpreads(t *testing.T) {
	var nodes []*corev1.Node
	for i := range 10 {
		nodes = append(nodes, testNode(fmt.Sprintf("node-%d", i), "32", "128Gi"))
	}
	snapshot := NewSnapshot(nodes, nil)
	p := DefaultPipeline()
	isController := true
	for i := range 100 {
		pod := testPod(fmt.Sprintf("web-%d", i), "100m", "128Mi")
		pod.OwnerReferences = []metav1.OwnerReference{{Kind: "ReplicaSet", Name: "web", UID: "rs-web", Controller: &isController}}
		d, err := p.Schedule(pod, snapshot)
		if err != nil {
			t.Fatal(err)
		}
		bound := *pod
		bound.Spec.NodeName = d.Node
		snapshot.Get(d.Node).AddPod(NewPodInfo(&bound))
	}
	for _, n := range snapshot.Nodes {
		if len(n.Pods) < 8 || len(n.Pods) > 12 {
			t.Errorf("node %s holds %d of 100 pods, want about 10", n.Name(), len(n.Pods))
		}
	}
}

package scheduler

import (
	"math"
	"sort"
)

const reasonTooManyPods = "Too many pods"

// filterNodeResourcesFit rejects nodes without room for the pod's requests: allocatable
// minus what the pods already counted there request (bound and assumed alike), for cpu,
// memory, ephemeral storage, extended resources, and the node's pod count. Every shortage
// is reported, so one node may count under "Insufficient cpu" and "Insufficient memory".
func filterNodeResourcesFit(c *Cycle, n *NodeInfo) *Status {
	var reasons []string
	if int64(len(n.Pods))+1 > n.Allocatable.Pods {
		reasons = append(reasons, reasonTooManyPods)
	}
	req, alloc, used := &c.PodInfo.Requests, &n.Allocatable, &n.Requested
	if req.MilliCPU > 0 && req.MilliCPU > alloc.MilliCPU-used.MilliCPU {
		reasons = append(reasons, "Insufficient cpu")
	}
	if req.Memory > 0 && req.Memory > alloc.Memory-used.Memory {
		reasons = append(reasons, "Insufficient memory")
	}
	if req.EphemeralStorage > 0 && req.EphemeralStorage > alloc.EphemeralStorage-used.EphemeralStorage {
		reasons = append(reasons, "Insufficient ephemeral-storage")
	}
	names := make([]string, 0, len(req.Scalar))
	for name := range req.Scalar {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if q := req.Scalar[name]; q > 0 && q > alloc.Scalar[name]-used.Scalar[name] {
			reasons = append(reasons, "Insufficient "+name)
		}
	}
	if len(reasons) == 0 {
		return nil
	}
	// Unschedulable, not Unresolvable: evicting pods would free room.
	return reject(Unschedulable, reasons...)
}

// scoreLeastAllocated prefers the node with the most room left: for cpu and memory, the
// share still free after placing the pod, scaled to 0..100 and averaged (upstream's
// NodeResourcesFit score with the LeastAllocated strategy, both resources weighted 1).
// Requests count with the 100m/200Mi defaults, so best-effort pods spread out too.
func scoreLeastAllocated(c *Cycle, nodes []*NodeInfo) []int64 {
	pod := &c.PodInfo.NonZeroRequests
	scores := make([]int64, len(nodes))
	for i, n := range nodes {
		var sum, resources int64
		for _, r := range [...]struct{ requested, allocatable int64 }{
			{n.NonZeroRequested.MilliCPU + pod.MilliCPU, n.Allocatable.MilliCPU},
			{n.NonZeroRequested.Memory + pod.Memory, n.Allocatable.Memory},
		} {
			if r.allocatable == 0 {
				continue // a node that reports none of a resource is not judged on it
			}
			if r.requested <= r.allocatable {
				sum += (r.allocatable - r.requested) * MaxNodeScore / r.allocatable
			}
			resources++
		}
		if resources > 0 {
			scores[i] = sum / resources
		}
	}
	return scores
}

// scoreBalancedAllocation prefers nodes where, after placing the pod, cpu and memory are
// used in similar proportions, so neither runs out while the other sits idle: 100 times
// one minus the standard deviation of the used fractions. It uses the pods' real requests
// and has no opinion about pods that request nothing (upstream skips them since 1.33, so
// they do not all pile onto the most balanced node).
func scoreBalancedAllocation(c *Cycle, nodes []*NodeInfo) []int64 {
	pod := &c.PodInfo.Requests
	if pod.MilliCPU == 0 && pod.Memory == 0 {
		return nil
	}
	scores := make([]int64, len(nodes))
	for i, n := range nodes {
		var fractions []float64
		for _, r := range [...]struct{ requested, allocatable int64 }{
			{n.Requested.MilliCPU + pod.MilliCPU, n.Allocatable.MilliCPU},
			{n.Requested.Memory + pod.Memory, n.Allocatable.Memory},
		} {
			if r.allocatable == 0 {
				continue
			}
			fractions = append(fractions, min(float64(r.requested)/float64(r.allocatable), 1))
		}
		std := 0.0
		if len(fractions) == 2 {
			// The standard deviation of two values is half their distance.
			std = math.Abs(fractions[0]-fractions[1]) / 2
		}
		scores[i] = int64((1 - std) * float64(MaxNodeScore))
	}
	return scores
}

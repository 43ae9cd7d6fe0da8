package scheduler

import (
	"strings"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

// Resources is an amount of compute resources in the units the scheduler does arithmetic in:
// millicores for cpu, bytes for memory and ephemeral storage, a count for pods and for
// extended resources. Converting Quantities once keeps the per-node checks integer math.
type Resources struct {
	MilliCPU         int64
	Memory           int64
	EphemeralStorage int64
	// Pods is only meaningful for a node's allocatable: how many pods it accepts.
	Pods int64
	// Scalar holds extended resources (example.com/gpu) and hugepages, by resource name.
	Scalar map[string]int64
}

// Defaults the scores assume for a container that requests no cpu or memory, as upstream's
// DefaultMilliCPURequest and DefaultMemoryRequest: without them, pods that request nothing
// would all look free and pile onto one node.
const (
	defaultMilliCPURequest int64 = 100               // 0.1 core
	defaultMemoryRequest   int64 = 200 * 1024 * 1024 // 200 MiB
)

// add adds every resource in the list to r.
func (r *Resources) add(list corev1.ResourceList) {
	for name, q := range list {
		switch name {
		case corev1.ResourceCPU:
			r.MilliCPU += q.MilliValue()
		case corev1.ResourceMemory:
			r.Memory += q.Value()
		case corev1.ResourceEphemeralStorage:
			r.EphemeralStorage += q.Value()
		case corev1.ResourcePods:
			r.Pods += q.Value()
		default:
			if isScalarResource(string(name)) {
				r.addScalar(string(name), q.Value())
			}
		}
	}
}

// addResources adds another Resources to r.
func (r *Resources) addResources(o Resources) {
	r.MilliCPU += o.MilliCPU
	r.Memory += o.Memory
	r.EphemeralStorage += o.EphemeralStorage
	r.Pods += o.Pods
	for name, v := range o.Scalar {
		r.addScalar(name, v)
	}
}

// subResources removes another Resources from r (a pod leaving a node).
func (r *Resources) subResources(o Resources) {
	r.MilliCPU -= o.MilliCPU
	r.Memory -= o.Memory
	r.EphemeralStorage -= o.EphemeralStorage
	r.Pods -= o.Pods
	for name, v := range o.Scalar {
		r.addScalar(name, -v)
	}
}

// maxResources raises each of r's resources to at least o's: init containers run one at a
// time, so a pod needs the largest of them, not their sum.
func (r *Resources) maxResources(o Resources) {
	r.MilliCPU = max(r.MilliCPU, o.MilliCPU)
	r.Memory = max(r.Memory, o.Memory)
	r.EphemeralStorage = max(r.EphemeralStorage, o.EphemeralStorage)
	for name, v := range o.Scalar {
		if v > r.Scalar[name] {
			r.setScalar(name, v)
		}
	}
}

func (r *Resources) addScalar(name string, v int64) { r.setScalar(name, r.Scalar[name]+v) }

func (r *Resources) setScalar(name string, v int64) {
	if r.Scalar == nil {
		r.Scalar = map[string]int64{}
	}
	r.Scalar[name] = v
}

// clone returns a copy that shares nothing with r.
func (r Resources) clone() Resources {
	c := r
	if r.Scalar != nil {
		c.Scalar = make(map[string]int64, len(r.Scalar))
		for k, v := range r.Scalar {
			c.Scalar[k] = v
		}
	}
	return c
}

// isScalarResource reports whether a resource name is one the scheduler counts besides cpu,
// memory, ephemeral-storage and pods: hugepages and extended resources (a domain-prefixed
// name outside kubernetes.io, such as nvidia.com/gpu).
func isScalarResource(name string) bool {
	if strings.HasPrefix(name, "hugepages-") {
		return true
	}
	return strings.Contains(name, "/") && !strings.Contains(name, "kubernetes.io/") &&
		!strings.HasPrefix(name, "requests.")
}

// podRequests computes what a pod asks of a node, as upstream's resource.PodRequests:
//
//   - regular containers and sidecars (restartable init containers) run together: summed;
//   - a classic init container runs alone, next to the sidecars started before it, so the
//     pod needs at least that much at that moment: max over init containers;
//   - the result is the larger of the two, plus the pod overhead (RuntimeClass's cost).
//
// With nonZero, a container that names no cpu (memory) request counts as 100m (200Mi):
// that is the view the LeastAllocated score uses.
func podRequests(pod *corev1.Pod, nonZero bool) Resources {
	containerRequests := func(c *corev1.Container) Resources {
		var r Resources
		r.add(c.Resources.Requests)
		if nonZero {
			if _, ok := c.Resources.Requests[corev1.ResourceCPU]; !ok {
				r.MilliCPU = defaultMilliCPURequest
			}
			if _, ok := c.Resources.Requests[corev1.ResourceMemory]; !ok {
				r.Memory = defaultMemoryRequest
			}
		}
		return r
	}

	var sum Resources
	for i := range pod.Spec.Containers {
		sum.addResources(containerRequests(&pod.Spec.Containers[i]))
	}

	var sidecars, initPeak Resources
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		req := containerRequests(c)
		if isRestartable(c) {
			// A sidecar keeps running alongside the app containers.
			sum.addResources(req)
			sidecars.addResources(req)
			initPeak.maxResources(sidecars)
			continue
		}
		req.addResources(sidecars)
		initPeak.maxResources(req)
	}
	sum.maxResources(initPeak)

	if pod.Spec.Overhead != nil {
		sum.add(pod.Spec.Overhead)
	}
	return sum
}

// isRestartable reports whether an init container is a sidecar (restartPolicy: Always).
func isRestartable(c *corev1.Container) bool {
	return c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
}

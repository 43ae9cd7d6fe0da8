package v1

import "strings"

// DefaultPodLevelResources completes partly specified pod-level resources (spec.resources)
// from the containers. Upstream runs it in the pod registry on create and on resize (not in
// the defaulter), in this order:
//  1. hugepages limits default to the containers' aggregated hugepages limits (unless the
//     pod requests that hugepage size);
//  2. missing requests default to the containers' aggregated requests for resources that
//     can be overcommitted, then to the pod-level limit;
//  3. a resource with a pod-level request but no pod-level limit gets the larger of that
//     request and the containers' aggregated limits, when every container has a limit.
func DefaultPodLevelResources(pod *Pod) {
	r := pod.Spec.Resources
	if r == nil || (len(r.Requests) == 0 && len(r.Limits) == 0) {
		return
	}
	defaultPodHugePageLimits(pod)
	defaultPodLevelRequests(pod)
	defaultPodLevelLimits(pod)
}

func defaultPodHugePageLimits(pod *Pod) {
	r := pod.Spec.Resources
	limits := r.Limits
	if limits == nil {
		limits = ResourceList{}
	}
	for name, q := range AggregateContainerLimits(pod) {
		if !IsHugePageResourceName(name) {
			continue
		}
		if _, ok := r.Requests[name]; ok {
			continue
		}
		if _, ok := limits[name]; !ok {
			limits[name] = q
		}
	}
	if len(limits) > 0 {
		r.Limits = limits
	}
}

func defaultPodLevelRequests(pod *Pod) {
	r := pod.Spec.Resources
	requests := r.Requests
	if requests == nil {
		requests = ResourceList{}
	}
	for name, q := range AggregateContainerRequests(pod) {
		if _, ok := requests[name]; !ok && isSupportedPodLevelResource(name) && isOvercommitAllowed(name) {
			requests[name] = q
		}
	}
	for name, q := range r.Limits {
		if _, ok := requests[name]; !ok && isSupportedPodLevelResource(name) {
			requests[name] = q
		}
	}
	if len(requests) > 0 {
		r.Requests = requests
	}
}

func defaultPodLevelLimits(pod *Pod) {
	r := pod.Spec.Resources
	var candidates []ResourceName
	for name := range r.Requests {
		if _, ok := r.Limits[name]; !ok && isSupportedPodLevelResource(name) && allContainersHaveLimit(pod, name) {
			candidates = append(candidates, name)
		}
	}
	if len(candidates) == 0 {
		return
	}
	aggregated := AggregateContainerLimits(pod)
	for _, name := range candidates {
		limit, ok := aggregated[name]
		if !ok {
			continue
		}
		// A pod-level request above the containers' limits raises the limit, so that the
		// pod stays valid (request <= limit).
		if req := r.Requests[name]; req.Cmp(limit) > 0 {
			limit = req
		}
		if r.Limits == nil {
			r.Limits = ResourceList{}
		}
		r.Limits[name] = limit
	}
}

// AggregateContainerRequests returns what the pod's containers request together: the sum of
// regular and sidecar containers, or the peak of any init container (plus the sidecars
// started before it) if that is larger.
func AggregateContainerRequests(pod *Pod) ResourceList {
	return aggregateContainers(pod, func(c *Container) ResourceList { return c.Resources.Requests })
}

// AggregateContainerLimits is AggregateContainerRequests for limits.
func AggregateContainerLimits(pod *Pod) ResourceList {
	return aggregateContainers(pod, func(c *Container) ResourceList { return c.Resources.Limits })
}

func aggregateContainers(pod *Pod, pick func(*Container) ResourceList) ResourceList {
	total := ResourceList{}
	for i := range pod.Spec.Containers {
		addResourceList(total, pick(&pod.Spec.Containers[i]))
	}
	sidecars := ResourceList{}
	initPeak := ResourceList{}
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		var during ResourceList
		if c.RestartPolicy != nil && *c.RestartPolicy == ContainerRestartPolicyAlways {
			addResourceList(total, pick(c))
			addResourceList(sidecars, pick(c))
			during = sidecars
		} else {
			during = ResourceList{}
			addResourceList(during, pick(c))
			addResourceList(during, sidecars)
		}
		maxResourceList(initPeak, during)
	}
	maxResourceList(total, initPeak)
	return total
}

// addResourceList adds every amount of add into into.
func addResourceList(into, add ResourceList) {
	for name, q := range add {
		if cur, ok := into[name]; ok {
			cur.Add(q)
			into[name] = cur
		} else {
			into[name] = q.DeepCopy()
		}
	}
}

// maxResourceList raises every amount of into to at least the one in other.
func maxResourceList(into, other ResourceList) {
	for name, q := range other {
		if cur, ok := into[name]; !ok || q.Cmp(cur) > 0 {
			into[name] = q.DeepCopy()
		}
	}
}

// allContainersHaveLimit reports whether every init and regular container limits name.
func allContainersHaveLimit(pod *Pod, name ResourceName) bool {
	for _, list := range [][]Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for i := range list {
			if _, ok := list[i].Resources.Limits[name]; !ok {
				return false
			}
		}
	}
	return true
}

// isSupportedPodLevelResource: pod-level resources may name cpu, memory and hugepages.
func isSupportedPodLevelResource(name ResourceName) bool {
	return name == ResourceCPU || name == ResourceMemory || IsHugePageResourceName(name)
}

// isOvercommitAllowed: native resources other than hugepages may be overcommitted.
func isOvercommitAllowed(name ResourceName) bool {
	return IsNativeResource(name) && !IsHugePageResourceName(name)
}

// IsHugePageResourceName reports whether name is "hugepages-<size>".
func IsHugePageResourceName(name ResourceName) bool {
	return strings.HasPrefix(string(name), ResourceHugePagesPrefix)
}

// IsNativeResource reports whether name belongs to Kubernetes itself: no domain, or the
// kubernetes.io domain.
func IsNativeResource(name ResourceName) bool {
	return !strings.Contains(string(name), "/") || strings.HasPrefix(string(name), ResourceDefaultNamespacePrefix)
}

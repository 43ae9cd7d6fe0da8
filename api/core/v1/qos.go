package v1

// ComputePodQOSClass derives a pod's QoS class the way the pod registry does on create.
//
// Each container is classified on cpu and memory: requests equal to limits and non-zero is
// Guaranteed, both absent (or zero) is BestEffort, anything else is Burstable; a container
// with no requests or limits at all is BestEffort. The pod is Burstable if any container is,
// or if its containers disagree; otherwise it has their common class. When the pod sets
// pod-level resources, they alone are classified the same way. Init containers count like
// regular ones.
func ComputePodQOSClass(pod *Pod) PodQOSClass {
	if r := pod.Spec.Resources; r != nil && (len(r.Requests) > 0 || len(r.Limits) > 0) {
		return requirementsQOS(r)
	}
	var class PodQOSClass
	for _, list := range [][]Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for i := range list {
			c := requirementsQOS(&list[i].Resources)
			switch {
			case c == PodQOSBurstable:
				return PodQOSBurstable
			case class == "":
				class = c
			case class != c:
				return PodQOSBurstable
			}
		}
	}
	if class == "" {
		return PodQOSBestEffort
	}
	return class
}

// requirementsQOS classifies one set of requests and limits.
func requirementsQOS(r *ResourceRequirements) PodQOSClass {
	if len(r.Requests) == 0 && len(r.Limits) == 0 {
		return PodQOSBestEffort
	}
	var class PodQOSClass
	for _, name := range []ResourceName{ResourceCPU, ResourceMemory} {
		req, lim := r.Requests[name], r.Limits[name]
		var c PodQOSClass
		switch {
		case !req.Equal(lim):
			return PodQOSBurstable
		case req.IsZero():
			c = PodQOSBestEffort
		default:
			c = PodQOSGuaranteed
		}
		if class == "" {
			class = c
		} else if class != c {
			return PodQOSBurstable
		}
	}
	return class
}

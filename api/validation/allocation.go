package validation

import "fmt"

// Upstream's service registry reports a cluster IP or node port it cannot hand out as an
// invalid field, while allocating (after validation). These build those errors with
// upstream's words, for Skiff's allocators to return in the same 422 response.

// NodePortOutOfRange: a requested node port outside the node port range (30000-32767 by
// default). index is the position in spec.ports.
func NodePortOutOfRange(index int, port int32, first, last int) *Error {
	return Invalid(NewPath("spec", "ports").Index(index).Child("nodePort"), port,
		fmt.Sprintf("provided port is not in the valid range. The range of valid ports is %d-%d", first, last))
}

// NodePortAllocated: a requested node port another service already holds.
func NodePortAllocated(index int, port int32) *Error {
	return Invalid(NewPath("spec", "ports").Index(index).Child("nodePort"), port, "provided port is already allocated")
}

// ClusterIPOutOfRange: a requested cluster IP outside the service CIDR.
func ClusterIPOutOfRange(clusterIPs []string, ip, cidr string) *Error {
	return clusterIPNotAllocated(clusterIPs, ip,
		fmt.Sprintf("the provided IP (%s) is not in the valid range. The range of valid IPs is %s", ip, cidr))
}

// ClusterIPAllocated: a requested cluster IP another service already holds.
func ClusterIPAllocated(clusterIPs []string, ip string) *Error {
	return clusterIPNotAllocated(clusterIPs, ip, "provided IP is already allocated")
}

func clusterIPNotAllocated(clusterIPs []string, ip, why string) *Error {
	return Invalid(NewPath("spec", "clusterIPs"), clusterIPs, fmt.Sprintf("failed to allocate IP %s: %s", ip, why))
}

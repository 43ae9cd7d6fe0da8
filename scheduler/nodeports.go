package scheduler

import (
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

const reasonNodePorts = "node(s) didn't have free ports for the requested pod ports"

// hostPort is one port a pod binds on its node's network namespace.
type hostPort struct {
	IP       string // "0.0.0.0" when the pod did not name a host IP: every address
	Protocol corev1.Protocol
	Port     int32
}

// wildcardIP is what an empty hostIP means.
const wildcardIP = "0.0.0.0"

// conflicts reports whether two host ports cannot coexist on one node: same protocol and
// port, on the same address or with either side listening on all addresses.
func (p hostPort) conflicts(o hostPort) bool {
	if p.Port != o.Port || p.Protocol != o.Protocol {
		return false
	}
	return p.IP == o.IP || p.IP == wildcardIP || o.IP == wildcardIP
}

// podHostPorts lists the host ports of a pod's containers and sidecars (init containers
// that keep running); classic init containers have exited before the app starts.
func podHostPorts(pod *corev1.Pod) []hostPort {
	var ports []hostPort
	collect := func(c *corev1.Container) {
		for _, p := range c.Ports {
			if p.HostPort <= 0 {
				continue
			}
			hp := hostPort{IP: p.HostIP, Protocol: p.Protocol, Port: p.HostPort}
			if hp.IP == "" {
				hp.IP = wildcardIP
			}
			if hp.Protocol == "" {
				hp.Protocol = corev1.ProtocolTCP
			}
			ports = append(ports, hp)
		}
	}
	for i := range pod.Spec.Containers {
		collect(&pod.Spec.Containers[i])
	}
	for i := range pod.Spec.InitContainers {
		if isRestartable(&pod.Spec.InitContainers[i]) {
			collect(&pod.Spec.InitContainers[i])
		}
	}
	return ports
}

// removeHostPorts removes one occurrence of each of ports from used (a pod leaving).
func removeHostPorts(used, ports []hostPort) []hostPort {
	for _, p := range ports {
		for i, u := range used {
			if u == p {
				used = append(used[:i], used[i+1:]...)
				break
			}
		}
	}
	return used
}

// filterNodePorts rejects nodes where another pod already holds a host port this pod needs.
// Unlike taints, this is Unschedulable: evicting the holder would free the port.
func filterNodePorts(c *Cycle, n *NodeInfo) *Status {
	for _, want := range c.PodInfo.HostPorts {
		for _, used := range n.UsedPorts {
			if want.conflicts(used) {
				return reject(Unschedulable, reasonNodePorts)
			}
		}
	}
	return nil
}

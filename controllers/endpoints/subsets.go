package endpoints

import (
	"cmp"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/intstr"
)

// maxCapacity is how many addresses one Endpoints object may hold; beyond it the
// controller truncates and says so with the over-capacity annotation (as upstream: the
// EndpointSlice API is the one that scales).
const maxCapacity = 1000

// overCapacityValue is the value of the endpoints.kubernetes.io/over-capacity annotation.
const overCapacityValue = "truncated"

// computeSubsets is the decision: the subsets the Endpoints of svc must list, given the
// pods its selector matches. Each pod with an IP contributes an address (to addresses when
// ready or when the service publishes not-ready addresses, to notReadyAddresses
// otherwise) for every service port its containers can serve; addresses serving the same
// set of ports share a subset.
func computeSubsets(svc *corev1.Service, pods []*corev1.Pod) []corev1.EndpointSubset {
	var subsets []corev1.EndpointSubset
	publishNotReady := svc.Spec.PublishNotReadyAddresses
	for _, pod := range pods {
		if !inEndpoints(pod, publishNotReady) {
			continue
		}
		addr, ok := podAddress(svc, pod)
		if !ok {
			continue // no IP of the service's family (a single-stack pod behind a v6 service)
		}
		ready := publishNotReady || isPodReady(pod)
		if len(svc.Spec.Ports) == 0 {
			// A headless service may have no ports: its addresses are for DNS only.
			if svc.Spec.ClusterIP == corev1.ClusterIPNone {
				subsets = append(subsets, oneAddress(addr, nil, ready))
			}
			continue
		}
		for i := range svc.Spec.Ports {
			sp := &svc.Spec.Ports[i]
			port, err := findPort(pod, sp)
			if err != nil {
				continue
			}
			ep := corev1.EndpointPort{Name: sp.Name, Port: int32(port), Protocol: sp.Protocol, AppProtocol: sp.AppProtocol}
			subsets = append(subsets, oneAddress(addr, &ep, ready))
		}
	}
	return repackSubsets(subsets)
}

// inEndpoints says whether a pod belongs in a service's Endpoints at all: it has an IP, it
// has not finished (Succeeded or Failed), and it is not being deleted unless the service
// publishes not-ready addresses.
func inEndpoints(pod *corev1.Pod, includeTerminating bool) bool {
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		return false
	}
	if pod.Status.PodIP == "" && len(pod.Status.PodIPs) == 0 {
		return false
	}
	return includeTerminating || pod.DeletionTimestamp == nil
}

// podAddress is the pod's address for the service: its IP of the service's family (the
// first of spec.ipFamilies; from the cluster IP, or the pod's IP for a headless service,
// when the server did not fill ipFamilies), its node and a reference to it.
func podAddress(svc *corev1.Service, pod *corev1.Pod) (corev1.EndpointAddress, bool) {
	wantV6 := false
	switch {
	case len(svc.Spec.IPFamilies) > 0:
		wantV6 = svc.Spec.IPFamilies[0] == corev1.IPv6Protocol
	case svc.Spec.ClusterIP != "" && svc.Spec.ClusterIP != corev1.ClusterIPNone:
		wantV6 = isIPv6(svc.Spec.ClusterIP)
	default:
		wantV6 = isIPv6(pod.Status.PodIP)
	}
	ips := make([]string, 0, len(pod.Status.PodIPs)+1)
	for _, ip := range pod.Status.PodIPs {
		ips = append(ips, ip.IP)
	}
	if len(ips) == 0 {
		ips = append(ips, pod.Status.PodIP)
	}
	for _, ip := range ips {
		if isIPv6(ip) != wantV6 {
			continue
		}
		nodeName := pod.Spec.NodeName
		addr := corev1.EndpointAddress{
			IP: ip, NodeName: &nodeName,
			TargetRef: &corev1.ObjectReference{Kind: "Pod", Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID},
		}
		// A pod naming the service as its subdomain gets a DNS name under it.
		if pod.Spec.Hostname != "" && pod.Spec.Subdomain == svc.Name && pod.Namespace == svc.Namespace {
			addr.Hostname = pod.Spec.Hostname
		}
		return addr, true
	}
	return corev1.EndpointAddress{}, false
}

func isIPv6(ip string) bool {
	a, err := netip.ParseAddr(ip)
	return err == nil && a.Is6() && !a.Is4In6()
}

// isPodReady reports the pod's Ready condition.
func isPodReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// findPort resolves a service port's targetPort on a pod: a number is used as is, a name
// is looked up among the ports of the pod's containers (and sidecar init containers) with
// the same protocol.
func findPort(pod *corev1.Pod, sp *corev1.ServicePort) (int, error) {
	tp := sp.TargetPort
	if tp.Type == intstr.Int {
		if tp.IntVal == 0 {
			return int(sp.Port), nil // not defaulted: targetPort defaults to port
		}
		return int(tp.IntVal), nil
	}
	proto := protocolOrTCP(sp.Protocol)
	containers := slices.Clone(pod.Spec.Containers)
	for _, c := range pod.Spec.InitContainers {
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			containers = append(containers, c)
		}
	}
	for _, c := range containers {
		for _, p := range c.Ports {
			if p.Name == tp.StrVal && protocolOrTCP(p.Protocol) == proto {
				return int(p.ContainerPort), nil
			}
		}
	}
	return 0, fmt.Errorf("no suitable port for manifest: %s", pod.UID)
}

func protocolOrTCP(p corev1.Protocol) corev1.Protocol {
	if p == "" {
		return corev1.ProtocolTCP
	}
	return p
}

// oneAddress is a subset of one address and at most one port.
func oneAddress(addr corev1.EndpointAddress, port *corev1.EndpointPort, ready bool) corev1.EndpointSubset {
	s := corev1.EndpointSubset{}
	if port != nil {
		s.Ports = []corev1.EndpointPort{*port}
	}
	if ready {
		s.Addresses = []corev1.EndpointAddress{addr}
	} else {
		s.NotReadyAddresses = []corev1.EndpointAddress{addr}
	}
	return s
}

// addressKey identifies an address: the same IP may come from two pods (host network).
type addressKey struct{ ip, uid string }

func keyOf(a *corev1.EndpointAddress) addressKey {
	k := addressKey{ip: a.IP}
	if a.TargetRef != nil {
		k.uid = a.TargetRef.UID
	}
	return k
}

// noPort stands for "no ports at all" (headless services without ports).
var noPort = corev1.EndpointPort{Port: -1}

// repackSubsets regroups addresses so that each subset holds the addresses serving exactly
// the same set of ports (the N-to-M shape the Endpoints API wants), an address counting as
// ready for a port if any input said so. The result is sorted, so equal inputs always give
// equal Endpoints and no needless update is written.
func repackSubsets(subsets []corev1.EndpointSubset) []corev1.EndpointSubset {
	addrs := map[addressKey]corev1.EndpointAddress{}
	// byPort: port -> address -> ready
	byPort := map[corev1.EndpointPort]map[addressKey]bool{}
	note := func(a corev1.EndpointAddress, port corev1.EndpointPort, ready bool) {
		k := keyOf(&a)
		if _, ok := addrs[k]; !ok {
			addrs[k] = a
		}
		if byPort[port] == nil {
			byPort[port] = map[addressKey]bool{}
		}
		if wasReady, seen := byPort[port][k]; !seen || !wasReady {
			byPort[port][k] = ready
		}
	}
	for _, s := range subsets {
		ports := s.Ports
		if len(ports) == 0 {
			ports = []corev1.EndpointPort{noPort}
		}
		for _, p := range ports {
			for _, a := range s.Addresses {
				note(a, p, true)
			}
			for _, a := range s.NotReadyAddresses {
				note(a, p, false)
			}
		}
	}
	// Group the ports by the exact set of (address, readiness) serving them.
	type group struct {
		members map[addressKey]bool
		ports   []corev1.EndpointPort
	}
	groups := map[string]*group{}
	for port, members := range byPort {
		sig := signature(members)
		g, ok := groups[sig]
		if !ok {
			g = &group{members: members}
			groups[sig] = g
		}
		if port != noPort {
			g.ports = append(g.ports, port)
		}
	}
	out := make([]corev1.EndpointSubset, 0, len(groups))
	for _, g := range groups {
		var s corev1.EndpointSubset
		for k, ready := range g.members {
			if ready {
				s.Addresses = append(s.Addresses, addrs[k])
			} else {
				s.NotReadyAddresses = append(s.NotReadyAddresses, addrs[k])
			}
		}
		slices.SortFunc(s.Addresses, compareAddress)
		slices.SortFunc(s.NotReadyAddresses, compareAddress)
		slices.SortFunc(g.ports, comparePort)
		s.Ports = g.ports
		out = append(out, s)
	}
	slices.SortFunc(out, compareSubset)
	return out
}

// signature renders a set of (address, readiness) as a string, to group ports by it.
func signature(members map[addressKey]bool) string {
	parts := make([]string, 0, len(members))
	for k, ready := range members {
		parts = append(parts, fmt.Sprintf("%s/%s/%t", k.ip, k.uid, ready))
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}

func compareAddress(a, b corev1.EndpointAddress) int {
	ka, kb := keyOf(&a), keyOf(&b)
	// Text order, as upstream sorts them (10.0.0.10 before 10.0.0.9).
	return cmp.Or(strings.Compare(ka.ip, kb.ip), strings.Compare(ka.uid, kb.uid))
}

func comparePort(a, b corev1.EndpointPort) int {
	return cmp.Or(strings.Compare(a.Name, b.Name), cmp.Compare(a.Port, b.Port), strings.Compare(string(a.Protocol), string(b.Protocol)))
}

// compareSubset orders subsets by their first port, then their first address.
func compareSubset(a, b corev1.EndpointSubset) int {
	first := func(s corev1.EndpointSubset) (corev1.EndpointPort, corev1.EndpointAddress) {
		var p corev1.EndpointPort
		var addr corev1.EndpointAddress
		if len(s.Ports) > 0 {
			p = s.Ports[0]
		}
		if len(s.Addresses) > 0 {
			addr = s.Addresses[0]
		} else if len(s.NotReadyAddresses) > 0 {
			addr = s.NotReadyAddresses[0]
		}
		return p, addr
	}
	pa, aa := first(a)
	pb, ab := first(b)
	return cmp.Or(comparePort(pa, pb), compareAddress(aa, ab))
}

// truncate keeps at most maxCapacity addresses, ready ones first, spreading the cut over
// the subsets in proportion to their size; it reports whether it cut anything.
func truncate(subsets []corev1.EndpointSubset) bool {
	ready, notReady := 0, 0
	for _, s := range subsets {
		ready += len(s.Addresses)
		notReady += len(s.NotReadyAddresses)
	}
	if ready+notReady <= maxCapacity {
		return false
	}
	cutReady := ready > maxCapacity
	budget, total := maxCapacity-ready, notReady
	if cutReady {
		budget, total = maxCapacity, ready
	}
	left := budget
	for i := range subsets {
		s := &subsets[i]
		n := len(s.NotReadyAddresses)
		if cutReady {
			n = len(s.Addresses)
		}
		keep := min(int(math.Ceil(float64(n)/float64(total)*float64(budget))), left)
		if cutReady {
			s.Addresses = s.Addresses[:min(keep, len(s.Addresses))]
			s.NotReadyAddresses = nil
			left -= len(s.Addresses)
		} else {
			s.NotReadyAddresses = s.NotReadyAddresses[:min(keep, len(s.NotReadyAddresses))]
			left -= len(s.NotReadyAddresses)
		}
	}
	return true
}

package proxy

import (
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"sort"
	"strconv"
	"strings"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

// The chains Skiff owns. The built-in chains jump to the first three.
const (
	chainServices    = "SKIFF-SERVICES"    // nat PREROUTING + OUTPUT: match a Service's VIP
	chainPostrouting = "SKIFF-POSTROUTING" // nat POSTROUTING: masquerade marked packets
	chainFilter      = "SKIFF-FILTER"      // filter INPUT/OUTPUT/FORWARD: reject VIPs with no endpoints
	chainNodePorts   = "SKIFF-NODEPORTS"   // nat, from SKIFF-SERVICES for local destinations
	chainMarkMasq    = "SKIFF-MARK-MASQ"   // nat: mark a packet for masquerading
	svcChainPrefix   = "SKIFF-SVC-"
	sepChainPrefix   = "SKIFF-SEP-"
	masqMark         = "0x4000/0x4000"
)

// Options are the node facts the rules depend on.
type Options struct {
	// PodCIDR is the range pods live in; traffic from it to a Service is masqueraded.
	PodCIDR string
}

// servicePort is one port of one Service with the endpoints that serve it.
type servicePort struct {
	namespace, name string
	port            corev1.ServicePort
	clusterIPs      []string
	nodePort        int32
	endpoints       []string // "ip:port", sorted
}

// key names the port as kube-proxy does: "ns/name:portname", or "ns/name" for an
// unnamed (single) port.
func (sp servicePort) key() string {
	if sp.port.Name == "" {
		return sp.namespace + "/" + sp.name
	}
	return sp.namespace + "/" + sp.name + ":" + sp.port.Name
}

// Render returns the iptables-restore input for the nat and filter tables: Skiff's chains,
// flushed and rewritten whole, for the given Services and their Endpoints (by
// "namespace/name"). It does not touch the built-in chains; EnsureJumps does that once.
func Render(services []*corev1.Service, endpoints map[string]*corev1.Endpoints, opts Options) string {
	ports := servicePorts(services, endpoints)
	var nat, filter strings.Builder
	natChains := []string{chainServices, chainPostrouting, chainNodePorts, chainMarkMasq}
	for _, sp := range ports {
		if len(sp.endpoints) == 0 {
			continue
		}
		natChains = append(natChains, svcChain(sp))
		for _, ep := range sp.endpoints {
			natChains = append(natChains, sepChain(sp, ep))
		}
	}
	nat.WriteString("*nat\n")
	for _, c := range natChains {
		fmt.Fprintf(&nat, ":%s - [0:0]\n", c)
	}
	fmt.Fprintf(&nat, "-A %s -j MARK --set-xmark %s\n", chainMarkMasq, masqMark)
	fmt.Fprintf(&nat, "-A %s -m mark --mark %s -j MASQUERADE\n", chainPostrouting, masqMark)

	filter.WriteString("*filter\n")
	fmt.Fprintf(&filter, ":%s - [0:0]\n", chainFilter)

	for _, sp := range ports {
		proto := strings.ToLower(string(sp.port.Protocol))
		if proto == "" {
			proto = "tcp"
		}
		comment := fmt.Sprintf(`-m comment --comment "%s"`, sp.key())
		if len(sp.endpoints) == 0 {
			// No ready endpoint: refuse at once instead of letting the client time out.
			for _, ip := range sp.clusterIPs {
				fmt.Fprintf(&filter, "-A %s %s -d %s/32 -p %s -m %s --dport %d -j REJECT\n",
					chainFilter, commentNoEndpoints(sp), ip, proto, proto, sp.port.Port)
			}
			if sp.nodePort != 0 {
				fmt.Fprintf(&filter, "-A %s %s -m addrtype --dst-type LOCAL -p %s -m %s --dport %d -j REJECT\n",
					chainFilter, commentNoEndpoints(sp), proto, proto, sp.nodePort)
			}
			continue
		}
		svc := svcChain(sp)
		for _, ip := range sp.clusterIPs {
			fmt.Fprintf(&nat, "-A %s %s -d %s/32 -p %s -m %s --dport %d -j %s\n",
				chainServices, comment, ip, proto, proto, sp.port.Port, svc)
		}
		if sp.nodePort != 0 {
			fmt.Fprintf(&nat, "-A %s %s -p %s -m %s --dport %d -j %s\n",
				chainNodePorts, comment, proto, proto, sp.nodePort, svc)
		}
		if opts.PodCIDR != "" {
			// Pod to Service: masquerade so the reply returns through the host.
			fmt.Fprintf(&nat, "-A %s %s -s %s -j %s\n", svc, comment, opts.PodCIDR, chainMarkMasq)
		}
		// Pick an endpoint with equal chances: the i-th of n rules matches with
		// probability 1/(n-i), the last one always.
		n := len(sp.endpoints)
		for i, ep := range sp.endpoints {
			sep := sepChain(sp, ep)
			if i < n-1 {
				fmt.Fprintf(&nat, "-A %s %s -m statistic --mode random --probability %s -j %s\n",
					svc, comment, probability(n-i), sep)
			} else {
				fmt.Fprintf(&nat, "-A %s %s -j %s\n", svc, comment, sep)
			}
		}
		for _, ep := range sp.endpoints {
			sep := sepChain(sp, ep)
			host := ep[:strings.LastIndex(ep, ":")]
			// A pod reaching itself through its own Service (hairpin) must be masqueraded.
			fmt.Fprintf(&nat, "-A %s %s -s %s/32 -j %s\n", sep, comment, host, chainMarkMasq)
			fmt.Fprintf(&nat, "-A %s %s -p %s -m %s -j DNAT --to-destination %s\n", sep, comment, proto, proto, ep)
		}
	}
	// NodePorts last, for local destinations only, as kube-proxy orders them.
	fmt.Fprintf(&nat, "-A %s -m comment --comment \"skiff service nodeports\" -m addrtype --dst-type LOCAL -j %s\n",
		chainServices, chainNodePorts)
	nat.WriteString("COMMIT\n")
	filter.WriteString("COMMIT\n")
	return filter.String() + nat.String()
}

func commentNoEndpoints(sp servicePort) string {
	return fmt.Sprintf(`-m comment --comment "%s has no endpoints"`, sp.key())
}

// probability renders 1/n with the precision kube-proxy uses.
func probability(n int) string {
	return strconv.FormatFloat(1.0/float64(n), 'f', 10, 64)
}

// servicePorts pairs each port of each Service that has a ClusterIP with the ready
// endpoint addresses that serve it, sorted so the output is stable.
func servicePorts(services []*corev1.Service, endpoints map[string]*corev1.Endpoints) []servicePort {
	var out []servicePort
	for _, svc := range services {
		ips := serviceIPs(svc)
		if len(ips) == 0 {
			continue // headless or ExternalName: nothing to proxy
		}
		ep := endpoints[svc.Namespace+"/"+svc.Name]
		for _, p := range svc.Spec.Ports {
			sp := servicePort{namespace: svc.Namespace, name: svc.Name, port: p, clusterIPs: ips}
			if svc.Spec.Type == corev1.ServiceTypeNodePort || svc.Spec.Type == corev1.ServiceTypeLoadBalancer {
				sp.nodePort = p.NodePort
			}
			sp.endpoints = readyEndpoints(ep, p)
			out = append(out, sp)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	return out
}

// serviceIPs returns the IPv4 cluster IPs of a Service ("None" and empty mean none).
func serviceIPs(svc *corev1.Service) []string {
	ips := svc.Spec.ClusterIPs
	if len(ips) == 0 && svc.Spec.ClusterIP != "" {
		ips = []string{svc.Spec.ClusterIP}
	}
	var out []string
	for _, ip := range ips {
		if ip != "" && ip != corev1.ClusterIPNone && !strings.Contains(ip, ":") {
			out = append(out, ip)
		}
	}
	return out
}

// readyEndpoints finds the Endpoints port matching the Service port (by name, as the
// endpoints controller names them after the Service's ports) and returns "ip:port" of
// every ready address.
func readyEndpoints(ep *corev1.Endpoints, p corev1.ServicePort) []string {
	if ep == nil {
		return nil
	}
	var out []string
	for _, subset := range ep.Subsets {
		for _, epp := range subset.Ports {
			if epp.Name != p.Name || (epp.Protocol != "" && p.Protocol != "" && epp.Protocol != p.Protocol) {
				continue
			}
			for _, a := range subset.Addresses {
				out = append(out, a.IP+":"+strconv.Itoa(int(epp.Port)))
			}
		}
	}
	sort.Strings(out)
	return out
}

// svcChain and sepChain name a Service port's chain and an endpoint's chain by a hash,
// so names stay within iptables' 28 characters and are stable across restarts.
func svcChain(sp servicePort) string {
	return svcChainPrefix + shortHash(sp.key()+string(sp.port.Protocol))
}

func sepChain(sp servicePort, endpoint string) string {
	return sepChainPrefix + shortHash(sp.key()+string(sp.port.Protocol)+endpoint)
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base32.StdEncoding.EncodeToString(sum[:])[:16]
}

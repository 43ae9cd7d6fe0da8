package v1

import (
	"github.com/skiff-k8s/skiff/api/intstr"
)

// DefaultService fills in upstream's defaults for a service. Cluster IPs, IP families and
// node ports are allocated by the apiserver's service registry, not here.
func DefaultService(svc *Service) {
	spec := &svc.Spec
	if spec.SessionAffinity == "" {
		spec.SessionAffinity = ServiceAffinityNone
	}
	switch spec.SessionAffinity {
	case ServiceAffinityNone:
		spec.SessionAffinityConfig = nil
	case ServiceAffinityClientIP:
		c := spec.SessionAffinityConfig
		if c == nil || c.ClientIP == nil || c.ClientIP.TimeoutSeconds == nil {
			spec.SessionAffinityConfig = &SessionAffinityConfig{
				ClientIP: &ClientIPConfig{TimeoutSeconds: ptrTo(DefaultClientIPServiceAffinitySeconds)},
			}
		}
	}
	if spec.Type == "" {
		spec.Type = ServiceTypeClusterIP
	}
	for i := range spec.Ports {
		p := &spec.Ports[i]
		if p.Protocol == "" {
			p.Protocol = ProtocolTCP
		}
		if intOrStringZero(p.TargetPort) {
			p.TargetPort = intstr.FromInt32(p.Port)
		}
	}
	if ExternallyAccessible(svc) && spec.ExternalTrafficPolicy == "" {
		spec.ExternalTrafficPolicy = ServiceExternalTrafficPolicyCluster
	}
	if spec.InternalTrafficPolicy == nil {
		switch spec.Type {
		case ServiceTypeClusterIP, ServiceTypeNodePort, ServiceTypeLoadBalancer:
			spec.InternalTrafficPolicy = ptrTo(ServiceInternalTrafficPolicyCluster)
		}
	}
	if spec.Type == ServiceTypeLoadBalancer {
		if spec.AllocateLoadBalancerNodePorts == nil {
			spec.AllocateLoadBalancerNodePorts = ptrTo(true)
		}
		for i := range svc.Status.LoadBalancer.Ingress {
			if ing := &svc.Status.LoadBalancer.Ingress[i]; ing.IP != "" && ing.IPMode == nil {
				ing.IPMode = ptrTo(LoadBalancerIPModeVIP)
			}
		}
	}
}

// ExternallyAccessible reports whether traffic from outside the cluster can reach the
// service: NodePort and LoadBalancer services, and ClusterIP services with external IPs.
func ExternallyAccessible(svc *Service) bool {
	switch svc.Spec.Type {
	case ServiceTypeLoadBalancer, ServiceTypeNodePort:
		return true
	case ServiceTypeClusterIP:
		return len(svc.Spec.ExternalIPs) > 0
	}
	return false
}

// DefaultNamespace labels a named namespace with its name and sets phase Active. (The
// "kubernetes" spec finalizer is added by the namespace registry on create, not here.)
func DefaultNamespace(ns *Namespace) {
	if ns.Name != "" {
		if ns.Labels == nil {
			ns.Labels = map[string]string{}
		}
		ns.Labels[LabelMetadataName] = ns.Name
	}
	if ns.Status.Phase == "" {
		ns.Status.Phase = NamespaceActive
	}
}

// DefaultSecret sets type Opaque when none is given.
func DefaultSecret(s *Secret) {
	if s.Type == "" {
		s.Type = SecretTypeOpaque
	}
}

// DefaultConfigMap applies upstream's (invisible on the wire) default of an empty data map.
func DefaultConfigMap(cm *ConfigMap) {
	if cm.Data == nil {
		cm.Data = map[string]string{}
	}
}

// DefaultNode makes allocatable default to capacity, rounds amounts to milli precision and
// keeps spec.podCIDR and spec.podCIDRs consistent (a podCIDR that disagrees wins, as for
// older clients upstream; podCIDR mirrors the first podCIDRs entry).
func DefaultNode(n *Node) {
	st := &n.Status
	if st.Allocatable == nil && st.Capacity != nil {
		st.Allocatable = st.Capacity.DeepCopy()
	}
	roundResourceList(st.Capacity)
	roundResourceList(st.Allocatable)
	spec := &n.Spec
	if spec.PodCIDR != "" && (len(spec.PodCIDRs) == 0 || spec.PodCIDRs[0] != spec.PodCIDR) {
		spec.PodCIDRs = []string{spec.PodCIDR}
	}
	if len(spec.PodCIDRs) > 0 {
		spec.PodCIDR = spec.PodCIDRs[0]
	}
}

// DefaultEndpoints sets protocol TCP on ports without one.
func DefaultEndpoints(e *Endpoints) {
	for i := range e.Subsets {
		for j := range e.Subsets[i].Ports {
			if p := &e.Subsets[i].Ports[j]; p.Protocol == "" {
				p.Protocol = ProtocolTCP
			}
		}
	}
}

// DefaultEvent, DefaultServiceAccount and DefaultBinding exist so every kind has a
// defaulter; upstream defines no defaults for them.
func DefaultEvent(*Event)                   {}
func DefaultServiceAccount(*ServiceAccount) {}
func DefaultBinding(*Binding)               {}

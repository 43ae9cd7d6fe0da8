package registry

import (
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/validation"
)

func services() *Resource {
	return &Resource{
		Version: "v1", Name: "services", SingularName: "service", Kind: "Service",
		ListKind: "ServiceList", Namespaced: true,
		ShortNames: []string{"svc"}, Categories: []string{"all"},
		Verbs:    standardVerbs(),
		New:      func() metav1.Object { return &corev1.Service{} },
		Strategy: serviceStrategy{},
		FieldLabels: func(obj metav1.Object) map[string]string {
			svc := obj.(*corev1.Service)
			return map[string]string{"spec.clusterIP": svc.Spec.ClusterIP, "spec.type": string(svc.Spec.Type)}
		},
		Status: true,
	}
}

// serviceStrategy is upstream's service strategy; the cluster IP and node port allocation
// that upstream's service storage does around it is the Reserver half, in
// services_alloc.go. PUT of a missing service creates it, as upstream allows.
type serviceStrategy struct{}

func (serviceStrategy) Default(obj metav1.Object) { corev1.DefaultService(obj.(*corev1.Service)) }

func (serviceStrategy) PrepareForCreate(obj metav1.Object) {
	obj.(*corev1.Service).Status = corev1.ServiceStatus{}
}

func (serviceStrategy) PrepareForUpdate(obj, old metav1.Object) {
	svc, oldSvc := obj.(*corev1.Service), old.(*corev1.Service)
	svc.Status = oldSvc.Status
	dropTypeDependentFields(svc, oldSvc)
}

// dropTypeDependentFields clears what only made sense for the old type when a client
// changes spec.type but leaves the old values in place (kubectl edit, apply): the cluster
// IPs of a service turned ExternalName, node ports of one turned ClusterIP, and so on. A
// value the client changed along with the type is kept, so validation can complain.
func dropTypeDependentFields(svc, old *corev1.Service) {
	if needsClusterIP(old) && !needsClusterIP(svc) {
		if sameClusterIPs(old, svc) {
			svc.Spec.ClusterIP = ""
			svc.Spec.ClusterIPs = nil
		}
		if sameStrings(familiesOf(old), familiesOf(svc)) {
			svc.Spec.IPFamilies = nil
		}
		if policyOf(old) == policyOf(svc) {
			svc.Spec.IPFamilyPolicy = nil
		}
	}
	if needsNodePorts(old) && !needsNodePorts(svc) && nodePortSet(old).containsAll(nodePortSet(svc)) {
		for i := range svc.Spec.Ports {
			svc.Spec.Ports[i].NodePort = 0
		}
	}
	if needsHealthCheck(old) && !needsHealthCheck(svc) && old.Spec.HealthCheckNodePort == svc.Spec.HealthCheckNodePort {
		svc.Spec.HealthCheckNodePort = 0
	}
	if old.Spec.Type == corev1.ServiceTypeLoadBalancer && svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		if a, b := old.Spec.AllocateLoadBalancerNodePorts, svc.Spec.AllocateLoadBalancerNodePorts; a != nil && b != nil && *a == *b {
			svc.Spec.AllocateLoadBalancerNodePorts = nil
		}
		if sameOptionalString(old.Spec.LoadBalancerClass, svc.Spec.LoadBalancerClass) {
			svc.Spec.LoadBalancerClass = nil
		}
	}
	if externallyAccessible(old) && !externallyAccessible(svc) && old.Spec.ExternalTrafficPolicy == svc.Spec.ExternalTrafficPolicy {
		svc.Spec.ExternalTrafficPolicy = ""
	}
	if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
		svc.Status.LoadBalancer = corev1.LoadBalancerStatus{}
	}
}

func (serviceStrategy) PrepareForStatusUpdate(obj, old metav1.Object) {
	obj.(*corev1.Service).Spec = old.(*corev1.Service).Spec
}

func (serviceStrategy) Validate(obj metav1.Object) validation.ErrorList {
	return validation.ValidateService(obj.(*corev1.Service))
}

func (serviceStrategy) ValidateUpdate(obj, old metav1.Object) validation.ErrorList {
	return validation.ValidateServiceUpdate(obj.(*corev1.Service), old.(*corev1.Service))
}

func (serviceStrategy) ValidateStatusUpdate(obj, old metav1.Object) validation.ErrorList {
	return validation.ValidateServiceStatusUpdate(obj.(*corev1.Service), old.(*corev1.Service))
}

func (serviceStrategy) AllowCreateOnUpdate() bool { return true }

// Small predicates over services, shared with the allocation code.

func needsClusterIP(svc *corev1.Service) bool { return svc.Spec.Type != corev1.ServiceTypeExternalName }

func needsNodePorts(svc *corev1.Service) bool {
	return svc.Spec.Type == corev1.ServiceTypeNodePort || svc.Spec.Type == corev1.ServiceTypeLoadBalancer
}

// allocatesNodePorts: NodePort services always get node ports; LoadBalancer ones unless
// allocateLoadBalancerNodePorts is false.
func allocatesNodePorts(svc *corev1.Service) bool {
	switch svc.Spec.Type {
	case corev1.ServiceTypeNodePort:
		return true
	case corev1.ServiceTypeLoadBalancer:
		return svc.Spec.AllocateLoadBalancerNodePorts == nil || *svc.Spec.AllocateLoadBalancerNodePorts
	}
	return false
}

// needsHealthCheck: a LoadBalancer with externalTrafficPolicy Local gets a health check
// node port that the cloud load balancer probes.
func needsHealthCheck(svc *corev1.Service) bool {
	return svc.Spec.Type == corev1.ServiceTypeLoadBalancer && svc.Spec.ExternalTrafficPolicy == corev1.ServiceExternalTrafficPolicyLocal
}

func externallyAccessible(svc *corev1.Service) bool {
	return svc.Spec.Type == corev1.ServiceTypeLoadBalancer || svc.Spec.Type == corev1.ServiceTypeNodePort ||
		(svc.Spec.Type == corev1.ServiceTypeClusterIP && len(svc.Spec.ExternalIPs) > 0)
}

func isHeadless(svc *corev1.Service) bool {
	return len(svc.Spec.ClusterIPs) > 0 && svc.Spec.ClusterIPs[0] == corev1.ClusterIPNone
}

func sameClusterIPs(a, b *corev1.Service) bool {
	return a.Spec.ClusterIP == b.Spec.ClusterIP && sameStrings(a.Spec.ClusterIPs, b.Spec.ClusterIPs)
}

func familiesOf(svc *corev1.Service) []string {
	out := make([]string, len(svc.Spec.IPFamilies))
	for i, f := range svc.Spec.IPFamilies {
		out[i] = string(f)
	}
	return out
}

func policyOf(svc *corev1.Service) corev1.IPFamilyPolicy {
	if svc.Spec.IPFamilyPolicy == nil {
		return ""
	}
	return *svc.Spec.IPFamilyPolicy
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func sameOptionalString(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

type portSet map[int32]bool

func nodePortSet(svc *corev1.Service) portSet {
	s := portSet{}
	for _, p := range svc.Spec.Ports {
		if p.NodePort != 0 {
			s[p.NodePort] = true
		}
	}
	return s
}

func (s portSet) containsAll(o portSet) bool {
	for p := range o {
		if !s[p] {
			return false
		}
	}
	return true
}

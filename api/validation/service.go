package validation

import (
	"fmt"
	"strings"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/intstr"
	"github.com/skiff-k8s/skiff/api/names"
)

const (
	// maxSessionAffinitySeconds caps a ClientIP session affinity timeout (one day).
	maxSessionAffinitySeconds = 86400
	// The annotation older clients used for spec.loadBalancerSourceRanges.
	annotationLBSourceRanges = "service.beta.kubernetes.io/load-balancer-source-ranges"
	annotationTopologyMode   = "service.kubernetes.io/topology-mode"
	annotationTopologyHints  = "service.kubernetes.io/topology-aware-hints"
)

var (
	supportedServiceTypes     = []string{"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"}
	supportedSessionAffinity  = []string{"ClientIP", "None"}
	supportedIPFamilies       = []string{"IPv4", "IPv6"}
	supportedIPFamilyPolicies = []string{"PreferDualStack", "RequireDualStack", "SingleStack"}
	supportedTrafficPolicies  = []string{"Cluster", "Local"}
	supportedTrafficDistrib   = []string{"PreferClose", "PreferSameZone", "PreferSameNode"}
	supportedLBIPModes        = []string{"Proxy", "VIP"}
)

// ValidateService checks a service being created. Service names are DNS-1123 labels (they
// become DNS names); upstream relaxed them from DNS-1035 labels in 1.37.
func ValidateService(svc *corev1.Service) ErrorList {
	errs := ValidateObjectMeta(&svc.ObjectMeta, true, names.NameIsDNSLabel, NewPath("metadata"))
	return append(errs, validateService(svc, nil)...).uniq()
}

// ValidateServiceUpdate checks an update: the allocated cluster IPs and IP families may gain
// or lose a secondary entry but never change, the load balancer class and health check port
// stay, and the result must be a valid service.
func ValidateServiceUpdate(svc, old *corev1.Service) ErrorList {
	errs := updateCommon(&svc.ObjectMeta, &old.ObjectMeta, true)
	errs = append(errs, ValidateObjectMetaUpdate(&svc.ObjectMeta, &old.ObjectMeta, NewPath("metadata"))...)
	errs = append(errs, validateClusterIPsUpdate(old, svc)...)
	errs = append(errs, validateIPFamiliesUpdate(old, svc)...)
	errs = append(errs, validateLoadBalancerClass(old, svc)...)
	if needsHealthCheck(old) && needsHealthCheck(svc) && svc.Spec.HealthCheckNodePort != old.Spec.HealthCheckNodePort {
		errs = append(errs, Forbidden(NewPath("spec", "healthCheckNodePort"), fieldImmutableMsg))
	}
	return append(errs, validateService(svc, old)...).uniq()
}

// ValidateServiceStatusUpdate checks an update of status.loadBalancer.
func ValidateServiceStatusUpdate(svc, old *corev1.Service) ErrorList {
	errs := updateCommon(&svc.ObjectMeta, &old.ObjectMeta, true)
	errs = append(errs, ValidateObjectMetaUpdate(&svc.ObjectMeta, &old.ObjectMeta, NewPath("metadata"))...)
	ingPath := NewPath("status", "loadBalancer", "ingress")
	if svc.Spec.Type != "LoadBalancer" && len(svc.Status.LoadBalancer.Ingress) != 0 {
		return append(errs, Forbidden(ingPath, "may only be used when `spec.type` is 'LoadBalancer'")).uniq()
	}
	var oldIPs []string
	for _, ing := range old.Status.LoadBalancer.Ingress {
		if ing.IP != "" {
			oldIPs = append(oldIPs, ing.IP)
		}
	}
	for i, ing := range svc.Status.LoadBalancer.Ingress {
		p := ingPath.Index(i)
		if ing.IP != "" {
			errs = append(errs, validateLegacyIP(p.Child("ip"), ing.IP, oldIPs)...)
		}
		switch {
		case ing.IPMode == nil:
			if ing.IP != "" {
				errs = append(errs, Required(p.Child("ipMode"), "must be specified when `ip` is set"))
			}
		case ing.IP == "":
			errs = append(errs, Forbidden(p.Child("ipMode"), "may not be specified when `ip` is not set"))
		case !contains(supportedLBIPModes, string(*ing.IPMode)):
			errs = append(errs, NotSupported(p.Child("ipMode"), string(*ing.IPMode), supportedLBIPModes))
		}
		if ing.Hostname != "" {
			errs = append(errs, validateDNS1123Subdomain(ing.Hostname, p.Child("hostname"))...)
			if parseIPSloppy(ing.Hostname) != nil {
				errs = append(errs, Invalid(p.Child("hostname"), ing.Hostname, "must be a DNS name, not an IP address"))
			}
		}
	}
	return errs.uniq()
}

// isHeadless: a service whose only cluster IP is "None" gets DNS records but no virtual IP.
func isHeadless(svc *corev1.Service) bool {
	return svc != nil && len(svc.Spec.ClusterIPs) == 1 && svc.Spec.ClusterIPs[0] == "None"
}

// externallyAccessible: node ports, load balancers and external IPs receive traffic from
// outside the cluster, where externalTrafficPolicy applies.
func externallyAccessible(svc *corev1.Service) bool {
	t := svc.Spec.Type
	return t == "LoadBalancer" || t == "NodePort" || (t == "ClusterIP" && len(svc.Spec.ExternalIPs) > 0)
}

// needsHealthCheck: a load balancer keeping client source IPs needs a port to probe nodes on.
func needsHealthCheck(svc *corev1.Service) bool {
	return svc.Spec.Type == "LoadBalancer" && svc.Spec.ExternalTrafficPolicy == "Local"
}

// servicePortKey is what upstream reports for a repeated (protocol, port) pair: its internal
// ServicePort with only those two fields set, printed with Go field names.
type servicePortKey struct {
	Name        string
	Protocol    string
	AppProtocol *string
	Port        int32
	TargetPort  intstr.IntOrString
	NodePort    int32
}

// validateService holds the rules creates and updates share. old is nil on create.
func validateService(svc, old *corev1.Service) ErrorList {
	var errs ErrorList
	spec := NewPath("spec")
	if mode, ok := svc.Annotations[annotationTopologyMode]; ok {
		if hints, ok := svc.Annotations[annotationTopologyHints]; ok && hints != mode {
			errs = append(errs, Invalid(NewPath("metadata", "annotations").Key(annotationTopologyMode), mode,
				fmt.Sprintf("must match annotations[%s] when both are specified", annotationTopologyHints)))
		}
	}
	if len(svc.Spec.Ports) == 0 && !isHeadless(svc) && svc.Spec.Type != "ExternalName" {
		errs = append(errs, Required(spec.Child("ports"), ""))
	}
	switch svc.Spec.Type {
	case "LoadBalancer", "NodePort":
		if isHeadless(svc) {
			errs = append(errs, Invalid(spec.Child("clusterIPs").Index(0), svc.Spec.ClusterIPs[0],
				fmt.Sprintf("may not be set to 'None' for %s services", svc.Spec.Type)))
		}
	case "ExternalName":
		if len(svc.Spec.ClusterIPs) > 0 {
			errs = append(errs, Forbidden(spec.Child("clusterIPs"), "may not be set for ExternalName services"))
		}
		if len(svc.Spec.IPFamilies) > 0 {
			errs = append(errs, Forbidden(spec.Child("ipFamilies"), "may not be set for ExternalName services"))
		}
		if svc.Spec.IPFamilyPolicy != nil {
			errs = append(errs, Forbidden(spec.Child("ipFamilyPolicy"), "may not be set for ExternalName services"))
		}
		// The name is a CNAME target, and may end in a dot to mark it fully qualified.
		if cname := strings.TrimSuffix(svc.Spec.ExternalName, "."); cname != "" {
			errs = append(errs, validateDNS1123Subdomain(cname, spec.Child("externalName"))...)
		} else {
			errs = append(errs, Required(spec.Child("externalName"), ""))
		}
	}

	portNames := map[string]bool{}
	for i := range svc.Spec.Ports {
		errs = append(errs, validateServicePort(&svc.Spec.Ports[i], len(svc.Spec.Ports) > 1, portNames, spec.Child("ports").Index(i))...)
	}
	if svc.Spec.Selector != nil {
		errs = append(errs, ValidateLabels(svc.Spec.Selector, spec.Child("selector"))...)
	}
	errs = append(errs, validateSessionAffinity(svc, spec)...)
	errs = append(errs, validateClusterIPs(svc, old)...)

	var oldExternalIPs []string
	if old != nil {
		oldExternalIPs = old.Spec.ExternalIPs
	}
	for i, ip := range svc.Spec.ExternalIPs {
		p := spec.Child("externalIPs").Index(i)
		if ipErrs := validateLegacyIP(p, ip, oldExternalIPs); len(ipErrs) > 0 {
			errs = append(errs, ipErrs...)
		} else {
			errs = append(errs, validateEndpointIP(ip, p)...)
		}
	}

	switch t := string(svc.Spec.Type); {
	case t == "":
		errs = append(errs, Required(spec.Child("type"), ""))
	case !contains(supportedServiceTypes, t):
		errs = append(errs, NotSupported(spec.Child("type"), t, supportedServiceTypes))
	}
	if svc.Spec.Type == "ClusterIP" {
		for i, port := range svc.Spec.Ports {
			if port.NodePort != 0 {
				errs = append(errs, Forbidden(spec.Child("ports").Index(i).Child("nodePort"), "may not be used when `type` is 'ClusterIP'"))
			}
		}
	}
	nodePorts := map[string]bool{}
	for i, port := range svc.Spec.Ports {
		if port.NodePort == 0 {
			continue
		}
		key := fmt.Sprintf("%s/%d", port.Protocol, port.NodePort)
		if nodePorts[key] {
			errs = append(errs, Duplicate(spec.Child("ports").Index(i).Child("nodePort"), port.NodePort))
		}
		nodePorts[key] = true
	}
	ports := map[servicePortKey]bool{}
	for i, port := range svc.Spec.Ports {
		key := servicePortKey{Protocol: string(port.Protocol), Port: port.Port}
		if ports[key] {
			errs = append(errs, Duplicate(spec.Child("ports").Index(i), key))
		}
		ports[key] = true
	}
	errs = append(errs, validateSourceRanges(svc, old)...)
	if svc.Spec.AllocateLoadBalancerNodePorts != nil && svc.Spec.Type != "LoadBalancer" {
		errs = append(errs, Forbidden(spec.Child("allocateLoadBalancerNodePorts"), "may only be used when `type` is 'LoadBalancer'"))
	}
	if svc.Spec.Type == "LoadBalancer" && svc.Spec.AllocateLoadBalancerNodePorts == nil {
		// Upstream names this field without its "spec." prefix.
		errs = append(errs, Required(NewPath("allocateLoadBalancerNodePorts"), ""))
	}
	errs = append(errs, validateLoadBalancerClass(nil, svc)...)
	errs = append(errs, validateTrafficPolicies(svc, spec)...)
	return errs
}

// validateServicePort checks one port: a unique DNS-label name (required when there are
// several ports), a valid port and protocol, and a target port number or name.
func validateServicePort(sp *corev1.ServicePort, requireName bool, seen map[string]bool, p *Path) ErrorList {
	var errs ErrorList
	if requireName && sp.Name == "" {
		errs = append(errs, Required(p.Child("name"), ""))
	} else if sp.Name != "" {
		errs = append(errs, validateDNS1123Label(sp.Name, p.Child("name"))...)
		if seen[sp.Name] {
			errs = append(errs, Duplicate(p.Child("name"), sp.Name))
		} else {
			seen[sp.Name] = true
		}
	}
	errs = append(errs, messagesAt(p.Child("port"), sp.Port, isValidPortNum(int(sp.Port)))...)
	errs = append(errs, validateProtocol(string(sp.Protocol), p.Child("protocol"))...)
	errs = append(errs, validatePortNumOrName(sp.TargetPort, p.Child("targetPort"))...)
	if sp.AppProtocol != nil {
		errs = append(errs, validateQualifiedName(*sp.AppProtocol, p.Child("appProtocol"))...)
	}
	return errs
}

// validateSessionAffinity checks sessionAffinity and its ClientIP timeout.
func validateSessionAffinity(svc *corev1.Service, spec *Path) ErrorList {
	var errs ErrorList
	aff := string(svc.Spec.SessionAffinity)
	switch {
	case aff == "":
		errs = append(errs, Required(spec.Child("sessionAffinity"), ""))
	case !contains(supportedSessionAffinity, aff):
		errs = append(errs, NotSupported(spec.Child("sessionAffinity"), aff, supportedSessionAffinity))
	}
	cp := spec.Child("sessionAffinityConfig")
	switch aff {
	case "ClientIP":
		const when = "when session affinity type is ClientIP"
		cfg := svc.Spec.SessionAffinityConfig
		switch {
		case cfg == nil:
			errs = append(errs, Required(cp, when))
		case cfg.ClientIP == nil:
			errs = append(errs, Required(cp.Child("clientIP"), when))
		case cfg.ClientIP.TimeoutSeconds == nil:
			errs = append(errs, Required(cp.Child("clientIP", "timeoutSeconds"), when))
		case *cfg.ClientIP.TimeoutSeconds <= 0 || *cfg.ClientIP.TimeoutSeconds > maxSessionAffinitySeconds:
			errs = append(errs, Invalid(cp.Child("clientIP", "timeoutSeconds"), cfg.ClientIP.TimeoutSeconds,
				fmt.Sprintf("must be greater than 0 and less than %d", maxSessionAffinitySeconds)))
		}
	case "None":
		if svc.Spec.SessionAffinityConfig != nil {
			errs = append(errs, Forbidden(cp, "must not be set when session affinity is None"))
		}
	}
	return errs
}

// validateSourceRanges checks loadBalancerSourceRanges (or the older annotation) hold CIDRs
// and are only used on load balancers.
func validateSourceRanges(svc, old *corev1.Service) ErrorList {
	var errs ErrorList
	if len(svc.Spec.LoadBalancerSourceRanges) > 0 {
		// Upstream spells this path with a capital L.
		p := NewPath("spec", "LoadBalancerSourceRanges")
		if svc.Spec.Type != "LoadBalancer" {
			errs = append(errs, Forbidden(p, "may only be used when `type` is 'LoadBalancer'"))
		}
		var oldRanges []string
		if old != nil {
			for _, r := range old.Spec.LoadBalancerSourceRanges {
				oldRanges = append(oldRanges, strings.TrimSpace(r))
			}
		}
		for i, r := range svc.Spec.LoadBalancerSourceRanges {
			errs = append(errs, validateLegacyCIDR(p.Index(i), strings.TrimSpace(r), oldRanges)...)
		}
		return errs
	}
	val, ok := svc.Annotations[annotationLBSourceRanges]
	if !ok {
		return nil
	}
	p := NewPath("metadata", "annotations").Key(annotationLBSourceRanges)
	if svc.Spec.Type != "LoadBalancer" {
		errs = append(errs, Forbidden(p, "may only be used when `type` is 'LoadBalancer'"))
	}
	if old == nil || old.Annotations[annotationLBSourceRanges] != val {
		if val = strings.TrimSpace(val); val != "" {
			for _, r := range strings.Split(val, ",") {
				errs = append(errs, validateLegacyCIDR(p, strings.TrimSpace(r), nil)...)
			}
		}
	}
	return errs
}

// validateLoadBalancerClass: the class picks the controller that implements the load
// balancer, so it is fixed while the service stays a LoadBalancer.
func validateLoadBalancerClass(old, svc *corev1.Service) ErrorList {
	var errs ErrorList
	p := NewPath("spec", "loadBalancerClass")
	if old != nil && old.Spec.Type == "LoadBalancer" && svc.Spec.Type == "LoadBalancer" &&
		!equalStringPtr(old.Spec.LoadBalancerClass, svc.Spec.LoadBalancerClass) {
		errs = append(errs, Invalid(p, svc.Spec.LoadBalancerClass, "may not change once set"))
	}
	if svc.Spec.LoadBalancerClass != nil {
		if svc.Spec.Type == "LoadBalancer" {
			errs = append(errs, validateQualifiedName(*svc.Spec.LoadBalancerClass, p)...)
		} else {
			errs = append(errs, Forbidden(p, "may only be used when `type` is 'LoadBalancer'"))
		}
	}
	return errs
}

// validateTrafficPolicies checks externalTrafficPolicy, healthCheckNodePort,
// internalTrafficPolicy and trafficDistribution.
func validateTrafficPolicies(svc *corev1.Service, spec *Path) ErrorList {
	var errs ErrorList
	etp := string(svc.Spec.ExternalTrafficPolicy)
	if !externallyAccessible(svc) {
		if etp != "" {
			errs = append(errs, Invalid(spec.Child("externalTrafficPolicy"), etp, "may only be set for externally-accessible services"))
		}
	} else if etp == "" {
		errs = append(errs, Required(spec.Child("externalTrafficPolicy"), ""))
	} else if !contains(supportedTrafficPolicies, etp) {
		errs = append(errs, NotSupported(spec.Child("externalTrafficPolicy"), etp, supportedTrafficPolicies))
	}
	hc := svc.Spec.HealthCheckNodePort
	if !needsHealthCheck(svc) {
		if hc != 0 {
			errs = append(errs, Invalid(spec.Child("healthCheckNodePort"), hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"))
		}
	} else if hc == 0 {
		errs = append(errs, Required(spec.Child("healthCheckNodePort"), ""))
	} else {
		errs = append(errs, messagesAt(spec.Child("healthCheckNodePort"), hc, isValidPortNum(int(hc)))...)
	}
	itp := svc.Spec.InternalTrafficPolicy
	if itp == nil {
		switch svc.Spec.Type {
		case "NodePort", "LoadBalancer", "ClusterIP":
			errs = append(errs, Required(spec.Child("internalTrafficPolicy"), ""))
		}
	} else if !contains(supportedTrafficPolicies, string(*itp)) {
		errs = append(errs, NotSupported(spec.Child("internalTrafficPolicy"), string(*itp), supportedTrafficPolicies))
	}
	if td := svc.Spec.TrafficDistribution; td != nil && !contains(supportedTrafficDistrib, *td) {
		errs = append(errs, NotSupported(spec.Child("trafficDistribution"), *td, supportedTrafficDistrib))
	}
	return errs
}

func equalStringPtr(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

package validation

import (
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/names"
)

// ValidateEndpoints checks an Endpoints object being created.
func ValidateEndpoints(ep *corev1.Endpoints) ErrorList {
	return validateEndpoints(ep, nil).uniq()
}

// ValidateEndpointsUpdate checks an update. Subsets that did not change are not re-checked,
// because older versions accepted data today's rules refuse.
func ValidateEndpointsUpdate(ep, old *corev1.Endpoints) ErrorList {
	errs := updateCommon(&ep.ObjectMeta, &old.ObjectMeta, true)
	errs = append(errs, ValidateObjectMetaUpdate(&ep.ObjectMeta, &old.ObjectMeta, NewPath("metadata"))...)
	return append(errs, validateEndpoints(ep, old)...).uniq()
}

func validateEndpoints(ep, old *corev1.Endpoints) ErrorList {
	errs := ValidateObjectMeta(&ep.ObjectMeta, true, names.NameIsDNSSubdomain, NewPath("metadata"))
	subsetErrs := validateEndpointSubsets(ep.Subsets, NewPath("subsets"))
	if len(subsetErrs) > 0 && old != nil && semanticEqual(old.Subsets, ep.Subsets) {
		subsetErrs = nil
	}
	return append(errs, subsetErrs...)
}

// validateEndpointSubsets checks each subset has addresses, valid ones, and valid ports
// (named when there are several).
func validateEndpointSubsets(subsets []corev1.EndpointSubset, path *Path) ErrorList {
	var errs ErrorList
	for i := range subsets {
		ss := &subsets[i]
		p := path.Index(i)
		if len(ss.Addresses) == 0 && len(ss.NotReadyAddresses) == 0 {
			errs = append(errs, Required(p, "must specify `addresses` or `notReadyAddresses`"))
		}
		for j := range ss.Addresses {
			errs = append(errs, validateEndpointAddress(&ss.Addresses[j], p.Child("addresses").Index(j))...)
		}
		for j := range ss.NotReadyAddresses {
			errs = append(errs, validateEndpointAddress(&ss.NotReadyAddresses[j], p.Child("notReadyAddresses").Index(j))...)
		}
		for j := range ss.Ports {
			errs = append(errs, validateEndpointPort(&ss.Ports[j], len(ss.Ports) > 1, p.Child("ports").Index(j))...)
		}
	}
	return errs
}

func validateEndpointAddress(a *corev1.EndpointAddress, p *Path) ErrorList {
	errs := validateLegacyIP(p.Child("ip"), a.IP, nil)
	if a.Hostname != "" {
		errs = append(errs, validateDNS1123Label(a.Hostname, p.Child("hostname"))...)
	}
	if a.NodeName != nil {
		errs = append(errs, messagesAt(p.Child("nodeName"), *a.NodeName, names.NameIsDNSSubdomain(*a.NodeName, false))...)
	}
	return append(errs, validateEndpointIP(a.IP, p.Child("ip"))...)
}

func validateEndpointPort(port *corev1.EndpointPort, requireName bool, p *Path) ErrorList {
	var errs ErrorList
	if requireName && port.Name == "" {
		errs = append(errs, Required(p.Child("name"), ""))
	} else if port.Name != "" {
		errs = append(errs, validateDNS1123Label(port.Name, p.Child("name"))...)
	}
	errs = append(errs, messagesAt(p.Child("port"), port.Port, isValidPortNum(int(port.Port)))...)
	errs = append(errs, validateProtocol(string(port.Protocol), p.Child("protocol"))...)
	if port.AppProtocol != nil {
		errs = append(errs, validateQualifiedName(*port.AppProtocol, p.Child("appProtocol"))...)
	}
	return errs
}

package validation

import (
	"fmt"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

// validateClusterIPs checks clusterIP, clusterIPs, ipFamilies and ipFamilyPolicy agree: the
// first cluster IP is clusterIP, at most one address per family, "None" only alone, and each
// address of the family listed at its position. ExternalName services have none of these.
func validateClusterIPs(svc, old *corev1.Service) ErrorList {
	if svc.Spec.Type == "ExternalName" {
		return nil
	}
	var errs ErrorList
	spec := NewPath("spec")
	ipsPath, famPath := spec.Child("clusterIPs"), spec.Child("ipFamilies")
	ips := svc.Spec.ClusterIPs
	if svc.Spec.ClusterIP != "" {
		if len(ips) == 0 {
			errs = append(errs, Required(ipsPath, ""))
		} else if ips[0] != svc.Spec.ClusterIP {
			errs = append(errs, Invalid(ipsPath, ips, "first value must match `clusterIP`"))
		}
	} else if len(ips) != 0 {
		errs = append(errs, Invalid(ipsPath, ips, "must be empty when `clusterIP` is not specified"))
	}

	seen := map[string]bool{}
	for i, fam := range svc.Spec.IPFamilies {
		if !contains(supportedIPFamilies, string(fam)) {
			errs = append(errs, NotSupported(famPath.Index(i), string(fam), supportedIPFamilies))
		}
		if seen[string(fam)] {
			errs = append(errs, Duplicate(famPath.Index(i), string(fam)))
		}
		seen[string(fam)] = true
	}
	if pol := svc.Spec.IPFamilyPolicy; pol != nil && !contains(supportedIPFamilyPolicies, string(*pol)) {
		errs = append(errs, NotSupported(spec.Child("ipFamilyPolicy"), string(*pol), supportedIPFamilyPolicies))
	}

	var oldIPs []string
	if old != nil {
		oldIPs = old.Spec.ClusterIPs
	}
	invalid := false
	for i, ip := range ips {
		if i == 0 && ip == "None" {
			if len(ips) > 1 {
				invalid = true
				errs = append(errs, Invalid(ipsPath, ips, "'None' must be the first and only value"))
			}
			continue
		}
		ipErrs := validateLegacyIP(ipsPath.Index(i), ip, oldIPs)
		invalid = invalid || len(ipErrs) > 0
		errs = append(errs, ipErrs...)
	}
	if len(ips) > 2 {
		errs = append(errs, Invalid(ipsPath, ips, "may only hold up to 2 values"))
	}
	if invalid {
		return errs
	}
	if len(ips) > 1 && (len(ips) > 2 || isIPv6(ips[0]) == isIPv6(ips[1])) {
		errs = append(errs, Invalid(ipsPath, ips, "may specify no more than one IP for each IP family"))
	}
	if !isHeadless(svc) {
		for i, ip := range ips {
			if i >= len(svc.Spec.IPFamilies) {
				break
			}
			switch fam := svc.Spec.IPFamilies[i]; {
			case fam == "IPv4" && isIPv6(ip):
				errs = append(errs, Invalid(ipsPath.Index(i), ip, fmt.Sprintf("expected an IPv4 value as indicated by `ipFamilies[%v]`", i)))
			case fam == "IPv6" && !isIPv6(ip):
				errs = append(errs, Invalid(ipsPath.Index(i), ip, fmt.Sprintf("expected an IPv6 value as indicated by `ipFamilies[%v]`", i)))
			}
		}
	}
	return errs
}

// validateClusterIPsUpdate: once allocated, a cluster IP never changes; a secondary one may be
// added or released (releasing requires going back to SingleStack). Switching to or from
// ExternalName, or between headless and not, reallocates everything and is exempt.
func validateClusterIPsUpdate(old, svc *corev1.Service) ErrorList {
	if svc.Spec.Type == "ExternalName" || old.Spec.Type == "ExternalName" {
		return nil
	}
	if isHeadless(old) && isHeadless(svc) {
		return nil
	}
	var errs ErrorList
	p := NewPath("spec", "clusterIPs")
	oldIPs, newIPs := old.Spec.ClusterIPs, svc.Spec.ClusterIPs
	switch {
	case len(oldIPs) == len(newIPs):
		for i, ip := range oldIPs {
			if ip != newIPs[i] {
				errs = append(errs, Invalid(p.Index(i), newIPs, "may not change once set"))
			}
		}
	case len(oldIPs) > len(newIPs):
		if len(newIPs) == 0 {
			errs = append(errs, Invalid(p.Index(0), newIPs, "primary clusterIP can not be unset"))
		}
		if len(oldIPs) > 0 && len(newIPs) > 0 && newIPs[0] != oldIPs[0] {
			errs = append(errs, Invalid(p.Index(0), newIPs, "may not change once set"))
		}
		if len(newIPs) == 1 && !isSingleStack(svc) {
			errs = append(errs, Invalid(NewPath("spec", "ipFamilyPolicy"), svc.Spec.IPFamilyPolicy, "must be set to 'SingleStack' when releasing the secondary clusterIP"))
		}
	default:
		if len(oldIPs) > 0 && newIPs[0] != oldIPs[0] {
			errs = append(errs, Invalid(p.Index(0), newIPs, "may not change once set"))
		}
	}
	return errs
}

// validateIPFamiliesUpdate applies the same rule to ipFamilies.
func validateIPFamiliesUpdate(old, svc *corev1.Service) ErrorList {
	if svc.Spec.Type == "ExternalName" || old.Spec.Type == "ExternalName" {
		return nil
	}
	if isHeadless(old) != isHeadless(svc) || isHeadless(svc) {
		return nil
	}
	var errs ErrorList
	p := NewPath("spec", "ipFamilies").Index(0)
	oldFams, newFams := old.Spec.IPFamilies, svc.Spec.IPFamilies
	switch {
	case len(oldFams) == len(newFams):
		for i := range oldFams {
			if oldFams[i] != newFams[i] {
				errs = append(errs, Invalid(p, newFams, "may not change once set"))
			}
		}
	case len(oldFams) > len(newFams):
		if len(svc.Spec.ClusterIPs) == 0 {
			errs = append(errs, Invalid(p, newFams, "primary ipFamily can not be unset"))
		}
		if len(newFams) > 0 && newFams[0] != oldFams[0] {
			errs = append(errs, Invalid(p, svc.Spec.ClusterIPs, "may not change once set"))
		}
		if len(newFams) == 1 && !isSingleStack(svc) {
			errs = append(errs, Invalid(NewPath("spec", "ipFamilyPolicy"), svc.Spec.IPFamilyPolicy, "must be set to 'SingleStack' when releasing the secondary ipFamily"))
		}
	default:
		if len(oldFams) > 0 && len(newFams) > 0 && newFams[0] != oldFams[0] {
			errs = append(errs, Invalid(p, svc.Spec.ClusterIPs, "may not change once set"))
		}
	}
	return errs
}

func isSingleStack(svc *corev1.Service) bool {
	return svc.Spec.IPFamilyPolicy != nil && *svc.Spec.IPFamilyPolicy == "SingleStack"
}

package registry

// The Reserver half of the services strategy: what upstream's service storage does before a
// create or update (cluster IP family fields, cluster IP and node port allocation) and after
// a delete (giving them back). The allocators are installed with UseServiceAllocators
// (ipalloc.go). Skiff's clusters are single-stack IPv4: an IPv6 family or a dual-stack
// requirement is refused the way upstream refuses it on a single-stack cluster.

import (
	"errors"
	"fmt"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/validation"
)

// clusterFamily is the one IP family Skiff's service ranges have.
const clusterFamily = corev1.IPv4Protocol

// serviceTxn records what one write reserved, and what it will free once stored.
type serviceTxn struct {
	ips   ClusterIPAllocator
	ports NodePortAllocator

	allocatedIPs   []string
	allocatedPorts []int32
	freeIPs        []string // released only when the write is stored
	freePorts      []int32
}

// done gives back the reservations of a failed write, or what a stored update freed.
func (t *serviceTxn) done(stored bool) {
	ips, ports := t.allocatedIPs, t.allocatedPorts
	if stored {
		ips, ports = t.freeIPs, t.freePorts
	}
	for _, ip := range ips {
		t.ips.Release(ip)
	}
	for _, p := range ports {
		t.ports.Release(p)
	}
	t.allocatedIPs, t.allocatedPorts, t.freeIPs, t.freePorts = nil, nil, nil, nil
}

func (t *serviceTxn) allocateIP(requested string) (string, error) {
	if t.ips == nil {
		return "", errNotConfigured
	}
	ip, err := t.ips.Allocate(requested)
	if err == nil {
		t.allocatedIPs = append(t.allocatedIPs, ip)
	}
	return ip, err
}

func (t *serviceTxn) allocatePort(requested int32) (int32, error) {
	if t.ports == nil {
		return 0, errNodePortsNotSet
	}
	p, err := t.ports.Allocate(requested)
	if err == nil {
		t.allocatedPorts = append(t.allocatedPorts, p)
	}
	return p, err
}

// Reserve implements Reserver.
func (serviceStrategy) Reserve(obj, old metav1.Object) (func(stored bool), error) {
	svc := obj.(*corev1.Service)
	ips, ports := currentServiceAllocators()
	t := &serviceTxn{ips: ips, ports: ports}
	var err error
	if old == nil {
		err = t.reserveCreate(svc)
	} else {
		err = t.reserveUpdate(svc, old.(*corev1.Service))
	}
	if err != nil {
		t.done(false)
		return nil, err
	}
	return t.done, nil
}

// Release implements Reserver: a deleted service's cluster IPs and node ports are free again.
func (serviceStrategy) Release(obj metav1.Object) {
	svc := obj.(*corev1.Service)
	ips, ports := currentServiceAllocators()
	if ips != nil && needsClusterIP(svc) && !isHeadless(svc) {
		for _, ip := range svc.Spec.ClusterIPs {
			ips.Release(ip)
		}
	}
	if ports == nil {
		return
	}
	for p := range nodePortSet(svc) {
		ports.Release(p)
	}
	if needsHealthCheck(svc) && svc.Spec.HealthCheckNodePort > 0 {
		ports.Release(svc.Spec.HealthCheckNodePort)
	}
}

func (t *serviceTxn) reserveCreate(svc *corev1.Service) error {
	if svc.Spec.ClusterIP != "" && len(svc.Spec.ClusterIPs) == 0 {
		svc.Spec.ClusterIPs = []string{svc.Spec.ClusterIP}
	}
	if err := initIPFamilyFields(svc, nil); err != nil {
		return err
	}
	if err := t.allocateClusterIPs(svc); err != nil {
		return err
	}
	if needsNodePorts(svc) {
		if err := t.allocateNodePorts(svc); err != nil {
			return err
		}
	}
	if needsHealthCheck(svc) {
		if err := t.allocateHealthCheckPort(svc); err != nil {
			return err
		}
	}
	return nil
}

// initIPFamilyFields fills ipFamilyPolicy and ipFamilies the way upstream does on a
// single-stack cluster, and refuses what such a cluster cannot serve. old is nil on create.
func initIPFamilyFields(svc, old *corev1.Service) error {
	if svc.Spec.Type == corev1.ServiceTypeExternalName || matchingPreferDualStack(svc, old) {
		return nil
	}
	headlessSelectorless := svc.Spec.ClusterIP == corev1.ClusterIPNone && len(svc.Spec.Selector) == 0
	if svc.Spec.IPFamilyPolicy == nil {
		var p corev1.IPFamilyPolicy
		switch {
		case old != nil && old.Spec.IPFamilyPolicy != nil:
			p = *old.Spec.IPFamilyPolicy
		case headlessSelectorless:
			// Endpoints of a selectorless headless service are whatever the user writes,
			// of any family, so upstream lets it have both.
			p = corev1.IPFamilyPolicyRequireDualStack
		default:
			p = corev1.IPFamilyPolicySingleStack
		}
		svc.Spec.IPFamilyPolicy = &p
	}
	policyPath := validation.NewPath("spec", "ipFamilyPolicy")
	var errs validation.ErrorList
	if *svc.Spec.IPFamilyPolicy == corev1.IPFamilyPolicySingleStack {
		if old != nil {
			if sameStrings(old.Spec.ClusterIPs, svc.Spec.ClusterIPs) && len(svc.Spec.ClusterIPs) > 1 {
				svc.Spec.ClusterIPs = svc.Spec.ClusterIPs[:1]
			}
			if sameStrings(familiesOf(old), familiesOf(svc)) && len(svc.Spec.IPFamilies) > 1 {
				svc.Spec.IPFamilies = svc.Spec.IPFamilies[:1]
			}
		}
		if len(svc.Spec.ClusterIPs) == 2 {
			errs = append(errs, validation.Invalid(policyPath, svc.Spec.IPFamilyPolicy,
				"must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"))
		}
		if len(svc.Spec.IPFamilies) == 2 {
			errs = append(errs, validation.Invalid(policyPath, svc.Spec.IPFamilyPolicy,
				"must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"))
		}
	}
	for i, ip := range svc.Spec.ClusterIPs {
		if ip == corev1.ClusterIPNone {
			break
		}
		if i >= len(svc.Spec.IPFamilies) {
			fam := familyOfIP(ip)
			if fam != clusterFamily {
				errs = append(errs, validation.Invalid(validation.NewPath("spec", "clusterIPs").Index(i), svc.Spec.ClusterIPs,
					fmt.Sprintf("%s is not configured on this cluster", fam)))
			} else {
				svc.Spec.IPFamilies = append(svc.Spec.IPFamilies, fam)
			}
		}
	}
	if len(errs) > 0 {
		return invalid("", "Service", svc.Name, errs)
	}

	if headlessSelectorless {
		if len(svc.Spec.IPFamilies) == 0 {
			svc.Spec.IPFamilies = []corev1.IPFamily{clusterFamily}
		}
		if len(svc.Spec.IPFamilies) < 2 && *svc.Spec.IPFamilyPolicy != corev1.IPFamilyPolicySingleStack {
			other := corev1.IPv6Protocol
			if svc.Spec.IPFamilies[0] == corev1.IPv6Protocol {
				other = corev1.IPv4Protocol
			}
			svc.Spec.IPFamilies = append(svc.Spec.IPFamilies, other)
		}
		return nil
	}
	if *svc.Spec.IPFamilyPolicy == corev1.IPFamilyPolicyRequireDualStack {
		errs = append(errs, validation.Invalid(policyPath, svc.Spec.IPFamilyPolicy,
			"this cluster is not configured for dual-stack services"))
	}
	for i, f := range svc.Spec.IPFamilies {
		if f != clusterFamily {
			errs = append(errs, validation.Invalid(validation.NewPath("spec", "ipFamilies").Index(i), f, "not configured on this cluster"))
		}
	}
	if len(errs) > 0 {
		return invalid("", "Service", svc.Name, errs)
	}
	if len(svc.Spec.IPFamilies) == 0 {
		svc.Spec.IPFamilies = []corev1.IPFamily{clusterFamily}
	}
	return nil
}

// matchingPreferDualStack: an update of a PreferDualStack service that changes neither its
// type, IPs nor families needs no family or IP work at all.
func matchingPreferDualStack(svc, old *corev1.Service) bool {
	if old == nil || svc.Spec.IPFamilyPolicy == nil || old.Spec.Type != svc.Spec.Type || !needsClusterIP(svc) {
		return false
	}
	if *svc.Spec.IPFamilyPolicy != corev1.IPFamilyPolicyPreferDualStack ||
		(old.Spec.IPFamilyPolicy != nil && *old.Spec.IPFamilyPolicy != corev1.IPFamilyPolicyPreferDualStack) {
		return false
	}
	return sameStrings(old.Spec.ClusterIPs, svc.Spec.ClusterIPs) && sameStrings(familiesOf(old), familiesOf(svc))
}

func familyOfIP(ip string) corev1.IPFamily {
	for i := 0; i < len(ip); i++ {
		if ip[i] == ':' {
			return corev1.IPv6Protocol
		}
	}
	return corev1.IPv4Protocol
}

// allocateClusterIPs reserves the requested cluster IP, or a free one, for every family.
func (t *serviceTxn) allocateClusterIPs(svc *corev1.Service) error {
	if !needsClusterIP(svc) || isHeadless(svc) {
		return nil
	}
	for i := range svc.Spec.IPFamilies {
		if i >= len(svc.Spec.ClusterIPs) {
			svc.Spec.ClusterIPs = append(svc.Spec.ClusterIPs, "")
		}
		requested := svc.Spec.ClusterIPs[i]
		ip, err := t.allocateIP(requested)
		if err != nil {
			return clusterIPError(svc, requested, err)
		}
		svc.Spec.ClusterIPs[i] = ip
		if i == 0 {
			svc.Spec.ClusterIP = ip
		}
	}
	return nil
}

func clusterIPError(svc *corev1.Service, requested string, err error) error {
	path := validation.NewPath("spec", "clusterIPs")
	switch {
	case errors.Is(err, errNotConfigured):
		return internalError(err)
	case requested != "":
		return invalid("", "Service", svc.Name, validation.ErrorList{validation.Invalid(path, svc.Spec.ClusterIPs,
			fmt.Sprintf("failed to allocate IP %s: %v", requested, err))})
	case errors.Is(err, ErrIPRangeFull):
		return internalError(fmt.Errorf("failed to allocate a serviceIP for Service %q: %w", svc.Name, err))
	}
	return invalid("", "Service", svc.Name, validation.ErrorList{validation.Invalid(path, svc.Spec.ClusterIPs,
		fmt.Sprintf("failed to allocate IP: %v", err))})
}

// allocateNodePorts gives every port of a new NodePort/LoadBalancer service a node port:
// the requested one, or a free one. Ports sharing a port number (TCP and UDP 53) share the
// node port.
func (t *serviceTxn) allocateNodePorts(svc *corev1.Service) error {
	byPort := map[int32]int32{}
	for i := range svc.Spec.Ports {
		sp := &svc.Spec.Ports[i]
		if sp.NodePort == 0 && !allocatesNodePorts(svc) {
			continue
		}
		already := byPort[sp.Port]
		switch {
		case already == 0:
			np := requestedNodePort(sp.Port, svc.Spec.Ports)
			got, err := t.allocatePort(np)
			if err != nil {
				return nodePortError(svc, i, np, err)
			}
			sp.NodePort = got
			byPort[sp.Port] = got
		case sp.NodePort == 0:
			sp.NodePort = already
		case sp.NodePort != already:
			if _, err := t.allocatePort(sp.NodePort); err != nil {
				return nodePortError(svc, i, sp.NodePort, err)
			}
		}
	}
	return nil
}

// requestedNodePort is the node port some entry with this port number asks for, or 0.
func requestedNodePort(port int32, ports []corev1.ServicePort) int32 {
	for _, p := range ports {
		if p.Port == port && p.NodePort != 0 {
			return p.NodePort
		}
	}
	return 0
}

func nodePortError(svc *corev1.Service, i int, requested int32, err error) error {
	if requested == 0 || errors.Is(err, errNodePortsNotSet) {
		return internalError(fmt.Errorf("failed to allocate a nodePort: %w", err))
	}
	return invalid("", "Service", svc.Name, validation.ErrorList{
		validation.Invalid(validation.NewPath("spec", "ports").Index(i).Child("nodePort"), requested, err.Error())})
}

func (t *serviceTxn) allocateHealthCheckPort(svc *corev1.Service) error {
	requested := svc.Spec.HealthCheckNodePort
	got, err := t.allocatePort(requested)
	if err != nil {
		if requested != 0 {
			return internalError(fmt.Errorf("failed to allocate requested HealthCheck NodePort %v: %v", requested, err))
		}
		return internalError(fmt.Errorf("failed to allocate a HealthCheck NodePort %v: %v", got, err))
	}
	svc.Spec.HealthCheckNodePort = got
	return nil
}

func (t *serviceTxn) reserveUpdate(svc, old *corev1.Service) error {
	carryAllocatedValues(svc, old)
	normalizeClusterIPsOnUpdate(svc, old)
	if err := initIPFamilyFields(svc, old); err != nil {
		return err
	}

	// Cluster IPs: allocated when leaving ExternalName, freed when entering it. A
	// service's IPs never change otherwise (validation refuses it).
	if !matchingPreferDualStack(svc, old) {
		switch {
		case !needsClusterIP(old) && needsClusterIP(svc):
			if err := t.allocateClusterIPs(svc); err != nil {
				return err
			}
		case isHeadless(old):
		case needsClusterIP(old) && !needsClusterIP(svc):
			t.freeIPs = append(t.freeIPs, old.Spec.ClusterIPs...)
		}
	}

	// Node ports.
	oldPorts := nodePortSet(old)
	if needsNodePorts(old) && !needsNodePorts(svc) {
		for p := range oldPorts {
			t.freePorts = append(t.freePorts, p)
		}
	}
	if needsNodePorts(svc) {
		if err := t.updateNodePorts(svc, old, oldPorts); err != nil {
			return err
		}
	}

	// Health check node port.
	switch {
	case !needsHealthCheck(old) && needsHealthCheck(svc):
		if err := t.allocateHealthCheckPort(svc); err != nil {
			return err
		}
	case needsHealthCheck(old) && !needsHealthCheck(svc):
		t.freePorts = append(t.freePorts, old.Spec.HealthCheckNodePort)
	}
	return nil
}

// updateNodePorts keeps node ports the service already had, reserves new requested ones,
// allocates for ports without one, and frees (once stored) those no longer used.
func (t *serviceTxn) updateNodePorts(svc, old *corev1.Service, oldPorts portSet) error {
	type key struct {
		proto corev1.Protocol
		port  int32
	}
	seen := map[key]bool{}
	reserved := portSet{}
	for i := range svc.Spec.Ports {
		sp := &svc.Spec.Ports[i]
		if sp.NodePort == 0 && !allocatesNodePorts(svc) {
			continue
		}
		if sp.NodePort != 0 {
			if !oldPorts[sp.NodePort] && !reserved[sp.NodePort] {
				if _, err := t.allocatePort(sp.NodePort); err != nil {
					return nodePortError(svc, i, sp.NodePort, err)
				}
				reserved[sp.NodePort] = true
			}
		} else {
			got, err := t.allocatePort(0)
			if err != nil {
				return nodePortError(svc, i, 0, err)
			}
			sp.NodePort = got
		}
		k := key{sp.Protocol, sp.NodePort}
		if seen[k] {
			return internalError(fmt.Errorf("duplicate nodePort: {%s %d}", sp.Protocol, sp.NodePort))
		}
		seen[k] = true
	}
	newPorts := nodePortSet(svc)
	for p := range oldPorts {
		if !newPorts[p] {
			t.freePorts = append(t.freePorts, p)
		}
	}
	return nil
}

// carryAllocatedValues copies the allocated cluster IPs and node ports of the stored
// service into an update that left them out (a PUT of a manifest without them, as
// `kubectl replace` sends), so they are not reallocated or refused as changed.
func carryAllocatedValues(svc, old *corev1.Service) {
	if needsClusterIP(old) && needsClusterIP(svc) {
		if svc.Spec.ClusterIP == "" {
			svc.Spec.ClusterIP = old.Spec.ClusterIP
		}
		if len(svc.Spec.ClusterIPs) == 0 && len(old.Spec.ClusterIPs) > 0 {
			svc.Spec.ClusterIPs = old.Spec.ClusterIPs
		}
	}
	if needsNodePorts(old) && needsNodePorts(svc) {
		oldSet, newSet := nodePortSet(old), nodePortSet(svc)
		byName := map[string]int32{}
		for _, p := range old.Spec.Ports {
			byName[p.Name] = p.NodePort
		}
		for i := range svc.Spec.Ports {
			p := &svc.Spec.Ports[i]
			if p.NodePort != 0 {
				continue
			}
			// Only a node port no other port of the new spec already uses.
			if v := byName[p.Name]; !(oldSet[v] && newSet[v]) {
				p.NodePort = v
			}
		}
	}
	if needsHealthCheck(old) && needsHealthCheck(svc) && svc.Spec.HealthCheckNodePort == 0 {
		svc.Spec.HealthCheckNodePort = old.Spec.HealthCheckNodePort
	}
}

// normalizeClusterIPsOnUpdate keeps clusterIP and clusterIPs consistent when a client
// changed only one of them.
func normalizeClusterIPsOnUpdate(svc, old *corev1.Service) {
	if len(old.Spec.ClusterIPs) > 0 && len(svc.Spec.ClusterIPs) == 0 && old.Spec.ClusterIP == svc.Spec.ClusterIP {
		svc.Spec.ClusterIPs = old.Spec.ClusterIPs
	}
	if old.Spec.ClusterIP == svc.Spec.ClusterIP || !sameStrings(old.Spec.ClusterIPs, svc.Spec.ClusterIPs) {
		return
	}
	if old.Spec.ClusterIP != "" && svc.Spec.ClusterIP == "" {
		svc.Spec.ClusterIPs = nil
	} else {
		svc.Spec.ClusterIPs = []string{svc.Spec.ClusterIP}
	}
}

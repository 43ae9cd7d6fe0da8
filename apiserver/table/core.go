package table

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	coordinationv1 "github.com/skiff-k8s/skiff/api/coordination/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/labels"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

func init() {
	register("services", serviceColumns, serviceRow)
	register("endpoints", endpointsColumns, endpointsRow)
	register("namespaces", namespaceColumns, namespaceRow)
	register("configmaps", configMapColumns, configMapRow)
	register("secrets", secretColumns, secretRow)
	register("serviceaccounts", nameAgeColumns, serviceAccountRow)
	register("leases", leaseColumns, leaseRow)
}

func nameAgeColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{nameColumn(), ageColumn()}
}

func serviceColumns() []metav1.TableColumnDefinition {
	spec := corev1.ServiceSpec{}
	return []metav1.TableColumnDefinition{
		nameColumn(),
		col("Type", "string", fieldDoc(spec, "type", "How the service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.")),
		col("Cluster-IP", "string", fieldDoc(spec, "clusterIP", "The service's virtual IP inside the cluster.")),
		col("External-IP", "string", fieldDoc(spec, "externalIPs", "Addresses outside the cluster that reach the service.")),
		col("Port(s)", "string", fieldDoc(spec, "ports", "The service's ports, with node ports and protocols.")),
		ageColumn(),
		wide("Selector", "string", fieldDoc(spec, "selector", "The labels of the pods the service sends traffic to.")),
	}
}

func serviceRow(now time.Time, svc *corev1.Service) metav1.TableRow {
	clusterIP := "<none>"
	if len(svc.Spec.ClusterIPs) > 0 {
		clusterIP = svc.Spec.ClusterIPs[0]
	}
	ports := servicePorts(svc.Spec.Ports)
	if ports == "" {
		ports = "<none>"
	}
	return metav1.TableRow{Cells: []any{
		svc.Name,
		string(svc.Spec.Type),
		clusterIP,
		serviceExternalIP(svc),
		ports,
		age(now, svc),
		labels.FormatLabels(svc.Spec.Selector),
	}}
}

// serviceExternalIP is the EXTERNAL-IP cell: the external IPs, a load balancer's ingress
// addresses (or "<pending>" until it has some), an ExternalName service's name.
func serviceExternalIP(svc *corev1.Service) string {
	external := svc.Spec.ExternalIPs
	switch svc.Spec.Type {
	case corev1.ServiceTypeClusterIP, corev1.ServiceTypeNodePort:
		if len(external) > 0 {
			return strings.Join(external, ",")
		}
		return "<none>"
	case corev1.ServiceTypeLoadBalancer:
		ingress := loadBalancerAddresses(svc.Status.LoadBalancer)
		if len(external) > 0 {
			return strings.Join(append(ingress, external...), ",")
		}
		if len(ingress) > 0 {
			return strings.Join(ingress, ",")
		}
		return "<pending>"
	case corev1.ServiceTypeExternalName:
		return svc.Spec.ExternalName
	}
	return "<unknown>"
}

// loadBalancerAddresses are the ingress IPs (or hostnames), sorted and without repeats.
func loadBalancerAddresses(s corev1.LoadBalancerStatus) []string {
	var out []string
	for _, in := range s.Ingress {
		addr := in.IP
		if addr == "" {
			addr = in.Hostname
		}
		if addr != "" && !slices.Contains(out, addr) {
			out = append(out, addr)
		}
	}
	slices.Sort(out)
	return out
}

// servicePorts is "80/TCP,443:30443/TCP".
func servicePorts(ports []corev1.ServicePort) string {
	parts := make([]string, len(ports))
	for i, p := range ports {
		if p.NodePort > 0 {
			parts[i] = fmt.Sprintf("%d:%d/%s", p.Port, p.NodePort, p.Protocol)
		} else {
			parts[i] = fmt.Sprintf("%d/%s", p.Port, p.Protocol)
		}
	}
	return strings.Join(parts, ",")
}

func endpointsColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		nameColumn(),
		col("Endpoints", "string", fieldDoc(corev1.Endpoints{}, "subsets", "The ready addresses and ports behind the service.")),
		ageColumn(),
	}
}

func endpointsRow(now time.Time, ep *corev1.Endpoints) metav1.TableRow {
	return metav1.TableRow{Cells: []any{ep.Name, endpointAddresses(ep), age(now, ep)}}
}

// endpointAddresses is the ENDPOINTS cell: up to three "ip:port" (or bare IPs for subsets
// without ports), then " + N more...", "<none>" without subsets. Not-ready addresses are
// not shown.
func endpointAddresses(ep *corev1.Endpoints) string {
	if len(ep.Subsets) == 0 {
		return "<none>"
	}
	const shown = 3
	var list []string
	total := 0
	add := func(s string) {
		total++
		if len(list) < shown {
			list = append(list, s)
		}
	}
	for _, ss := range ep.Subsets {
		if len(ss.Ports) == 0 {
			for _, a := range ss.Addresses {
				add(a.IP)
			}
			continue
		}
		for _, p := range ss.Ports {
			for _, a := range ss.Addresses {
				add(net.JoinHostPort(a.IP, strconv.Itoa(int(p.Port))))
			}
		}
	}
	s := strings.Join(list, ",")
	if total > shown {
		return fmt.Sprintf("%s + %d more...", s, total-shown)
	}
	return s
}

func namespaceColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		nameColumn(),
		col("Status", "string", "The phase of the namespace: Active or Terminating."),
		ageColumn(),
	}
}

func namespaceRow(now time.Time, ns *corev1.Namespace) metav1.TableRow {
	return metav1.TableRow{Cells: []any{ns.Name, string(ns.Status.Phase), age(now, ns)}}
}

func configMapColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		nameColumn(),
		col("Data", "string", fieldDoc(corev1.ConfigMap{}, "data", "The number of keys (data and binaryData).")),
		ageColumn(),
	}
}

func configMapRow(now time.Time, cm *corev1.ConfigMap) metav1.TableRow {
	return metav1.TableRow{Cells: []any{cm.Name, int64(len(cm.Data) + len(cm.BinaryData)), age(now, cm)}}
}

func secretColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		nameColumn(),
		col("Type", "string", fieldDoc(corev1.Secret{}, "type", "The type of the secret, which says what keys it holds.")),
		col("Data", "string", fieldDoc(corev1.Secret{}, "data", "The number of keys.")),
		ageColumn(),
	}
}

func secretRow(now time.Time, s *corev1.Secret) metav1.TableRow {
	return metav1.TableRow{Cells: []any{s.Name, string(s.Type), int64(len(s.Data)), age(now, s)}}
}

func serviceAccountRow(now time.Time, sa *corev1.ServiceAccount) metav1.TableRow {
	return metav1.TableRow{Cells: []any{sa.Name, age(now, sa)}}
}

func leaseColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		nameColumn(),
		col("Holder", "string", fieldDoc(coordinationv1.LeaseSpec{}, "holderIdentity", "Who holds the lease.")),
		ageColumn(),
	}
}

func leaseRow(now time.Time, l *coordinationv1.Lease) metav1.TableRow {
	holder := ""
	if l.Spec.HolderIdentity != nil {
		holder = *l.Spec.HolderIdentity
	}
	return metav1.TableRow{Cells: []any{l.Name, holder, age(now, l)}}
}

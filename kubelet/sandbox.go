package kubelet

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/kubelet/cri"
	"github.com/skiff-k8s/skiff/kubelet/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// podLogDir is where the runtime writes the pod's container logs:
// <pod logs dir>/<namespace>_<name>_<uid>, upstream's naming.
func (k *Kubelet) podLogDir(pod *corev1.Pod) string {
	return filepath.Join(k.cfg.PodLogsDir, pod.Namespace+"_"+pod.Name+"_"+pod.UID)
}

// podHostname is the pod's hostname (spec.hostname or its name, at most 63 characters) and
// the domain it lives in when spec.subdomain is set.
func (k *Kubelet) podHostname(pod *corev1.Pod) (string, string) {
	name := pod.Name
	if pod.Spec.Hostname != "" {
		name = pod.Spec.Hostname
	}
	if len(name) > 63 {
		name = strings.TrimRight(name[:63], "-.")
	}
	domain := ""
	if pod.Spec.Subdomain != "" && k.cfg.ClusterDomain != "" {
		domain = fmt.Sprintf("%s.%s.svc.%s", pod.Spec.Subdomain, pod.Namespace, k.cfg.ClusterDomain)
	}
	return name, domain
}

// cgroupParent is the pod's cgroup with the cgroupfs driver, as upstream lays it out:
// <root>/kubepods/pod<uid> for Guaranteed pods, <root>/kubepods/<qos>/pod<uid> otherwise.
func (k *Kubelet) cgroupParent(pod *corev1.Pod) string {
	base := path.Join("/", k.cfg.CgroupRoot, "kubepods")
	switch corev1.ComputePodQOSClass(pod) {
	case corev1.PodQOSGuaranteed:
		return path.Join(base, "pod"+pod.UID)
	case corev1.PodQOSBurstable:
		return path.Join(base, "burstable", "pod"+pod.UID)
	}
	return path.Join(base, "besteffort", "pod"+pod.UID)
}

// namespaceOptions maps hostNetwork/hostPID/hostIPC/shareProcessNamespace to the CRI.
func namespaceOptions(pod *corev1.Pod) *runtimeapi.NamespaceOption {
	ns := &runtimeapi.NamespaceOption{Network: runtimeapi.NamespaceMode_POD, Pid: runtimeapi.NamespaceMode_CONTAINER, Ipc: runtimeapi.NamespaceMode_POD}
	if pod.Spec.HostNetwork {
		ns.Network = runtimeapi.NamespaceMode_NODE
	}
	if pod.Spec.HostIPC {
		ns.Ipc = runtimeapi.NamespaceMode_NODE
	}
	switch {
	case pod.Spec.HostPID:
		ns.Pid = runtimeapi.NamespaceMode_NODE
	case pod.Spec.ShareProcessNamespace != nil && *pod.Spec.ShareProcessNamespace:
		ns.Pid = runtimeapi.NamespaceMode_POD
	}
	return ns
}

// sandboxConfig builds the PodSandboxConfig for RunPodSandbox.
func (k *Kubelet) sandboxConfig(pod *corev1.Pod, attempt uint32) (*runtimeapi.PodSandboxConfig, error) {
	labels := map[string]string{}
	for key, v := range pod.Labels {
		labels[key] = v
	}
	for key, v := range cri.PodLabels(pod.Name, pod.Namespace, pod.UID) {
		labels[key] = v
	}
	cfg := &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: pod.Name, Namespace: pod.Namespace, Uid: pod.UID, Attempt: attempt},
		LogDirectory: k.podLogDir(pod),
		Labels:       labels,
		Annotations:  pod.Annotations,
	}
	// A host-network pod shares the node's UTS namespace: it must not set a hostname.
	if !pod.Spec.HostNetwork {
		cfg.Hostname, _ = k.podHostname(pod)
	}
	dns, err := k.dnsConfig(pod)
	if err != nil {
		return nil, err
	}
	cfg.DnsConfig = dns
	for _, c := range pod.Spec.Containers {
		for _, p := range c.Ports {
			if p.HostPort == 0 {
				continue
			}
			cfg.PortMappings = append(cfg.PortMappings, &runtimeapi.PortMapping{
				Protocol: protocolOf(p.Protocol), ContainerPort: p.ContainerPort, HostPort: p.HostPort, HostIp: p.HostIP,
			})
		}
	}
	sc := &runtimeapi.LinuxSandboxSecurityContext{
		NamespaceOptions: namespaceOptions(pod),
		Seccomp:          &runtimeapi.SecurityProfile{ProfileType: runtimeapi.SecurityProfile_Unconfined},
	}
	sysctls := map[string]string{}
	if psc := pod.Spec.SecurityContext; psc != nil {
		if psc.RunAsUser != nil {
			sc.RunAsUser = &runtimeapi.Int64Value{Value: *psc.RunAsUser}
		}
		if psc.RunAsGroup != nil {
			sc.RunAsGroup = &runtimeapi.Int64Value{Value: *psc.RunAsGroup}
		}
		sc.SupplementalGroups = supplementalGroups(psc)
		for _, s := range psc.Sysctls {
			sysctls[s.Name] = s.Value
		}
	}
	for _, c := range append(append([]corev1.Container{}, pod.Spec.InitContainers...), pod.Spec.Containers...) {
		if c.SecurityContext != nil && c.SecurityContext.Privileged != nil && *c.SecurityContext.Privileged {
			sc.Privileged = true
		}
	}
	cfg.Linux = &runtimeapi.LinuxPodSandboxConfig{
		CgroupParent:    k.cgroupParent(pod),
		SecurityContext: sc,
		Sysctls:         sysctls,
		Resources:       podResources(pod),
	}
	return cfg, nil
}

func protocolOf(p corev1.Protocol) runtimeapi.Protocol {
	switch p {
	case corev1.ProtocolUDP:
		return runtimeapi.Protocol_UDP
	case corev1.ProtocolSCTP:
		return runtimeapi.Protocol_SCTP
	}
	return runtimeapi.Protocol_TCP
}

func supplementalGroups(psc *corev1.PodSecurityContext) []int64 {
	var out []int64
	if psc.FSGroup != nil {
		out = append(out, *psc.FSGroup)
	}
	return append(out, psc.SupplementalGroups...)
}

// dnsConfig renders the pod's resolv.conf settings. Skiff has no cluster DNS: ClusterFirst
// falls back to the node's resolv.conf, as upstream's kubelet does when it has no
// clusterDNS configured (it records a MissingClusterDNS event once per pod).
func (k *Kubelet) dnsConfig(pod *corev1.Pod) (*runtimeapi.DNSConfig, error) {
	policy := pod.Spec.DNSPolicy
	if policy == "" {
		policy = corev1.DNSClusterFirst
	}
	cfg := &runtimeapi.DNSConfig{}
	if policy != corev1.DNSNone {
		host, err := readResolvConf(k.cfg.ResolvConf)
		if err != nil {
			return nil, err
		}
		cfg = host
	}
	if dc := pod.Spec.DNSConfig; dc != nil {
		cfg.Servers = dedupe(append(cfg.Servers, dc.Nameservers...))
		cfg.Searches = dedupe(append(cfg.Searches, dc.Searches...))
		for _, o := range dc.Options {
			opt := o.Name
			if o.Value != nil {
				opt += ":" + *o.Value
			}
			cfg.Options = mergeOption(cfg.Options, o.Name, opt)
		}
	}
	return cfg, nil
}

func (k *Kubelet) warnMissingClusterDNS(pod *corev1.Pod) {
	policy := pod.Spec.DNSPolicy
	if policy == "" {
		policy = corev1.DNSClusterFirst
	}
	if !((policy == corev1.DNSClusterFirst && !pod.Spec.HostNetwork) || policy == corev1.DNSClusterFirstWithHostNet) {
		return
	}
	k.mu.Lock()
	warned := k.dnsWarned[pod.UID]
	k.dnsWarned[pod.UID] = true
	k.mu.Unlock()
	if !warned {
		k.recorder.Eventf(status.PodRef(pod), corev1.EventTypeWarning, "MissingClusterDNS",
			"pod: %q. kubelet does not have ClusterDNS IP configured and cannot create Pod using %q policy. Falling back to %q policy.",
			pod.Name+"_"+pod.Namespace+"("+pod.UID+")", policy, corev1.DNSDefault)
	}
}

// readResolvConf parses nameserver, search and options lines.
func readResolvConf(path string) (*runtimeapi.DNSConfig, error) {
	cfg := &runtimeapi.DNSConfig{}
	if path == "" {
		return cfg, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return cfg, nil
		}
		return nil, fmt.Errorf("read resolv.conf %s: %w", path, err)
	}
	s := bufio.NewScanner(bytes.NewReader(data))
	for s.Scan() {
		f := strings.Fields(s.Text())
		if len(f) == 0 || strings.HasPrefix(f[0], "#") || strings.HasPrefix(f[0], ";") {
			continue
		}
		switch f[0] {
		case "nameserver":
			if len(f) > 1 {
				cfg.Servers = append(cfg.Servers, f[1])
			}
		case "search":
			cfg.Searches = f[1:]
		case "options":
			cfg.Options = append(cfg.Options, f[1:]...)
		}
	}
	return cfg, nil
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// mergeOption replaces an option of the same name or appends it.
func mergeOption(opts []string, name, opt string) []string {
	for i, o := range opts {
		if strings.SplitN(o, ":", 2)[0] == name {
			opts[i] = opt
			return opts
		}
	}
	return append(opts, opt)
}

// hostsFile renders the /etc/hosts the kubelet mounts into every container, upstream's
// format: the localhost lines, the pod's own address(es) and name, then hostAliases. A
// host-network pod gets the node's /etc/hosts plus its hostAliases.
func (k *Kubelet) hostsFile(pod *corev1.Pod, podIPs []string) ([]byte, error) {
	var b bytes.Buffer
	if pod.Spec.HostNetwork {
		host, err := os.ReadFile(k.cfg.HostsFile)
		if err != nil {
			return nil, fmt.Errorf("read node hosts file: %w", err)
		}
		b.WriteString("# Kubernetes-managed hosts file (host network).\n")
		b.Write(host)
	} else {
		b.WriteString("# Kubernetes-managed hosts file.\n")
		b.WriteString("127.0.0.1\tlocalhost\n")
		b.WriteString("::1\tlocalhost ip6-localhost ip6-loopback\n")
		b.WriteString("fe00::0\tip6-localnet\n")
		b.WriteString("fe00::0\tip6-mcastprefix\n")
		b.WriteString("fe00::1\tip6-allnodes\n")
		b.WriteString("fe00::2\tip6-allrouters\n")
		name, domain := k.podHostname(pod)
		for _, ip := range podIPs {
			if domain != "" {
				fmt.Fprintf(&b, "%s\t%s.%s\t%s\n", ip, name, domain, name)
			} else {
				fmt.Fprintf(&b, "%s\t%s\n", ip, name)
			}
		}
	}
	if len(pod.Spec.HostAliases) > 0 {
		b.WriteString("\n# Entries added by HostAliases.\n")
		for _, a := range pod.Spec.HostAliases {
			fmt.Fprintf(&b, "%s\t%s\n", a.IP, strings.Join(a.Hostnames, "\t"))
		}
	}
	return b.Bytes(), nil
}

package kubelet

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

func TestExpand(t *testing.T) {
	vars := map[string]string{"A": "alpha", "B": "$(A)", "EMPTY": ""}
	lookup := func(n string) (string, bool) { v, ok := vars[n]; return v, ok }
	cases := map[string]string{
		"plain":          "plain",
		"$(A)":           "alpha",
		"x-$(A)-y":       "x-alpha-y",
		"$$(A)":          "$(A)",
		"$$$(A)":         "$alpha",
		"$(MISSING)":     "$(MISSING)",
		"$(EMPTY)!":      "!",
		"$(B)":           "$(A)", // values are not expanded twice
		"$(A":            "$(A",
		"cost: $5":       "cost: $5",
		"trailing $":     "trailing $",
		"$()":            "$()",
		"$(A)$(A)":       "alphaalpha",
		"a $$ b":         "a $ b",
		"nested $($(A))": "nested $($(A))",
	}
	for in, want := range cases {
		if got := expand(in, lookup); got != want {
			t.Errorf("expand(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestServiceLinkVars(t *testing.T) {
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "redis-master"}, Spec: corev1.ServiceSpec{
		ClusterIP: "10.0.0.11",
		Ports:     []corev1.ServicePort{{Name: "redis", Port: 6379, Protocol: corev1.ProtocolTCP}, {Port: 9121, Protocol: corev1.ProtocolUDP}},
	}}
	got := map[string]string{}
	for _, v := range serviceLinkVars(svc) {
		got[v.Name] = v.Value
	}
	want := map[string]string{
		"REDIS_MASTER_SERVICE_HOST":        "10.0.0.11",
		"REDIS_MASTER_SERVICE_PORT":        "6379",
		"REDIS_MASTER_SERVICE_PORT_REDIS":  "6379",
		"REDIS_MASTER_PORT":                "tcp://10.0.0.11:6379",
		"REDIS_MASTER_PORT_6379_TCP":       "tcp://10.0.0.11:6379",
		"REDIS_MASTER_PORT_6379_TCP_PROTO": "tcp",
		"REDIS_MASTER_PORT_6379_TCP_PORT":  "6379",
		"REDIS_MASTER_PORT_6379_TCP_ADDR":  "10.0.0.11",
		"REDIS_MASTER_PORT_9121_UDP":       "udp://10.0.0.11:9121",
		"REDIS_MASTER_PORT_9121_UDP_PROTO": "udp",
		"REDIS_MASTER_PORT_9121_UDP_PORT":  "9121",
		"REDIS_MASTER_PORT_9121_UDP_ADDR":  "10.0.0.11",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	headless := svc.DeepCopy()
	headless.Spec.ClusterIP = "None"
	if vars := serviceLinkVars(headless); len(vars) != 0 {
		t.Errorf("headless services get no variables: %v", vars)
	}
}

func TestHostsFileAndDNS(t *testing.T) {
	dir := t.TempDir()
	resolv := filepath.Join(dir, "resolv.conf")
	os.WriteFile(resolv, []byte("# comment\nnameserver 10.0.0.2\nnameserver 10.0.0.3\nsearch a.test b.test\noptions ndots:1 edns0\n"), 0o644)
	k := &Kubelet{cfg: Config{ResolvConf: resolv, ClusterDomain: "cluster.local"}, recorder: &eventLog{}, dnsWarned: map[string]bool{}}

	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web-0", Namespace: "shop"}, Spec: corev1.PodSpec{
		Hostname: "web-0", Subdomain: "web",
		HostAliases: []corev1.HostAlias{{IP: "10.1.2.3", Hostnames: []string{"foo.local", "bar.local"}}},
		DNSPolicy:   corev1.DNSNone,
		DNSConfig:   &corev1.PodDNSConfig{Nameservers: []string{"1.1.1.1"}, Searches: []string{"x.test"}, Options: []corev1.PodDNSConfigOption{{Name: "ndots", Value: ptr("5")}}},
	}}
	hosts, err := k.hostsFile(pod, []string{"10.88.0.9"})
	if err != nil {
		t.Fatal(err)
	}
	want := "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n" +
		"10.88.0.9\tweb-0.web.shop.svc.cluster.local\tweb-0\n\n# Entries added by HostAliases.\n10.1.2.3\tfoo.local\tbar.local\n"
	if string(hosts) != want {
		t.Errorf("hosts file:\n%q\nwant\n%q", hosts, want)
	}

	dns, err := k.dnsConfig(pod)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(dns.Servers, []string{"1.1.1.1"}) || !reflect.DeepEqual(dns.Searches, []string{"x.test"}) || !reflect.DeepEqual(dns.Options, []string{"ndots:5"}) {
		t.Errorf("dnsPolicy None: %+v", dns)
	}
	pod.Spec.DNSPolicy = corev1.DNSDefault
	dns, _ = k.dnsConfig(pod)
	if !reflect.DeepEqual(dns.Servers, []string{"10.0.0.2", "10.0.0.3", "1.1.1.1"}) || !reflect.DeepEqual(dns.Searches, []string{"a.test", "b.test", "x.test"}) || !reflect.DeepEqual(dns.Options, []string{"ndots:5", "edns0"}) {
		t.Errorf("dnsPolicy Default + dnsConfig: %+v", dns)
	}
}

func ptr[T any](v T) *T { return &v }

func TestCgroupParentAndResources(t *testing.T) {
	k := &Kubelet{cfg: Config{CgroupRoot: "/"}}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{UID: "u1"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "a"}}}}
	if got := k.cgroupParent(pod); got != "/kubepods/besteffort/podu1" {
		t.Errorf("best effort: %s", got)
	}
	one := corev1.ResourceList{corev1.ResourceCPU: mustQuantity("1"), corev1.ResourceMemory: mustQuantity("1Gi")}
	pod.Spec.Containers[0].Resources = corev1.ResourceRequirements{Requests: one, Limits: one}
	if got := k.cgroupParent(pod); got != "/kubepods/podu1" {
		t.Errorf("guaranteed: %s", got)
	}
	if adj := oomScoreAdj(pod, &pod.Spec.Containers[0], 8<<30); adj != -997 {
		t.Errorf("guaranteed oom_score_adj %d", adj)
	}
	r := linuxResources(corev1.ResourceList{}, corev1.ResourceList{corev1.ResourceCPU: mustQuantity("1m")})
	if r.CpuShares != 2 || r.CpuQuota != 1000 {
		t.Errorf("tiny limit: shares %d (request defaults to the limit, min 2), quota %d (min 1000)", r.CpuShares, r.CpuQuota)
	}
	if r := linuxResources(nil, nil); r.CpuShares != 2 || r.CpuQuota != 0 || r.MemoryLimitInBytes != 0 {
		t.Errorf("no resources: %+v", r)
	}
}

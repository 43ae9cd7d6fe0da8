package v1

import (
	"testing"

	"github.com/skiff-k8s/skiff/api/internal/apitest"
)

// The expected outputs in testdata/*.upstream.json were produced by an upstream v1.37
// apiserver (kubectl create --dry-run=server -o json -f testdata/<name>.in.yaml), with
// uid, creationTimestamp, resourceVersion, generation and managedFields removed. Where the
// upstream answer includes work of other apiserver parts (admission, allocators, registry
// strategies), the tests either play that part explicitly or drop those fields, saying which.

func TestDefaultPodMatchesUpstream(t *testing.T) {
	var pod Pod
	apitest.DecodeStrict(t, apitest.ReadJSON(t, "testdata/pod-defaults.in.yaml"), &pod)

	// ServiceAccount admission names the default account.
	pod.Spec.ServiceAccountName = "default"
	DefaultPod(&pod)
	// Priority admission, with no PriorityClass: priority 0 and the default policy.
	pod.Spec.Priority = ptrTo(int32(0))
	pod.Spec.PreemptionPolicy = ptrTo(PreemptLowerPriority)
	// DefaultTolerationSeconds admission.
	AddDefaultTolerations(&pod)
	// The pod registry on create.
	pod.Status = PodStatus{Phase: PodPending}
	DefaultPodLevelResources(&pod)
	pod.Status.QOSClass = ComputePodQOSClass(&pod)

	apitest.AssertJSONEqual(t, apitest.ReadJSON(t, "testdata/pod-defaults.upstream.json"), apitest.Marshal(t, &pod))
}

func TestDefaultingIsIdempotent(t *testing.T) {
	var pod Pod
	apitest.DecodeStrict(t, apitest.ReadJSON(t, "testdata/pod-defaults.upstream.json"), &pod)
	before := apitest.Marshal(t, &pod)
	DefaultPod(&pod)
	AddDefaultTolerations(&pod)
	apitest.AssertJSONEqual(t, before, apitest.Marshal(t, &pod))
}

func TestDefaultServiceMatchesUpstream(t *testing.T) {
	in := apitest.Items(t, apitest.ReadJSON(t, "testdata/service-defaults.in.yaml"))
	want := apitest.Items(t, apitest.ReadJSON(t, "testdata/service-defaults.upstream.json"))
	for i := range in {
		var svc Service
		apitest.DecodeStrict(t, in[i], &svc)
		DefaultService(&svc)
		// Cluster IPs, IP families and node ports come from the service registry's allocators.
		exp := apitest.Generic(t, want[i])
		for _, p := range []string{"spec.clusterIP", "spec.clusterIPs", "spec.ipFamilies", "spec.ipFamilyPolicy"} {
			apitest.Delete(exp, p)
		}
		ports, _ := exp.(map[string]any)["spec"].(map[string]any)["ports"].([]any)
		for _, port := range ports {
			delete(port.(map[string]any), "nodePort")
		}
		apitest.AssertJSONEqual(t, apitest.Marshal(t, exp), apitest.Marshal(t, &svc))
	}
}

func TestDefaultOtherKindsMatchUpstream(t *testing.T) {
	in := apitest.Items(t, apitest.ReadJSON(t, "testdata/misc-defaults.in.yaml"))
	want := apitest.Items(t, apitest.ReadJSON(t, "testdata/misc-defaults.upstream.json"))
	for i := range in {
		obj := newObject(t, in[i])
		apitest.DecodeStrict(t, in[i], obj)
		exp := apitest.Generic(t, want[i])
		switch o := obj.(type) {
		case *Namespace:
			DefaultNamespace(o)
			// The namespace registry adds the "kubernetes" finalizer on create.
			apitest.Delete(exp, "spec.finalizers")
		case *Secret:
			DefaultSecret(o)
			// The secret registry folds stringData into data.
			o.Data = map[string][]byte{}
			for k, v := range o.StringData {
				o.Data[k] = []byte(v)
			}
			o.StringData = nil
		case *Node:
			DefaultNode(o)
			// TaintNodesByCondition admission adds the not-ready taint.
			apitest.Delete(exp, "spec.taints")
		case *Endpoints:
			DefaultEndpoints(o)
		default:
			t.Fatalf("unexpected %T", obj)
		}
		apitest.AssertJSONEqual(t, apitest.Marshal(t, exp), apitest.Marshal(t, obj))
	}
}

func TestDefaultPodSpecSyncsServiceAccountNames(t *testing.T) {
	for _, tc := range []struct{ name, deprecated, want string }{
		{"", "", ""},
		{"a", "", "a"},
		{"", "b", "b"},
		{"a", "b", "a"},
	} {
		spec := PodSpec{ServiceAccountName: tc.name, DeprecatedServiceAccount: tc.deprecated}
		DefaultPodSpec(&spec)
		if spec.ServiceAccountName != tc.want || spec.DeprecatedServiceAccount != tc.want {
			t.Errorf("%+v -> %q/%q, want %q", tc, spec.ServiceAccountName, spec.DeprecatedServiceAccount, tc.want)
		}
	}
}

func TestDefaultPodStatusIPs(t *testing.T) {
	for _, tc := range []struct {
		ip   string
		ips  []PodIP
		want string
		wlen int
	}{
		{"10.0.0.1", nil, "10.0.0.1", 1},
		{"", []PodIP{{IP: "10.0.0.2"}, {IP: "fd00::2"}}, "10.0.0.2", 2},
		{"10.0.0.3", []PodIP{{IP: "10.0.0.2"}, {IP: "fd00::2"}}, "10.0.0.3", 1},
		{"10.0.0.2", []PodIP{{IP: "10.0.0.2"}, {IP: "fd00::2"}}, "10.0.0.2", 2},
	} {
		s := PodStatus{PodIP: tc.ip, PodIPs: tc.ips}
		defaultPodStatus(&s)
		if s.PodIP != tc.want || len(s.PodIPs) != tc.wlen || s.PodIPs[0].IP != tc.want {
			t.Errorf("%q %v -> %q %v", tc.ip, tc.ips, s.PodIP, s.PodIPs)
		}
	}
}

func TestDefaultHostNetworkPortsAndGracePeriod(t *testing.T) {
	pod := Pod{Spec: PodSpec{
		HostNetwork:                   true,
		TerminationGracePeriodSeconds: ptrTo(int64(-5)),
		Containers:                    []Container{{Name: "c", Ports: []ContainerPort{{ContainerPort: 8080}, {ContainerPort: 53, HostPort: 5353}}}},
	}}
	DefaultPod(&pod)
	if p := pod.Spec.Containers[0].Ports; p[0].HostPort != 8080 || p[1].HostPort != 5353 {
		t.Errorf("host ports %+v", p)
	}
	if *pod.Spec.TerminationGracePeriodSeconds != 1 {
		t.Errorf("grace period %d", *pod.Spec.TerminationGracePeriodSeconds)
	}
	// Templates get neither pod-only rule.
	tmpl := PodTemplateSpec{Spec: PodSpec{HostNetwork: true, Containers: []Container{{Name: "c",
		Ports:     []ContainerPort{{ContainerPort: 8080}},
		Resources: ResourceRequirements{Limits: ResourceList{ResourceCPU: mustQ("1")}}}}}}
	DefaultPodTemplateSpec(&tmpl)
	c := tmpl.Spec.Containers[0]
	if c.Ports[0].HostPort != 0 || c.Resources.Requests != nil || tmpl.Spec.EnableServiceLinks != nil {
		t.Errorf("template got pod-only defaults: %+v", tmpl.Spec)
	}
}

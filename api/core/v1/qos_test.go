package v1

import "testing"

func TestComputePodQOSClass(t *testing.T) {
	rr := func(req, lim ResourceList) ResourceRequirements {
		return ResourceRequirements{Requests: req, Limits: lim}
	}
	cpuMem := func(cpu, mem string) ResourceList {
		rl := ResourceList{}
		if cpu != "" {
			rl[ResourceCPU] = mustQ(cpu)
		}
		if mem != "" {
			rl[ResourceMemory] = mustQ(mem)
		}
		return rl
	}
	for _, tc := range []struct {
		name      string
		init, ctr []ResourceRequirements
		pod       *ResourceRequirements
		want      PodQOSClass
	}{
		{"no resources", nil, []ResourceRequirements{{}}, nil, PodQOSBestEffort},
		{"only other resources", nil, []ResourceRequirements{rr(ResourceList{"ephemeral-storage": mustQ("1Gi")}, nil)}, nil, PodQOSBestEffort},
		{"equal cpu and memory", nil, []ResourceRequirements{rr(cpuMem("1", "1Gi"), cpuMem("1000m", "1024Mi"))}, nil, PodQOSGuaranteed},
		{"limits only (requests defaulted)", nil, []ResourceRequirements{rr(cpuMem("1", "1Gi"), cpuMem("1", "1Gi"))}, nil, PodQOSGuaranteed},
		{"cpu only", nil, []ResourceRequirements{rr(cpuMem("1", ""), cpuMem("1", ""))}, nil, PodQOSBurstable},
		{"requests below limits", nil, []ResourceRequirements{rr(cpuMem("500m", "1Gi"), cpuMem("1", "1Gi"))}, nil, PodQOSBurstable},
		{"requests only", nil, []ResourceRequirements{rr(cpuMem("100m", ""), nil)}, nil, PodQOSBurstable},
		{"guaranteed and besteffort containers", nil, []ResourceRequirements{rr(cpuMem("1", "1Gi"), cpuMem("1", "1Gi")), {}}, nil, PodQOSBurstable},
		{"init container breaks guarantee", []ResourceRequirements{rr(cpuMem("1", ""), nil)}, []ResourceRequirements{rr(cpuMem("1", "1Gi"), cpuMem("1", "1Gi"))}, nil, PodQOSBurstable},
		{"guaranteed init and regular", []ResourceRequirements{rr(cpuMem("2", "2Gi"), cpuMem("2", "2Gi"))}, []ResourceRequirements{rr(cpuMem("1", "1Gi"), cpuMem("1", "1Gi"))}, nil, PodQOSGuaranteed},
		{"zero amounts are absent", nil, []ResourceRequirements{rr(cpuMem("0", "0"), nil)}, nil, PodQOSBestEffort},
		{"pod-level resources decide", nil, []ResourceRequirements{{}}, &ResourceRequirements{Requests: cpuMem("1", "1Gi"), Limits: cpuMem("1", "1Gi")}, PodQOSGuaranteed},
		{"empty pod-level resources are ignored", nil, []ResourceRequirements{rr(cpuMem("1", ""), nil)}, &ResourceRequirements{}, PodQOSBurstable},
	} {
		pod := Pod{}
		for i, r := range tc.init {
			pod.Spec.InitContainers = append(pod.Spec.InitContainers, Container{Name: "i" + string(rune('0'+i)), Resources: r})
		}
		for i, r := range tc.ctr {
			pod.Spec.Containers = append(pod.Spec.Containers, Container{Name: "c" + string(rune('0'+i)), Resources: r})
		}
		pod.Spec.Resources = tc.pod
		if got := ComputePodQOSClass(&pod); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestAddDefaultTolerations(t *testing.T) {
	sec := func(p *int64) int64 {
		if p == nil {
			return -1
		}
		return *p
	}
	for _, tc := range []struct {
		name     string
		existing []Toleration
		wantKeys []string
	}{
		{"none", nil, []string{TaintNodeNotReady, TaintNodeUnreachable}},
		{"not-ready tolerated", []Toleration{{Key: TaintNodeNotReady, Operator: TolerationOpExists, Effect: TaintEffectNoExecute}}, []string{TaintNodeNotReady, TaintNodeUnreachable}},
		{"everything tolerated", []Toleration{{Operator: TolerationOpExists}}, []string{""}},
		{"any effect of unreachable", []Toleration{{Key: TaintNodeUnreachable, Operator: TolerationOpExists}}, []string{TaintNodeUnreachable, TaintNodeNotReady}},
		{"NoSchedule does not count", []Toleration{{Key: TaintNodeNotReady, Operator: TolerationOpExists, Effect: TaintEffectNoSchedule}}, []string{TaintNodeNotReady, TaintNodeNotReady, TaintNodeUnreachable}},
	} {
		pod := Pod{Spec: PodSpec{Tolerations: tc.existing}}
		AddDefaultTolerations(&pod)
		var keys []string
		for _, tol := range pod.Spec.Tolerations {
			keys = append(keys, tol.Key)
		}
		if len(keys) != len(tc.wantKeys) {
			t.Errorf("%s: got %v, want %v", tc.name, keys, tc.wantKeys)
			continue
		}
		for i := range keys {
			if keys[i] != tc.wantKeys[i] {
				t.Errorf("%s: got %v, want %v", tc.name, keys, tc.wantKeys)
			}
		}
		for _, tol := range pod.Spec.Tolerations[len(tc.existing):] {
			if tol.Operator != TolerationOpExists || tol.Effect != TaintEffectNoExecute || sec(tol.TolerationSeconds) != 300 {
				t.Errorf("%s: added %+v", tc.name, tol)
			}
		}
	}
	// Each added toleration owns its tolerationSeconds.
	pod := Pod{}
	AddDefaultTolerations(&pod)
	*pod.Spec.Tolerations[0].TolerationSeconds = 1
	if *pod.Spec.Tolerations[1].TolerationSeconds != 300 {
		t.Error("tolerations share tolerationSeconds")
	}
}

func TestDefaultPullPolicy(t *testing.T) {
	for _, tc := range []struct {
		image string
		want  PullPolicy
	}{
		{"nginx", PullAlways},
		{"nginx:latest", PullAlways},
		{"nginx:1.25", PullIfNotPresent},
		{"library/nginx", PullAlways},
		{"registry.example.com:5000/team/app", PullAlways},
		{"registry.example.com:5000/team/app:v1", PullIfNotPresent},
		{"localhost/app:latest", PullAlways},
		{"example.com/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", PullIfNotPresent},
		{"example.com/app:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", PullAlways},
		{"example.com/app:latest@sha256:0123", PullIfNotPresent},
		{"NGINX", PullIfNotPresent},
		{"Registry.Example.com/app", PullAlways},
		{"", PullIfNotPresent},
		{"nginx:", PullIfNotPresent},
		{"a/b:c:d", PullIfNotPresent},
		{"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", PullIfNotPresent},
	} {
		if got := defaultPullPolicy(tc.image); got != tc.want {
			t.Errorf("%q: got %s, want %s", tc.image, got, tc.want)
		}
	}
}

func TestDefaultPodLevelResources(t *testing.T) {
	sidecar := ContainerRestartPolicyAlways
	pod := Pod{Spec: PodSpec{
		Resources: &ResourceRequirements{Limits: ResourceList{ResourceCPU: mustQ("2")}},
		InitContainers: []Container{
			{Name: "init", Resources: ResourceRequirements{Requests: ResourceList{ResourceMemory: mustQ("1Gi")}}},
			{Name: "side", RestartPolicy: &sidecar, Resources: ResourceRequirements{Requests: ResourceList{ResourceCPU: mustQ("100m"), ResourceMemory: mustQ("64Mi")}}},
		},
		Containers: []Container{
			{Name: "a", Resources: ResourceRequirements{Requests: ResourceList{ResourceCPU: mustQ("500m"), ResourceMemory: mustQ("128Mi")}}},
		},
	}}
	DefaultPodLevelResources(&pod)
	r := pod.Spec.Resources
	// memory: max(init 1Gi alone, regular 128Mi + sidecar 64Mi) = 1Gi; cpu: 600m from the
	// containers (the pod-level limit is only a fallback).
	if got := r.Requests.Memory().String(); got != "1Gi" {
		t.Errorf("memory request %s", got)
	}
	if got := r.Requests.Cpu().String(); got != "600m" {
		t.Errorf("cpu request %s", got)
	}
	if _, ok := r.Limits[ResourceMemory]; ok {
		t.Errorf("memory limit defaulted without container limits: %v", r.Limits)
	}

	// A pod-level request with every container limited gets the larger limit.
	pod = Pod{Spec: PodSpec{
		Resources: &ResourceRequirements{Requests: ResourceList{ResourceCPU: mustQ("3")}},
		Containers: []Container{
			{Name: "a", Resources: ResourceRequirements{Limits: ResourceList{ResourceCPU: mustQ("1")}}},
			{Name: "b", Resources: ResourceRequirements{Limits: ResourceList{ResourceCPU: mustQ("1")}}},
		},
	}}
	DefaultPodLevelResources(&pod)
	if got := pod.Spec.Resources.Limits.Cpu().String(); got != "3" {
		t.Errorf("cpu limit %s", got)
	}
}

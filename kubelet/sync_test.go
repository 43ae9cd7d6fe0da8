package kubelet

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/resource"
)

func TestPodRunsAndStatusIsReported(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.create(testPod("web", nil))
	p := h.waitPod("web", 5*time.Second, "running and ready", func(p *corev1.Pod) bool { return isRunning(p) && isReady(p) })

	cs := containerStatus(p, "app")
	switch {
	case cs == nil || cs.State.Running == nil:
		t.Fatalf("container status %+v, want running", cs)
	case !strings.HasPrefix(cs.ContainerID, "skiff-fake://"):
		t.Errorf("containerID %q, want skiff-fake://<id>", cs.ContainerID)
	case !strings.HasPrefix(cs.ImageID, "sha256:") || cs.Image != "skiff.local/demo-app:v1":
		t.Errorf("image %q imageID %q", cs.Image, cs.ImageID)
	case !cs.Ready || cs.Started == nil || !*cs.Started || cs.RestartCount != 0:
		t.Errorf("ready=%t started=%v restarts=%d", cs.Ready, cs.Started, cs.RestartCount)
	}
	if !strings.HasPrefix(p.Status.PodIP, "127.77.") || len(p.Status.PodIPs) != 1 || p.Status.HostIP != "127.0.0.1" {
		t.Errorf("podIP %q podIPs %v hostIP %q", p.Status.PodIP, p.Status.PodIPs, p.Status.HostIP)
	}
	if p.Status.StartTime == nil || p.Status.QOSClass != corev1.PodQOSBestEffort {
		t.Errorf("startTime %v qos %q", p.Status.StartTime, p.Status.QOSClass)
	}
	var types []string
	for _, c := range p.Status.Conditions {
		types = append(types, string(c.Type)+"="+string(c.Status))
	}
	want := []string{"PodReadyToStartContainers=True", "Initialized=True", "Ready=True", "ContainersReady=True"}
	if !reflect.DeepEqual(types, want) {
		t.Errorf("conditions %v, want %v", types, want)
	}
	for _, e := range []string{
		`Normal Pulled Container image "skiff.local/demo-app:v1" already present on machine`,
		"Normal Created Created container: app",
		"Normal Started Started container app",
	} {
		if !h.events.has(e) {
			t.Errorf("missing event %q in %v", e, h.events.all())
		}
	}

	// The node registered, is Ready, and heartbeats through its lease.
	n, err := h.cs.Nodes().Get(context.Background(), "node-1")
	if err != nil {
		t.Fatal(err)
	}
	ready := false
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue && c.Reason == "KubeletReady" {
			ready = true
		}
	}
	if !ready || n.Status.NodeInfo.ContainerRuntimeVersion != "skiff-fake://0.1.0" || n.Labels[corev1.LabelHostname] != "node-1" {
		t.Errorf("node status %+v labels %v", n.Status, n.Labels)
	}
	h.waitFor(3*time.Second, "node lease", func() bool {
		l, err := h.cs.Leases("kube-node-lease").Get(context.Background(), "node-1")
		return err == nil && l.Spec.HolderIdentity != nil && *l.Spec.HolderIdentity == "node-1" && *l.Spec.LeaseDurationSeconds == 40
	})
}

func TestInitContainersRunInOrderToCompletion(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.create(testPod("init", func(p *corev1.Pod) {
		p.Annotations = map[string]string{
			"fake-cri.skiff.dev/exit-after.first":  "150ms",
			"fake-cri.skiff.dev/exit-after.second": "150ms",
		}
		p.Spec.InitContainers = []corev1.Container{
			{Name: "first", Image: "skiff.local/busybox:1.36"},
			{Name: "second", Image: "skiff.local/busybox:1.36"},
		}
	}))
	p := h.waitPod("init", 5*time.Second, "running", isRunning)

	var order []string
	for _, c := range h.rt.Calls() {
		if strings.HasPrefix(c, "RunPodSandbox") || strings.HasPrefix(c, "CreateContainer") || strings.HasPrefix(c, "StartContainer") {
			order = append(order, c)
		}
	}
	want := []string{
		"RunPodSandbox default/init",
		"CreateContainer default/init/first", "StartContainer default/init/first",
		"CreateContainer default/init/second", "StartContainer default/init/second",
		"CreateContainer default/init/app", "StartContainer default/init/app",
	}
	if !reflect.DeepEqual(order, want) {
		t.Fatalf("runtime calls\n%v\nwant\n%v", order, want)
	}
	for _, name := range []string{"first", "second"} {
		cs := containerStatus(p, name)
		if cs == nil || cs.State.Terminated == nil || cs.State.Terminated.Reason != "Completed" || !cs.Ready {
			t.Errorf("init container %s status %+v", name, cs)
		}
	}
	if c := condition(p, corev1.PodInitialized); c == nil || c.Status != corev1.ConditionTrue {
		t.Errorf("Initialized condition %+v", c)
	}
}

func TestFailedInitContainerFailsNeverPod(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.create(testPod("badinit", func(p *corev1.Pod) {
		p.Spec.RestartPolicy = corev1.RestartPolicyNever
		p.Annotations = map[string]string{"fake-cri.skiff.dev/exit-code.setup": "3"}
		p.Spec.InitContainers = []corev1.Container{{Name: "setup", Image: "skiff.local/busybox:1.36"}}
	}))
	p := h.waitPod("badinit", 5*time.Second, "failed", func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodFailed })
	if cs := containerStatus(p, "setup"); cs == nil || cs.State.Terminated == nil || cs.State.Terminated.ExitCode != 3 || cs.State.Terminated.Reason != "Error" {
		t.Errorf("init status %+v", cs)
	}
	if cs := containerStatus(p, "app"); cs == nil || cs.State.Waiting == nil || cs.State.Waiting.Reason != "PodInitializing" {
		t.Errorf("app status %+v, want waiting PodInitializing", cs)
	}
	if c := condition(p, corev1.PodInitialized); c == nil || c.Status != corev1.ConditionFalse || c.Reason != "ContainersNotInitialized" || c.Message != "containers with incomplete status: [setup]" {
		t.Errorf("Initialized %+v", c)
	}
	if len(h.callsMatching("CreateContainer default/badinit/app")) != 0 {
		t.Errorf("the app container must never be created")
	}
}

func TestContainerConfigEnvMountsAndResources(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := context.Background()
	cm := &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{Kind: "ConfigMap", APIVersion: "v1"}, ObjectMeta: metav1.ObjectMeta{Name: "cfg", Namespace: "default"}, Data: map[string]string{"greeting": "hello", "color": "blue"}}
	if _, err := h.cs.ConfigMaps("default").Create(ctx, cm); err != nil {
		t.Fatal(err)
	}
	sec := &corev1.Secret{TypeMeta: metav1.TypeMeta{Kind: "Secret", APIVersion: "v1"}, ObjectMeta: metav1.ObjectMeta{Name: "sec", Namespace: "default"}, Data: map[string][]byte{"token": []byte("s3cret")}}
	if _, err := h.cs.Secrets("default").Create(ctx, sec); err != nil {
		t.Fatal(err)
	}
	svc := &corev1.Service{TypeMeta: metav1.TypeMeta{Kind: "Service", APIVersion: "v1"}, ObjectMeta: metav1.ObjectMeta{Name: "my-db", Namespace: "default"},
		Spec: corev1.ServiceSpec{ClusterIP: "10.96.0.20", Ports: []corev1.ServicePort{{Name: "pg", Port: 5432, Protocol: corev1.ProtocolTCP}}}}
	if _, err := h.cs.Services("default").Create(ctx, svc); err != nil {
		t.Fatal(err)
	}
	h.create(testPod("cfg", func(p *corev1.Pod) {
		c := &p.Spec.Containers[0]
		c.Command = []string{"/app", "--greet=$(GREETING)", "--literal=$$(GREETING)", "--unknown=$(NOPE)"}
		c.Env = []corev1.EnvVar{
			{Name: "GREETING", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "cfg"}, Key: "greeting"}}},
			{Name: "TOKEN", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "sec"}, Key: "token"}}},
			{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
			{Name: "APP_LABEL", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.labels['app']"}}},
			{Name: "POD_IP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"}}},
			{Name: "NODE", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "spec.nodeName"}}},
			{Name: "MEM_LIMIT_MI", ValueFrom: &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{Resource: "limits.memory", Divisor: resource.MustParse("1Mi")}}},
			{Name: "MESSAGE", Value: "$(GREETING) from $(POD_NAME)"},
		}
		c.EnvFrom = []corev1.EnvFromSource{{Prefix: "CFG_", ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cfg"}}}}
		c.Resources = corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m"), corev1.ResourceMemory: resource.MustParse("64Mi")},
			Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
		}
		c.VolumeMounts = []corev1.VolumeMount{{Name: "config", MountPath: "/etc/config"}, {Name: "scratch", MountPath: "/scratch", SubPath: "sub"}}
		p.Spec.Volumes = []corev1.Volume{
			{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cfg"}}}},
			{Name: "scratch", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
		}
	}))
	p := h.waitPod("cfg", 5*time.Second, "running", isRunning)

	cfg, ok := h.rt.ContainerConfig("default", "cfg", "app")
	if !ok {
		t.Fatal("no container config")
	}
	env := map[string]string{}
	for _, kv := range cfg.Envs {
		env[kv.Key] = string(kv.Value)
	}
	wantEnv := map[string]string{
		"GREETING": "hello", "TOKEN": "s3cret", "POD_NAME": "cfg", "APP_LABEL": "cfg", "POD_IP": p.Status.PodIP,
		"NODE": "node-1", "MEM_LIMIT_MI": "128", "MESSAGE": "hello from cfg", "CFG_color": "blue", "CFG_greeting": "hello",
		"MY_DB_SERVICE_HOST": "10.96.0.20", "MY_DB_SERVICE_PORT": "5432", "MY_DB_SERVICE_PORT_PG": "5432",
		"MY_DB_PORT": "tcp://10.96.0.20:5432", "MY_DB_PORT_5432_TCP_ADDR": "10.96.0.20",
	}
	for k, v := range wantEnv {
		if env[k] != v {
			t.Errorf("env %s = %q, want %q", k, env[k], v)
		}
	}
	wantCmd := []string{"/app", "--greet=hello", "--literal=$(GREETING)", "--unknown=$(NOPE)"}
	if !reflect.DeepEqual(cfg.Command, wantCmd) {
		t.Errorf("command %q, want %q", cfg.Command, wantCmd)
	}
	res := cfg.Linux.Resources
	if res.CpuShares != 256 || res.CpuQuota != 50000 || res.CpuPeriod != 100000 || res.MemoryLimitInBytes != 128<<20 {
		t.Errorf("resources %+v", res)
	}
	// Burstable: 1000 - 1000*64Mi/8Gi = 993.
	if res.OomScoreAdj != 993 {
		t.Errorf("oom_score_adj %d, want 993", res.OomScoreAdj)
	}
	mounts := map[string]string{}
	for _, m := range cfg.Mounts {
		mounts[m.ContainerPath] = m.HostPath
		if m.ContainerPath == "/etc/config" && !m.Readonly {
			t.Errorf("configMap volumes are mounted read-only")
		}
	}
	for _, path := range []string{"/etc/config", "/scratch", "/etc/hosts", "/dev/termination-log"} {
		if mounts[path] == "" {
			t.Errorf("no mount at %s in %v", path, mounts)
		}
	}
	if got, _ := os.ReadFile(filepath.Join(mounts["/etc/config"], "greeting")); string(got) != "hello" {
		t.Errorf("configMap file greeting = %q", got)
	}
	if filepath.Base(mounts["/scratch"]) != "sub" {
		t.Errorf("subPath mount %q", mounts["/scratch"])
	}
	hosts, _ := os.ReadFile(mounts["/etc/hosts"])
	if !strings.HasPrefix(string(hosts), "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n") || !strings.Contains(string(hosts), p.Status.PodIP+"\tcfg\n") {
		t.Errorf("hosts file:\n%s", hosts)
	}

	sb, _ := h.rt.SandboxConfig("default", "cfg")
	if sb.Hostname != "cfg" || sb.Linux.CgroupParent != "/kubepods/burstable/pod"+p.UID || !reflect.DeepEqual(sb.DnsConfig.Servers, []string{"192.0.2.53"}) {
		t.Errorf("sandbox hostname %q cgroup %q dns %+v", sb.Hostname, sb.Linux.CgroupParent, sb.DnsConfig)
	}
	if sb.LogDirectory != filepath.Join(h.root, "pod-logs", "default_cfg_"+p.UID) {
		t.Errorf("log directory %q", sb.LogDirectory)
	}
	if !h.events.has("Warning MissingClusterDNS") {
		t.Errorf("ClusterFirst without cluster DNS records MissingClusterDNS")
	}

	// A ConfigMap update reaches the volume on a later sync.
	cm.Data["greeting"] = "bonjour"
	cur, _ := h.cs.ConfigMaps("default").Get(ctx, "cfg")
	cur.Data = cm.Data
	if _, err := h.cs.ConfigMaps("default").Update(ctx, cur); err != nil {
		t.Fatal(err)
	}
	h.waitFor(15*time.Second, "configMap update in the volume", func() bool {
		got, _ := os.ReadFile(filepath.Join(mounts["/etc/config"], "greeting"))
		return string(got) == "bonjour"
	})
}

func TestMissingConfigMapKeepsContainerWaiting(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.create(testPod("nocm", func(p *corev1.Pod) {
		p.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "X", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "absent"}, Key: "k"}}}}
	}))
	p := h.waitPod("nocm", 5*time.Second, "CreateContainerConfigError", func(p *corev1.Pod) bool {
		cs := containerStatus(p, "app")
		return cs != nil && cs.State.Waiting != nil && cs.State.Waiting.Reason == "CreateContainerConfigError"
	})
	if msg := containerStatus(p, "app").State.Waiting.Message; msg != `configmap "absent" not found` {
		t.Errorf("message %q", msg)
	}
	if p.Status.Phase != corev1.PodPending {
		t.Errorf("phase %s, want Pending", p.Status.Phase)
	}
}

func TestImagePullFailureAndBackOff(t *testing.T) {
	h := newHarness(t, harnessOptions{runtime: fakeruntimeOptionsFailingPulls()})
	h.create(testPod("pull", func(p *corev1.Pod) { p.Spec.Containers[0].Image = "example.test/does-not-exist:v1" }))
	p := h.waitPod("pull", 5*time.Second, "ErrImagePull", func(p *corev1.Pod) bool {
		cs := containerStatus(p, "app")
		return cs != nil && cs.State.Waiting != nil && cs.State.Waiting.Reason == "ErrImagePull"
	})
	if msg := containerStatus(p, "app").State.Waiting.Message; !strings.Contains(msg, "not found") || !strings.HasPrefix(msg, "rpc error: code = NotFound") {
		t.Errorf("ErrImagePull message %q", msg)
	}
	p = h.waitPod("pull", 5*time.Second, "ImagePullBackOff", func(p *corev1.Pod) bool {
		cs := containerStatus(p, "app")
		return cs != nil && cs.State.Waiting != nil && cs.State.Waiting.Reason == "ImagePullBackOff"
	})
	if msg := containerStatus(p, "app").State.Waiting.Message; !strings.HasPrefix(msg, `Back-off pulling image "example.test/does-not-exist:v1": ErrImagePull: rpc error`) {
		t.Errorf("ImagePullBackOff message %q", msg)
	}
	for _, e := range []string{`Normal Pulling Pulling image "example.test/does-not-exist:v1"`, `Warning Failed Failed to pull image "example.test/does-not-exist:v1"`, "Warning Failed Error: ErrImagePull", `Normal BackOff Back-off pulling image`} {
		if !h.events.has(e) {
			t.Errorf("missing event %q", e)
		}
	}
}

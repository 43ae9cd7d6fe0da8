package kubelet

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/intstr"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// TestRealContainerd runs a pod through a real containerd (Skiff's own, started with
// hack/containerd.sh, images imported with hack/images.sh). It only runs with SKIFF_E2E=1;
// the runtime socket is $SKIFF_CRI_ENDPOINT or $SKIFF_HOME/containerd/containerd.sock.
//
// It checks what only a real runtime can show: the pod's HTTP server answers on its pod
// IP, the memory limit is in the container's cgroup, an exec probe runs inside the
// container, and deletion removes the sandbox and the pod cgroup.
func TestRealContainerd(t *testing.T) {
	if os.Getenv("SKIFF_E2E") != "1" {
		t.Skip("set SKIFF_E2E=1 (and start hack/containerd.sh, hack/images.sh) to run against containerd")
	}
	endpoint := os.Getenv("SKIFF_CRI_ENDPOINT")
	if endpoint == "" {
		endpoint = "unix://" + filepath.Join(os.Getenv("SKIFF_HOME"), "containerd", "containerd.sock")
	}
	h := newHarness(t, harnessOptions{endpoint: endpoint, deletionGrace: "5"})
	p := testPod("e2e-web", func(p *corev1.Pod) {
		p.Finalizers = []string{"test.skiff.dev/hold"}
		c := &p.Spec.Containers[0]
		c.Ports = []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}}
		c.Env = []corev1.EnvVar{{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}}}
		c.Resources = corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceMemory: mustQuantity("64Mi"), corev1.ResourceCPU: mustQuantity("250m")}}
		c.ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/ready", Port: intstr.FromString("http")}}, PeriodSeconds: 1}
		c.LivenessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"sh", "-c", "test -n \"$POD_NAME\""}}}, PeriodSeconds: 2, TimeoutSeconds: 5}
	})
	start := time.Now()
	h.create(p)
	p = h.waitPod("e2e-web", 60*time.Second, "running and ready", func(p *corev1.Pod) bool { return isRunning(p) && isReady(p) })
	t.Logf("pod ready after %v, IP %s", time.Since(start).Truncate(time.Millisecond), p.Status.PodIP)
	cs := containerStatus(p, "app")
	if !strings.HasPrefix(cs.ContainerID, "containerd://") {
		t.Errorf("containerID %q", cs.ContainerID)
	}

	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get("http://" + net.JoinHostPort(p.Status.PodIP, "8080") + "/")
	if err != nil {
		t.Fatalf("GET from the pod IP: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := "demo-app v1 from pod e2e-web\n"; string(body) != want {
		t.Errorf("pod answered %q, want %q", body, want)
	}

	id := strings.TrimPrefix(cs.ContainerID, "containerd://")
	// Limits alone default the requests to them: a Guaranteed pod, under kubepods/pod<uid>.
	podCgroup := filepath.Join("/sys/fs/cgroup/memory", h.k.cgroupParent(p))
	cg := filepath.Join(podCgroup, id, "memory.limit_in_bytes")
	if b, err := os.ReadFile(cg); err != nil || strings.TrimSpace(string(b)) != "67108864" {
		t.Errorf("memory limit in %s: %q %v", cg, b, err)

	}

	time.Sleep(3 * time.Second) // a few exec liveness probes
	if h.events.has("Liveness probe") {
		t.Errorf("probes failed: %v", h.events.all())
	}

	if err := h.cs.Pods("default").Delete(context.Background(), "e2e-web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	h.waitFor(30*time.Second, "pod cleaned up", func() bool {
		_, err := os.Stat(podCgroup)
		return os.IsNotExist(err) && !h.k.workers.has(p.UID)
	})
	sbs, err := h.k.rt.ListPodSandboxes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, sb := range sbs {
		if sb.GetMetadata().GetUid() == p.UID {
			t.Errorf("sandbox %s left behind", sb.Id)
		}
	}
}

// TestRealContainerdVolumesAndHostNetwork checks mounts inside a real container (a
// configMap volume, a memory emptyDir, the managed /etc/hosts and resolv.conf) and a
// host-network pod.
func TestRealContainerdVolumesAndHostNetwork(t *testing.T) {
	if os.Getenv("SKIFF_E2E") != "1" {
		t.Skip("set SKIFF_E2E=1 to run against containerd")
	}
	endpoint := os.Getenv("SKIFF_CRI_ENDPOINT")
	if endpoint == "" {
		endpoint = "unix://" + filepath.Join(os.Getenv("SKIFF_HOME"), "containerd", "containerd.sock")
	}
	h := newHarness(t, harnessOptions{endpoint: endpoint})
	ctx := context.Background()
	cm := &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{Kind: "ConfigMap", APIVersion: "v1"}, ObjectMeta: metav1.ObjectMeta{Name: "greet", Namespace: "default"}, Data: map[string]string{"greeting": "hello"}}
	if _, err := h.cs.ConfigMaps("default").Create(ctx, cm); err != nil {
		t.Fatal(err)
	}
	h.create(testPod("e2e-vol", func(p *corev1.Pod) {
		c := &p.Spec.Containers[0]
		c.Image = "skiff.local/busybox:1.36"
		// sh as PID 1 ignores SIGTERM: a short grace period keeps the test fast.
		p.Spec.TerminationGracePeriodSeconds = ptr(int64(2))
		c.Command = []string{"sh", "-c", "cp /etc/config/greeting /work/out && sleep 3600"}
		c.VolumeMounts = []corev1.VolumeMount{{Name: "config", MountPath: "/etc/config"}, {Name: "work", MountPath: "/work"}}
		c.ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"grep", "-q", "hello", "/work/out"}}}, PeriodSeconds: 1}
		p.Spec.Volumes = []corev1.Volume{
			{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "greet"}}}},
			{Name: "work", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory}}},
		}
	}))
	h.create(testPod("e2e-host", func(p *corev1.Pod) {
		p.Spec.HostNetwork = true
		p.Spec.TerminationGracePeriodSeconds = ptr(int64(2))
		c := &p.Spec.Containers[0]
		c.Image = "skiff.local/busybox:1.36"
		c.Command = []string{"sleep", "3600"}
	}))
	p := h.waitPod("e2e-vol", 60*time.Second, "ready", func(p *corev1.Pod) bool { return isRunning(p) && isReady(p) })
	id := strings.TrimPrefix(containerStatus(p, "app").ContainerID, "containerd://")
	exec := func(cmd ...string) string {
		resp, err := h.k.rt.ExecSync(ctx, id, cmd, 5*time.Second)
		if err != nil || resp.ExitCode != 0 {
			t.Fatalf("exec %v: %v %s", cmd, err, resp.GetStderr())
		}
		return string(resp.Stdout)
	}
	if out := exec("cat", "/etc/hosts"); !strings.Contains(out, p.Status.PodIP+"\te2e-vol") {
		t.Errorf("/etc/hosts in the container:\n%s", out)
	}
	if out := exec("hostname"); strings.TrimSpace(out) != "e2e-vol" {
		t.Errorf("hostname %q", out)
	}
	if out := exec("grep", "/work", "/proc/mounts"); !strings.Contains(out, "tmpfs") {
		t.Errorf("the memory emptyDir is not a tmpfs: %q", out)
	}
	if out := exec("sh", "-c", "echo x > /etc/config/new 2>&1 || echo read-only"); !strings.Contains(out, "Read-only") && !strings.Contains(out, "read-only") {
		t.Errorf("configMap volume writable: %q", out)
	}
	hp := h.waitPod("e2e-host", 60*time.Second, "running", isRunning)
	if hp.Status.PodIP != "127.0.0.1" {
		t.Errorf("host-network pod IP %q, want the node IP", hp.Status.PodIP)
	}
	for _, name := range []string{"e2e-vol", "e2e-host"} {
		if err := h.cs.Pods("default").Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	h.waitFor(30*time.Second, "runtime cleaned", func() bool {
		rtp, _ := h.k.rt.GetPodStatus(ctx, p.UID)
		rth, _ := h.k.rt.GetPodStatus(ctx, hp.UID)
		return rtp != nil && rth != nil && len(rtp.Sandboxes) == 0 && len(rth.Sandboxes) == 0
	})
}

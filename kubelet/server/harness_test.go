package server

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/kubelet/cri"
	"github.com/skiff-k8s/skiff/kubelet/fakeruntime"
	"github.com/skiff-k8s/skiff/kubelet/server/fakestreaming"
)

// podStore is a PodSource from a map.
type podStore struct {
	mu   sync.Mutex
	pods map[string]*corev1.Pod
}

func (p *podStore) GetPodByName(namespace, name string) (*corev1.Pod, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pod, ok := p.pods[namespace+"/"+name]
	return pod, ok
}

func (p *podStore) put(pod *corev1.Pod) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pods[pod.Namespace+"/"+pod.Name] = pod
}

// harness is a kubelet server over the streaming fake runtime.
type harness struct {
	t       *testing.T
	rt      *fakestreaming.Runtime
	client  *cri.Client
	pods    *podStore
	url     string
	logDir  string
	ctx     context.Context
	running map[string]string // "ns/pod/container" -> runtime id
}

func newHarness(t *testing.T) *harness {
	dir := t.TempDir()
	fake, err := fakeruntime.New(fakeruntime.Options{PodCIDR: "127.62.0.0/16", ServePorts: true})
	if err != nil {
		t.Fatal(err)
	}
	rt, err := fakestreaming.New(fake)
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "cri.sock")
	g, err := rt.Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Stop(); rt.Close() })

	client, err := cri.Dial(sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })

	pods := &podStore{pods: map[string]*corev1.Pod{}}
	srv, err := New(Config{NodeName: "node-1", Pods: pods, Runtime: client.Runtime, Images: client.Images, RootDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &harness{t: t, rt: rt, client: client, pods: pods, url: hs.URL, logDir: filepath.Join(dir, "pods"), ctx: context.Background(), running: map[string]string{}}
}

// runPod starts a pod with the named containers (each declaring ports) through the CRI,
// as the kubelet would, and records it with a Running status.
func (h *harness) runPod(namespace, name string, ports []int32, containers ...string) *corev1.Pod {
	h.t.Helper()
	uid := "uid-" + name
	sbCfg := &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: name, Namespace: namespace, Uid: uid},
		Labels:       cri.PodLabels(name, namespace, uid),
		LogDirectory: filepath.Join(h.logDir, namespace+"_"+name+"_"+uid),
	}
	sb, err := h.client.RunPodSandbox(h.ctx, sbCfg)
	if err != nil {
		h.t.Fatal(err)
	}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, UID: uid}}
	pod.Status.Phase = corev1.PodRunning
	var declared []map[string]any
	for _, p := range ports {
		declared = append(declared, map[string]any{"containerPort": p, "protocol": "TCP"})
	}
	portsJSON, _ := json.Marshal(declared)
	for _, c := range containers {
		labels := cri.PodLabels(name, namespace, uid)
		labels[cri.LabelContainerName] = c
		id, err := h.client.CreateContainer(h.ctx, sb, &runtimeapi.ContainerConfig{
			Metadata:    &runtimeapi.ContainerMetadata{Name: c},
			Image:       &runtimeapi.ImageSpec{Image: "skiff.local/demo-app:v1"},
			Labels:      labels,
			Annotations: map[string]string{cri.AnnotationContainerPorts: string(portsJSON)},
			LogPath:     c + "/0.log",
		}, sbCfg)
		if err != nil {
			h.t.Fatal(err)
		}
		if err := h.client.StartContainer(h.ctx, id); err != nil {
			h.t.Fatal(err)
		}
		h.running[namespace+"/"+name+"/"+c] = id
		pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: c})
		pod.Status.ContainerStatuses = append(pod.Status.ContainerStatuses, corev1.ContainerStatus{
			Name: c, ContainerID: "skiff-fake://" + id,
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}},
		})
	}
	h.pods.put(pod)
	return pod
}

// logPath is where the fake runtime writes a container's log.
func (h *harness) logPath(namespace, name, container string) string {
	return filepath.Join(h.logDir, namespace+"_"+name+"_uid-"+name, container, "0.log")
}

func (h *harness) appendLog(namespace, name, container, records string) {
	f, err := os.OpenFile(h.logPath(namespace, name, container), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		h.t.Fatal(err)
	}
	defer f.Close()
	f.WriteString(records)
}

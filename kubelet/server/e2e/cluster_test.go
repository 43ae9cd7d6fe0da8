package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/skiff-k8s/skiff/kubelet/server"
	"github.com/skiff-k8s/skiff/testenv"
)

// cluster is an apiserver, one node with a kubelet server, and one pod.
type cluster struct {
	t    *testing.T
	env  *testenv.Env
	pods *podStore
}

// podStore is the kubelet's view of its pods.
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

// newCluster starts the apiserver and a kubelet server on rt, and registers node-1.
func newCluster(t *testing.T, rt runtimeapi.RuntimeServiceClient, images runtimeapi.ImageServiceClient) *cluster {
	env := testenv.Start(t)
	pods := &podStore{pods: map[string]*corev1.Pod{}}
	srv, err := server.New(server.Config{NodeName: "node-1", Pods: pods, Runtime: rt, Images: images, RootDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx, l); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	c := &cluster{t: t, env: env, pods: pods}
	port := l.Addr().(*net.TCPAddr).Port
	c.api("POST", "/api/v1/nodes", fmt.Sprintf(`{"metadata":{"name":"node-1"},"status":{
		"addresses":[{"type":"InternalIP","address":"127.0.0.1"},{"type":"Hostname","address":"node-1"}],
		"daemonEndpoints":{"kubeletEndpoint":{"Port":%d}},
		"conditions":[{"type":"Ready","status":"True"}]}}`, port), nil)
	return c
}

// api sends a JSON request to the apiserver, failing the test on an error answer.
func (c *cluster) api(method, path, body string, into any) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.env.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		c.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if into != nil {
		if err := json.Unmarshal(b, into); err != nil {
			c.t.Fatal(err)
		}
	}
}

// addPod creates the pod in the API, bound to node-1, and returns it (with its uid).
func (c *cluster) addPod(namespace, name string, containers ...string) *corev1.Pod {
	c.t.Helper()
	var specs []string
	for _, n := range containers {
		specs = append(specs, fmt.Sprintf(`{"name":%q,"image":"skiff.local/demo-app:v1","ports":[{"containerPort":8080}]}`, n))
	}
	pod := &corev1.Pod{}
	c.api("POST", "/api/v1/namespaces/"+namespace+"/pods",
		fmt.Sprintf(`{"metadata":{"name":%q},"spec":{"containers":[%s]}}`, name, strings.Join(specs, ",")), pod)
	c.api("POST", "/api/v1/namespaces/"+namespace+"/pods/"+name+"/binding", `{"target":{"kind":"Node","name":"node-1"}}`, nil)
	c.api("GET", "/api/v1/namespaces/"+namespace+"/pods/"+name, "", pod)
	return pod
}

// markRunning records the pod as Running with its containers' runtime ids ("<runtime>://
// <id>" by container name), in the API and in the kubelet's view, as a kubelet would.
func (c *cluster) markRunning(pod *corev1.Pod, ids map[string]string) {
	c.t.Helper()
	pod.Status.Phase = corev1.PodRunning
	pod.Status.ContainerStatuses = nil
	for _, ctr := range pod.Spec.Containers {
		pod.Status.ContainerStatuses = append(pod.Status.ContainerStatuses, corev1.ContainerStatus{
			Name: ctr.Name, Ready: true, ContainerID: ids[ctr.Name], Image: ctr.Image,
			State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}},
		})
	}
	body, _ := json.Marshal(pod)
	c.api("PUT", "/api/v1/namespaces/"+pod.Namespace+"/pods/"+pod.Name+"/status", string(body), pod)
	c.pods.mu.Lock()
	c.pods.pods[pod.Namespace+"/"+pod.Name] = pod
	c.pods.mu.Unlock()
}

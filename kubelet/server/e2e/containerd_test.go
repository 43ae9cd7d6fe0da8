package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/skiff-k8s/skiff/kubelet/cri"
)

// criEndpoint is the containerd socket of the e2e environment.
func criEndpoint() string {
	if e := os.Getenv("SKIFF_CRI_ENDPOINT"); e != "" {
		return e
	}
	home := os.Getenv("SKIFF_HOME")
	if home == "" {
		_, file, _, _ := runtime.Caller(0)
		home = filepath.Join(filepath.Dir(file), "..", "..", "..", ".skiff")
	}
	return filepath.Join(home, "containerd", "containerd.sock")
}

func TestKubectlContainerd(t *testing.T) {
	if os.Getenv("SKIFF_E2E") != "1" {
		t.Skip("set SKIFF_E2E=1 to run against containerd")
	}
	kubectls(t)
	endpoint := criEndpoint()
	if _, err := os.Stat(endpoint); err != nil {
		t.Fatalf("no containerd at %s (start it with hack/containerd.sh, or set SKIFF_CRI_ENDPOINT): %v", endpoint, err)
	}
	client, err := cri.Dial(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := client.Version(ctx); err != nil {
		t.Fatalf("containerd at %s: %v", endpoint, err)
	}
	const image = "skiff.local/demo-app:v1"
	if st, err := client.Images.ImageStatus(ctx, &runtimeapi.ImageStatusRequest{Image: &runtimeapi.ImageSpec{Image: image}}); err != nil || st.Image == nil {
		t.Fatalf("image %s is not in containerd (run hack/images.sh): %v", image, err)
	}

	c := newCluster(t, client.Runtime, client.Images)
	pod := c.addPod("default", "web", "app")
	logDir := filepath.Join(t.TempDir(), "pods", "default_web_"+pod.UID)
	sbCfg := &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: "web", Namespace: "default", Uid: pod.UID},
		Hostname:     "web",
		Labels:       cri.PodLabels("web", "default", pod.UID),
		LogDirectory: logDir,
		Linux: &runtimeapi.LinuxPodSandboxConfig{SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{
			NamespaceOptions: &runtimeapi.NamespaceOption{Network: runtimeapi.NamespaceMode_POD, Pid: runtimeapi.NamespaceMode_CONTAINER, Ipc: runtimeapi.NamespaceMode_POD},
		}},
	}
	sb, err := client.RunPodSandbox(ctx, sbCfg)
	if err != nil {
		t.Fatalf("run sandbox: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		client.StopPodSandbox(ctx, sb)
		client.RemovePodSandbox(ctx, sb)
	})
	labels := cri.PodLabels("web", "default", pod.UID)
	labels[cri.LabelContainerName] = "app"
	id, err := client.CreateContainer(ctx, sb, &runtimeapi.ContainerConfig{
		Metadata: &runtimeapi.ContainerMetadata{Name: "app"},
		Image:    &runtimeapi.ImageSpec{Image: image},
		Envs:     []*runtimeapi.KeyValue{{Key: "POD_NAME", Value: []byte("web")}},
		Labels:   labels,
		LogPath:  "app/0.log",
		// As the kubelet does without shareProcessNamespace: the app is pid 1 of its own
		// pid namespace.
		Linux: &runtimeapi.LinuxContainerConfig{SecurityContext: &runtimeapi.LinuxContainerSecurityContext{
			NamespaceOptions: &runtimeapi.NamespaceOption{Network: runtimeapi.NamespaceMode_POD, Pid: runtimeapi.NamespaceMode_CONTAINER, Ipc: runtimeapi.NamespaceMode_POD},
		}},
	}, sbCfg)
	if err != nil {
		t.Fatalf("create container: %v", err)
	}
	if err := client.StartContainer(ctx, id); err != nil {
		t.Fatalf("start container: %v", err)
	}
	c.markRunning(pod, map[string]string{"app": "containerd://" + id})

	// The app logs a line when it listens; wait for it.
	logPath := filepath.Join(logDir, "app", "0.log")
	for i := 0; i < 100; i++ {
		if b, _ := os.ReadFile(logPath); len(b) > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}

	runChecks(t, c.env.KubeconfigPath, scenario{
		pod: "web", container: "app",
		logLine: "8080",
		// A line written to the main process's stdout lands in the container log.
		writeLog: func(t *testing.T, run kubectlRunner, line string) {
			if _, errOut, err := run("", "exec", "web", "--", "sh", "-c", "echo "+line+" > /proc/1/fd/1"); err != nil {
				t.Errorf("write a log line: %v %s", err, errOut)
			}
		},
		echoCmd: []string{"echo"}, catCmd: []string{"cat"}, exitCmd: []string{"sh", "-c", "exit 3"},
		// containerd applies a terminal's size after starting the process (upstream
		// too), so a command that reads it at once may see none yet: wait a little.
		sizeCmd: []string{"sh", "-c", "sleep 1; stty size"},
		sizeRE:  regexp.MustCompile(`27 91`),
		port:    "8080", portBody: "demo-app v1 from pod web",
		cp: true,
	})
}

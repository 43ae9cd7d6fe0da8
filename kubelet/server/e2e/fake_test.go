package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/skiff-k8s/skiff/kubelet/cri"
	"github.com/skiff-k8s/skiff/kubelet/fakeruntime"
	"github.com/skiff-k8s/skiff/kubelet/server/fakestreaming"
)

func TestKubectlFakeRuntime(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an apiserver and runs kubectl")
	}
	kubectls(t)
	dir := t.TempDir()
	fake, err := fakeruntime.New(fakeruntime.Options{PodCIDR: "127.63.0.0/16", ServePorts: true})
	if err != nil {
		t.Fatal(err)
	}
	rt, err := fakestreaming.New(fake)
	if err != nil {
		t.Fatal(err)
	}
	g, err := rt.Listen(filepath.Join(dir, "cri.sock"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Stop(); rt.Close() })
	client, err := cri.Dial(filepath.Join(dir, "cri.sock"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	c := newCluster(t, client.Runtime, client.Images)

	// The pod object first (for its uid), then its sandbox and container.
	pod := c.addPod("default", "web", "app")
	ctx := context.Background()
	logDir := filepath.Join(dir, "pods", "default_web_"+pod.UID)
	sbCfg := &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: "web", Namespace: "default", Uid: pod.UID},
		Labels:       cri.PodLabels("web", "default", pod.UID),
		LogDirectory: logDir,
	}
	sb, err := client.RunPodSandbox(ctx, sbCfg)
	if err != nil {
		t.Fatal(err)
	}
	labels := cri.PodLabels("web", "default", pod.UID)
	labels[cri.LabelContainerName] = "app"
	id, err := client.CreateContainer(ctx, sb, &runtimeapi.ContainerConfig{
		Metadata:    &runtimeapi.ContainerMetadata{Name: "app"},
		Image:       &runtimeapi.ImageSpec{Image: "skiff.local/demo-app:v1"},
		Labels:      labels,
		Annotations: map[string]string{cri.AnnotationContainerPorts: `[{"containerPort":8080,"protocol":"TCP"}]`},
		LogPath:     "app/0.log",
	}, sbCfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.StartContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	c.markRunning(pod, map[string]string{"app": "skiff-fake://" + id})

	logPath := filepath.Join(logDir, "app", "0.log")
	runChecks(t, c.env.KubeconfigPath, scenario{
		pod: "web", container: "app",
		logLine: "fake container app of pod default/web started",
		writeLog: func(t *testing.T, _ kubectlRunner, line string) {
			f, err := os.OpenFile(logPath, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			f.WriteString(time.Now().UTC().Format(time.RFC3339Nano) + " stdout F " + line + "\n")
		},
		echoCmd: []string{"echo"}, catCmd: []string{"cat"}, exitCmd: []string{"sh", "-c", "exit 3"},
		sizeCmd: []string{"size"}, sizeRE: regexp.MustCompile(`91x27`),
		port: "8080", portBody: "fake-cri default/web/app /",
	})
}

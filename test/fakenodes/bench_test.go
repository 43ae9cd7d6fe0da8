// Package fakenodes_test benchmarks the control plane against many simulated nodes on one
// machine: real kubelets, each talking CRI to its own fake-cri process whose containers are
// simulated, so scheduling and controller throughput are measured without root, cgroups,
// images or a network.
//
// It builds nothing: the binaries come from $SKIFF_BIN (default ../../_output/bin, what
// `make build` produces). Run it once per invocation, because each call starts a cluster:
//
//	go test -run '^$' -bench BenchmarkReplicaSetOnFakeKubelets -benchtime 1x ./fakenodes/
package fakenodes_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

const (
	nodeCount    = 10
	image        = "skiff.local/demo-app:v1"
	readyTimeout = 5 * time.Minute
)

func BenchmarkReplicaSetOnFakeKubelets(b *testing.B) {
	replicas := int32(100)
	if v := os.Getenv("SKIFF_FAKE_REPLICAS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("SKIFF_FAKE_REPLICAS=%q: want a positive integer", v)
		}
		replicas = int32(n)
	}
	cs := startFakeCluster(b, binDir(b))
	ctx := context.Background()

	b.ResetTimer()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		name := fmt.Sprintf("fake-bench-%d", i)
		start := time.Now()
		if _, err := cs.AppsV1().ReplicaSets("default").Create(ctx, replicaSet(name, replicas), metav1.CreateOptions{}); err != nil {
			b.Fatalf("create ReplicaSet %s: %v", name, err)
		}
		waitFor(b, fmt.Sprintf("ReplicaSet %s to have %d ready replicas", name, replicas), func() (bool, error) {
			rs, err := cs.AppsV1().ReplicaSets("default").Get(ctx, name, metav1.GetOptions{})
			return err == nil && rs.Status.ReadyReplicas == replicas, err
		})
		total += time.Since(start)
		// Free the nodes for the next iteration; deletion is not part of the measurement.
		b.StopTimer()
		_ = cs.AppsV1().ReplicaSets("default").Delete(ctx, name, metav1.DeleteOptions{})
		b.StartTimer()
	}
	perRun := total.Seconds() / float64(b.N)
	b.ReportMetric(perRun, "s-to-ready")
	b.ReportMetric(float64(replicas)/perRun, "pods/s")
}

func replicaSet(name string, replicas int32) *appsv1.ReplicaSet {
	labels := map[string]string{"app": name}
	return &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.ReplicaSetSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image}}},
			},
		},
	}
}

// binDir finds the prebuilt binaries, skipping the benchmark when any is missing.
func binDir(b *testing.B) string {
	dir := os.Getenv("SKIFF_BIN")
	if dir == "" {
		dir = filepath.Join("..", "..", "_output", "bin")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"apiserver", "scheduler", "controller-manager", "kubelet", "fake-cri"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			b.Skipf("binary %s is missing in %s: run `make build` first (or set SKIFF_BIN)", name, dir)
		}
	}
	return dir
}

// startFakeCluster starts the apiserver, scheduler, controller-manager and nodeCount
// simulated nodes (fake-cri + kubelet each), and waits until every node is Ready.
func startFakeCluster(b *testing.B, bin string) *kubernetes.Clientset {
	// A short directory of our own: unix socket paths are limited to 108 bytes.
	home, err := os.MkdirTemp("", "skiff-fn-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(home) }) // registered first, so it runs after the processes stop

	apiPort := freePort(b)
	kubeconfig := filepath.Join(home, "kubeconfig")
	writeFile(b, kubeconfig, fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: skiff
  cluster: {server: "http://127.0.0.1:%d"}
users:
- name: admin
  user: {}
contexts:
- name: skiff
  context: {cluster: skiff, user: admin, namespace: default}
current-context: skiff
`, apiPort))
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		b.Fatal(err)
	}
	cfg.QPS, cfg.Burst = 200, 400
	cs := kubernetes.NewForConfigOrDie(cfg)

	start(b, home, "apiserver", bin, "--port", strconv.Itoa(apiPort), "--data-dir", filepath.Join(home, "etcd"))
	waitFor(b, "apiserver /readyz", func() (bool, error) {
		body, err := cs.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(context.Background())
		return err == nil && string(body) == "ok", nil
	})
	common := []string{"--kubeconfig", kubeconfig, "--leader-elect=false", "--port", "0"}
	start(b, home, "scheduler", bin, common...)
	start(b, home, "controller-manager", bin, common...)

	for i := 0; i < nodeCount; i++ {
		node := fmt.Sprintf("fake-%d", i)
		dir := filepath.Join(home, node)
		sock := filepath.Join(dir, "cri.sock")
		cidr := fmt.Sprintf("127.10.%d.0/24", i)
		start(b, dir, "fake-cri", bin, "--listen", sock, "--pod-cidr", cidr)
		waitFor(b, node+" fake-cri socket", func() (bool, error) {
			_, err := os.Stat(sock)
			return err == nil, nil
		})
		start(b, dir, "kubelet", bin,
			"--kubeconfig", kubeconfig, "--hostname-override", node, "--node-ip", "127.0.0.1",
			"--runtime-endpoint", "unix://"+sock, "--root-dir", filepath.Join(dir, "root"),
			"--port", strconv.Itoa(freePort(b)), "--pod-cidr", cidr,
			// Nothing real is ever created under it; a private root keeps the kubelet's
			// pod-cgroup cleanup away from any real kubepods hierarchy.
			"--cgroup-root", "/skiff-fakenodes",
			"--capacity-cpu", "8", "--capacity-memory", "32Gi")
	}
	waitFor(b, fmt.Sprintf("%d Ready nodes", nodeCount), func() (bool, error) {
		nodes, err := cs.CoreV1().Nodes().List(context.Background(), metav1.ListOptions{})
		if err != nil {
			return false, nil
		}
		ready := 0
		for _, n := range nodes.Items {
			for _, c := range n.Status.Conditions {
				if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
					ready++
				}
			}
		}
		return ready == nodeCount, nil
	})
	return cs
}

// start runs one component in dir (logs in dir/<name>.log) and stops it by PID at cleanup:
// SIGTERM, then SIGKILL if it has not exited within 10s.
func start(b *testing.B, dir, name, bin string, args ...string) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	logPath := filepath.Join(dir, name+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(bin, name), args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, logFile, logFile
	if err := cmd.Start(); err != nil {
		b.Fatalf("start %s: %v", name, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); logFile.Close(); close(exited) }()
	b.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if b.Failed() {
			if out, err := os.ReadFile(logPath); err == nil {
				b.Logf("--- %s (%s), last lines:\n%s", name, dir, tail(string(out), 2000))
			}
		}
	})
}

// waitFor polls cond every 100ms until it holds, failing the benchmark after readyTimeout.
func waitFor(b *testing.B, what string, cond func() (bool, error)) {
	deadline := time.Now().Add(readyTimeout)
	var lastErr error
	for time.Now().Before(deadline) {
		ok, err := cond()
		if ok {
			return
		}
		lastErr = err
		time.Sleep(100 * time.Millisecond)
	}
	b.Fatalf("timed out after %v waiting for %s (last error: %v)", readyTimeout, what, lastErr)
}

func freePort(b *testing.B) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func writeFile(b *testing.B, path, content string) {
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		b.Fatal(err)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

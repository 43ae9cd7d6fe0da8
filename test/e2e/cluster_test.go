// Package e2e_test runs Skiff the way a user does: hack/up.sh brings up a real single-node
// cluster (Skiff's containerd, runc, the CNI bridge, every Skiff process) in a temporary
// SKIFF_HOME on free ports, the real kubectl drives it, pods answer on their own IPs and on
// Service ClusterIPs, and hack/down.sh must leave no process, mount or bridge behind.
//
// The tests need root and containerd (hack/install-deps.sh installs it; CI does). Without
// either they skip, saying why; anything else missing is a failure.
package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// cluster is one Skiff cluster started by hack/up.sh.
type cluster struct {
	repo        string // the repository root (hack/ lives there)
	home        string // SKIFF_HOME
	bin         string // SKIFF_BIN
	env         []string
	kubeconfig  string
	nodeName    string
	client      kubernetes.Interface
	podUIDs     []string // pods the test made, to find their processes after down.sh
	kubectlPath string
}

// components are the processes up.sh starts, each with a pid file.
var components = []string{"apiserver", "controller-manager", "scheduler", "kubelet", "proxy", "containerd"}

// requireNode skips unless the machine can run pods: root and containerd.
func requireNode(tb testing.TB) {
	tb.Helper()
	if os.Geteuid() != 0 {
		tb.Skip("e2e: needs root (containerd, the pod bridge and iptables); run `sudo make test`")
	}
	if _, err := exec.LookPath("containerd"); err != nil {
		tb.Skip("e2e: containerd is not installed; hack/install-deps.sh installs it (make install-deps)")
	}
}

// newCluster prepares (but does not start) a cluster in home.
func newCluster(home string) (*cluster, error) {
	_, file, _, _ := runtime.Caller(0)
	repo := filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
	bin := os.Getenv("SKIFF_BIN")
	if bin == "" {
		bin = filepath.Join(repo, "_output", "bin")
	}
	bin, err := filepath.Abs(bin)
	if err != nil {
		return nil, err
	}
	for _, b := range components[:5] {
		if _, err := os.Stat(filepath.Join(bin, b)); err != nil {
			return nil, fmt.Errorf("binary %s is missing in %s: run `make build` (SKIFF_BIN names the directory)", b, bin)
		}
	}
	kubectl := os.Getenv("KUBECTL")
	if kubectl == "" {
		kubectl = "kubectl"
	}
	if kubectl, err = exec.LookPath(kubectl); err != nil {
		return nil, fmt.Errorf("the real kubectl is needed on PATH (or $KUBECTL): %w", err)
	}
	ports, err := freePorts(5)
	if err != nil {
		return nil, err
	}
	c := &cluster{repo: repo, home: home, bin: bin, kubeconfig: filepath.Join(home, "kubeconfig"), nodeName: "skiff-e2e", kubectlPath: kubectl}
	c.env = append(os.Environ(),
		"SKIFF_HOME="+home,
		"SKIFF_BIN="+bin,
		"SKIFF_NODE_NAME="+c.nodeName,
		"SKIFF_API_PORT="+strconv.Itoa(ports[0]),
		"SKIFF_CM_PORT="+strconv.Itoa(ports[1]),
		"SKIFF_SCHEDULER_PORT="+strconv.Itoa(ports[2]),
		"SKIFF_KUBELET_PORT="+strconv.Itoa(ports[3]),
		"SKIFF_PROXY_PORT="+strconv.Itoa(ports[4]),
		"KUBECONFIG="+c.kubeconfig,
	)
	return c, nil
}

// startCluster brings a cluster up for the test and registers its teardown: down.sh runs
// even when the test fails, after the component logs' ends are printed.
func startCluster(t *testing.T) *cluster {
	t.Helper()
	requireNode(t)
	c, err := newCluster(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(c.logTails(40))
		}
		if out, err := c.down(); err != nil {
			t.Errorf("hack/down.sh: %v\n%s", err, out)
		}
		for _, problem := range c.leftovers() {
			t.Errorf("after the final hack/down.sh: %s", problem)
		}
	})
	if out, err := c.up(); err != nil {
		t.Fatalf("hack/up.sh: %v\n%s", err, out)
	}
	return c
}

// up runs hack/up.sh and connects a client-go clientset to the cluster.
func (c *cluster) up() (string, error) {
	out, err := c.script("up.sh")
	if err != nil {
		return out + c.logTails(30), err
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", c.kubeconfig)
	if err != nil {
		return out, fmt.Errorf("read %s: %w", c.kubeconfig, err)
	}
	cfg.QPS, cfg.Burst = 200, 400
	// JSON on the wire: what this test checks is the node, not the protobuf codec.
	cfg.ContentType = "application/json"
	cfg.AcceptContentTypes = "application/json"
	if c.client, err = kubernetes.NewForConfig(cfg); err != nil {
		return out, err
	}
	return out, nil
}

func (c *cluster) down() (string, error) { return c.script("down.sh") }

// script runs a hack/ script with the cluster's environment and no stdin.
func (c *cluster) script(name string) (string, error) {
	cmd := exec.Command(filepath.Join(c.repo, "hack", name))
	cmd.Env = c.env
	cmd.Dir = c.repo
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// kubectlRun runs the real kubectl against the cluster, with a deadline.
func (c *cluster) kubectlRun(timeout time.Duration, stdin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.kubectlPath, append([]string{"--kubeconfig", c.kubeconfig}, args...)...)
	cmd.Env = c.env
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return stdout.String(), fmt.Errorf("kubectl %s: %w\nstderr: %s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

// kubectl runs kubectl and fails the test on error.
func (c *cluster) kubectl(t testing.TB, args ...string) string {
	t.Helper()
	out, err := c.kubectlRun(2*time.Minute, "", args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// apply applies a manifest from testdata.
func (c *cluster) apply(t testing.TB, file string) {
	t.Helper()
	c.kubectl(t, "apply", "-f", filepath.Join("testdata", file))
}

// pids reads the pid files of every component (those that exist).
func (c *cluster) pids() map[string]int {
	pids := map[string]int{}
	for _, name := range components {
		b, err := os.ReadFile(filepath.Join(c.home, "pid", name+".pid"))
		if err != nil {
			continue
		}
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			pids[name] = pid
		}
	}
	return pids
}

// logTails returns the last n lines of every component log.
func (c *cluster) logTails(n int) string {
	var b strings.Builder
	files, _ := filepath.Glob(filepath.Join(c.home, "logs", "*.log"))
	for _, f := range files {
		fmt.Fprintf(&b, "\n----- %s (last %d lines)\n", f, n)
		b.WriteString(lastLines(f, n))
	}
	return b.String()
}

func lastLines(file string, n int) string {
	f, err := os.Open(file)
	if err != nil {
		return err.Error() + "\n"
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1024*1024), 1024*1024)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// freePorts returns n loopback ports nothing listens on right now.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// eventually polls cond every interval until it returns true or timeout passes; the last
// error (or the description) makes the failure message.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var lastErr error
	for {
		ok, err := cond()
		if ok {
			return
		}
		if err != nil {
			lastErr = err
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s (last error: %v)", timeout, what, lastErr)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

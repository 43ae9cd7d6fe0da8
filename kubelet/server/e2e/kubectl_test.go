package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// kubectls are the kubectl binaries to drive: the one on PATH (1.32 here) and the
// versions that switch protocols: 1.27 (SPDY everywhere), 1.30 (WebSocket exec, SPDY
// port-forward) and 1.33 (WebSockets, port-forward tunneled). SKIFF_E2E_ALL_KUBECTLS=1
// adds every version from 1.27 to 1.33.
func kubectls(t *testing.T) map[string]string {
	out := map[string]string{}
	if p, err := exec.LookPath("kubectl"); err == nil {
		out["kubectl"] = p
	}
	versions := []string{"1.27", "1.30", "1.33"}
	if os.Getenv("SKIFF_E2E_ALL_KUBECTLS") == "1" {
		versions = []string{"1.27", "1.28", "1.29", "1.30", "1.31", "1.32", "1.33"}
	}
	for _, v := range versions {
		p := "/usr/lib/google-cloud-sdk/bin/kubectl." + v
		if _, err := os.Stat(p); err == nil {
			out[v] = p
		}
	}
	if len(out) == 0 {
		t.Skip("no kubectl installed")
	}
	return out
}

// scenario is what the checks expect of one pod.
type scenario struct {
	pod, container string
	// logLine is printed by the container when it starts.
	logLine string
	// writeLog makes the running container log a line.
	writeLog func(t *testing.T, run kubectlRunner, line string)
	// echoCmd prints its arguments (the test adds one); catCmd copies stdin; exitCmd exits 3; sizeCmd prints
	// the terminal size in a form sizeRE matches with 91 columns and 27 rows.
	echoCmd, catCmd, exitCmd, sizeCmd []string
	sizeRE                            *regexp.Regexp
	// port answers HTTP with a body containing portBody.
	port     string
	portBody string
	// cp: the container has tar, so kubectl cp works.
	cp bool
}

type kubectlRunner func(stdin string, args ...string) (stdout, stderr string, err error)

func runner(t *testing.T, bin, kubeconfig string) kubectlRunner {
	return func(stdin string, args ...string) (string, string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, append([]string{"--kubeconfig", kubeconfig}, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		return out.String(), errOut.String(), err
	}
}

// runChecks drives every kubectl through the scenario.
func runChecks(t *testing.T, kubeconfig string, s scenario) {
	checkSummary(t, kubeconfig, s)
	for version, bin := range kubectls(t) {
		t.Run(version, func(t *testing.T) {
			run := runner(t, bin, kubeconfig)
			expect := func(what, got, want string, err error) {
				t.Helper()
				if err != nil || !strings.Contains(got, want) {
					t.Errorf("%s: got %q (err %v), want it to contain %q", what, got, err, want)
				}
			}

			out, errOut, err := run("", "logs", s.pod)
			expect("kubectl logs", out+errOut, s.logLine, err)

			out, errOut, err = run("", append(append([]string{"exec", s.pod, "--"}, s.echoCmd...), "hello-"+version)...)
			expect("kubectl exec echo", out+errOut, "hello-"+version, nil)
			if err != nil {
				t.Errorf("kubectl exec echo: %v %s", err, errOut)
			}

			out, errOut, err = run("piped data\n", append([]string{"exec", "-i", s.pod, "--"}, s.catCmd...)...)
			expect("kubectl exec -i cat", out, "piped data\n", err)
			_ = errOut

			// Megabytes through stdin and back: flow across frames and messages, and the
			// end of stdin reaching the process.
			big := strings.Repeat("0123456789abcdef", 256*1024) // 4 MiB
			out, errOut, err = run(big, append([]string{"exec", "-i", s.pod, "--"}, s.catCmd...)...)
			if err != nil || out != big {
				t.Errorf("kubectl exec -i cat of 4 MiB: got %d bytes (err %v, stderr %q)", len(out), err, errOut)
			}

			_, errOut, err = run("", append([]string{"exec", s.pod, "--"}, s.exitCmd...)...)
			var exitErr *exec.ExitError
			if !errors.As(err, &exitErr) || exitErr.ExitCode() != 3 || !strings.Contains(errOut, "command terminated with exit code 3") {
				t.Errorf("kubectl exec exit 3: err %v, stderr %q", err, errOut)
			}

			out, errOut, err = run("", "exec", s.pod, "-c", "nosuch", "--", "true")
			if err == nil || !strings.Contains(errOut, "container nosuch is not valid for pod "+s.pod) {
				t.Errorf("kubectl exec -c nosuch: %v %q %q", err, out, errOut)
			}

			checkTTY(t, bin, kubeconfig, s)
			checkFollow(t, bin, kubeconfig, run, s, version)
			checkPortForward(t, bin, kubeconfig, s)
			if s.cp {
				checkCopy(t, run, s)
			}
		})
	}
}

// checkTTY runs kubectl exec -it under a pseudo terminal (script(1)) of 91x27.
func checkTTY(t *testing.T, bin, kubeconfig string, s scenario) {
	if _, err := exec.LookPath("script"); err != nil {
		t.Log("no script(1): -it not checked")
		return
	}
	cmdline := "stty cols 91 rows 27; " + shellQuote(bin) + " --kubeconfig " + shellQuote(kubeconfig) + " exec -it " + s.pod + " -- " + strings.Join(quoteAll(s.sizeCmd), " ")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "script", "-qec", cmdline, "/dev/null")
	// kubectl's stdin must stay open while the command runs: at its end kubectl closes
	// the remote stdin, and a terminal whose input is closed may be hung up before the
	// command has read its size. (An *os.File, so that Wait does not wait for a copy.)
	stdin, keepOpen, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer keepOpen.Close()
	defer stdin.Close()
	cmd.Stdin = stdin
	out, err := cmd.CombinedOutput()
	if err != nil || !s.sizeRE.Match(out) {
		t.Errorf("kubectl exec -it: %q (err %v), want %v", out, err, s.sizeRE)
	}
}

// checkFollow runs kubectl logs -f and waits for a line logged after it started.
func checkFollow(t *testing.T, bin, kubeconfig string, run kubectlRunner, s scenario, version string) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--kubeconfig", kubeconfig, "logs", "-f", "--tail=1", s.pod)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); cmd.Wait() }()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	marker := "followed-by-" + version
	deadline := time.After(30 * time.Second)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	s.writeLog(t, run, marker)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Errorf("kubectl logs -f ended before %q arrived", marker)
				return
			}
			if strings.Contains(l, marker) {
				return
			}
		case <-tick.C:
		case <-deadline:
			t.Errorf("kubectl logs -f: %q did not arrive", marker)
			return
		}
	}
}

var forwardingRE = regexp.MustCompile(`Forwarding from 127\.0\.0\.1:(\d+) ->`)

// checkPortForward forwards a free local port to the pod's port and sends two requests
// through it.
func checkPortForward(t *testing.T, bin, kubeconfig string, s scenario) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--kubeconfig", kubeconfig, "port-forward", "pod/"+s.pod, ":"+s.port)
	stdout, _ := cmd.StdoutPipe()
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); cmd.Wait() }()
	portCh := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := forwardingRE.FindStringSubmatch(sc.Text()); m != nil {
				portCh <- m[1]
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	var local string
	select {
	case local = <-portCh:
	case <-time.After(30 * time.Second):
		t.Errorf("kubectl port-forward did not start: %s", errOut.String())
		return
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	for i := 0; i < 2; i++ {
		resp, err := client.Get("http://127.0.0.1:" + local + "/")
		if err != nil {
			t.Errorf("GET through port-forward: %v (kubectl: %s)", err, errOut.String())
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), s.portBody) {
			t.Errorf("GET through port-forward: %q, want %q", body, s.portBody)
		}
	}
}

// checkCopy copies a file in with kubectl cp (exec of tar, with stdin's end) and reads
// it back.
func checkCopy(t *testing.T, run kubectlRunner, s scenario) {
	dir := t.TempDir()
	src := filepath.Join(dir, "in.txt")
	os.WriteFile(src, []byte("copied content\n"), 0o644)
	// kubectl cp wants a relative local path.
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	os.Chdir(dir)
	if out, errOut, err := run("", "cp", "in.txt", s.pod+":/tmp/in.txt"); err != nil {
		t.Errorf("kubectl cp: %v %s %s", err, out, errOut)
		return
	}
	out, errOut, err := run("", "exec", s.pod, "--", "cat", "/tmp/in.txt")
	if err != nil || out != "copied content\n" {
		t.Errorf("read back copied file: %q %q %v", out, errOut, err)
	}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func quoteAll(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = shellQuote(a)
	}
	return out
}

// checkSummary reads the node's Summary through the apiserver's nodes/proxy and finds
// the pod's container in it with its CPU and memory figures.
func checkSummary(t *testing.T, kubeconfig string, s scenario) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "kubectl", "--kubeconfig", kubeconfig, "get", "--raw", "/api/v1/nodes/node-1/proxy/stats/summary")
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	out, err := cmd.Output()
	if err != nil {
		t.Errorf("summary through nodes/proxy: %v: %s", err, errOut.String())
		return
	}
	var sum struct {
		Node struct {
			NodeName string
			CPU      struct{ UsageCoreNanoSeconds uint64 }
			Memory   struct{ WorkingSetBytes uint64 }
		}
		Pods []struct {
			PodRef     struct{ Name, Namespace string }
			Containers []struct {
				Name   string
				CPU    *struct{ UsageCoreNanoSeconds *uint64 }
				Memory *struct{ WorkingSetBytes *uint64 }
			}
		}
	}
	if err := json.Unmarshal(out, &sum); err != nil {
		t.Errorf("summary: %v in %s", err, out)
		return
	}
	if sum.Node.NodeName != "node-1" || sum.Node.CPU.UsageCoreNanoSeconds == 0 || sum.Node.Memory.WorkingSetBytes == 0 {
		t.Errorf("summary node: %+v", sum.Node)
	}
	for _, p := range sum.Pods {
		for _, c := range p.Containers {
			if p.PodRef.Name == s.pod && c.Name == s.container {
				if c.CPU == nil || c.CPU.UsageCoreNanoSeconds == nil || c.Memory == nil || c.Memory.WorkingSetBytes == nil {
					t.Errorf("summary of %s/%s lacks cpu or memory: %s", s.pod, c.Name, out)
				}
				return
			}
		}
	}
	t.Errorf("summary has no container %s/%s: %s", s.pod, s.container, out)
}

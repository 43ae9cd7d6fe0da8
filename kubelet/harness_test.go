package kubelet

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/clienttest"
	"github.com/skiff-k8s/skiff/client/rest"
	"github.com/skiff-k8s/skiff/kubelet/backoff"
	"github.com/skiff-k8s/skiff/kubelet/cri"
	"github.com/skiff-k8s/skiff/kubelet/fakeruntime"
	"github.com/skiff-k8s/skiff/kubelet/node"
)

// harness runs a real Kubelet against the in-memory API (clienttest) and the fake CRI
// runtime served on a unix socket, so every test exercises the real gRPC client code.
type harness struct {
	t        *testing.T
	api      *clienttest.Fake
	cs       *client.Clientset
	rt       *fakeruntime.Runtime
	k        *Kubelet
	events   *eventLog
	cancel   context.CancelFunc
	done     chan struct{}
	root     string
	socket   string
	endpoint string
}

// eventLog records events as "<type> <reason> <message>".
type eventLog struct {
	mu     sync.Mutex
	events []string
}

func (e *eventLog) Event(obj any, eventtype, reason, message string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.events = append(e.events, eventtype+" "+reason+" "+message)
}

func (e *eventLog) Eventf(obj any, eventtype, reason, format string, args ...any) {
	e.Event(obj, eventtype, reason, fmt.Sprintf(format, args...))
}

func (e *eventLog) all() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.events...)
}

func (e *eventLog) has(sub string) bool {
	for _, ev := range e.all() {
		if strings.Contains(ev, sub) {
			return true
		}
	}
	return false
}

type harnessOptions struct {
	runtime fakeruntime.Options
	root    string // reuse a root dir (restart tests)
	socket  string // reuse a runtime socket (restart tests)
	rt      *fakeruntime.Runtime
	api     *clienttest.Fake
	// deletionGrace makes pods marked for deletion carry this grace period.
	deletionGrace string
	// endpoint runs the kubelet against a real runtime instead of the fake one.
	endpoint string
}

func newHarness(t *testing.T, o harnessOptions) *harness {
	t.Helper()
	h := &harness{t: t, events: &eventLog{}, root: o.root, socket: o.socket}
	if h.root == "" {
		h.root = t.TempDir()
	}
	if h.socket == "" {
		// Unix socket paths are limited to ~108 bytes: keep it short.
		dir, err := os.MkdirTemp("", "kl")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		h.socket = filepath.Join(dir, "cri.sock")
	}
	h.rt = o.rt
	h.endpoint = o.endpoint
	if h.rt == nil && h.endpoint == "" {
		var err error
		if o.runtime.PodCIDR == "" {
			o.runtime.PodCIDR = "127.77.0.0/16"
		}
		if h.rt, err = fakeruntime.New(o.runtime); err != nil {
			t.Fatal(err)
		}
		srv, err := h.rt.Listen(h.socket)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Stop(); h.rt.Shutdown() })
	}
	h.api = o.api
	if h.api == nil {
		h.api = clienttest.New()
	}
	if o.deletionGrace != "" {
		h.cs = client.NewClientset(gracefulAPI{Fake: h.api, grace: o.deletionGrace})
	} else {
		h.cs = client.NewClientset(h.api)
	}
	h.start()
	return h
}

// start runs a kubelet (again, for restart tests).
func (h *harness) start() {
	h.t.Helper()
	endpoint := "unix://" + h.socket
	if h.endpoint != "" {
		endpoint = h.endpoint
	}
	rtc, err := cri.Dial(endpoint)
	if err != nil {
		h.t.Fatal(err)
	}
	resolv := filepath.Join(h.root, "resolv.conf")
	_ = os.WriteFile(resolv, []byte("nameserver 192.0.2.53\nsearch example.test\noptions ndots:2\n"), 0o644)
	k, err := New(Config{
		NodeName: "node-1", NodeIP: "127.0.0.1", RootDir: h.root, MaxPods: 110,
		ResolvConf: resolv, SyncFrequency: time.Second, VolumeSyncFrequency: time.Second,
		Machine: &node.Machine{CPUs: 4, MemoryBytes: 8 << 30, EphemeralBytes: 100 << 30, OperatingSystem: "linux", Architecture: "amd64", KernelVersion: "6.1.0"},
	}, h.cs, rtc, h.events)
	if err != nil {
		h.t.Fatal(err)
	}
	// Short back-offs keep crash-loop tests fast; the delays' doubling is unit-tested in
	// kubelet/backoff.
	k.backoff = backoff.New(300*time.Millisecond, time.Second, 10*time.Minute)
	h.k = k
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel, h.done = cancel, make(chan struct{})
	go func() {
		defer close(h.done)
		if err := k.Run(ctx); err != nil && ctx.Err() == nil {
			h.t.Errorf("kubelet Run: %v", err)
		}
		rtc.Close()
	}()
	h.t.Cleanup(h.stop)
}

// stop ends the kubelet (containers keep running in the fake runtime).
func (h *harness) stop() {
	if h.cancel != nil {
		h.cancel()
		<-h.done
		h.cancel = nil
	}
}

// pod builds a defaulted pod bound to node-1.
func testPod(name string, mutate func(*corev1.Pod)) *corev1.Pod {
	p := &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{Kind: "Pod", APIVersion: "v1"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", Labels: map[string]string{"app": name}},
		Spec: corev1.PodSpec{
			NodeName:   "node-1",
			Containers: []corev1.Container{{Name: "app", Image: "skiff.local/demo-app:v1"}},
		},
	}
	if mutate != nil {
		mutate(p)
	}
	corev1.DefaultPod(p)
	return p
}

func (h *harness) create(p *corev1.Pod) *corev1.Pod {
	h.t.Helper()
	created, err := h.cs.Pods(p.Namespace).Create(context.Background(), p)
	if err != nil {
		h.t.Fatal(err)
	}
	return created
}

func (h *harness) get(name string) *corev1.Pod {
	h.t.Helper()
	p, err := h.cs.Pods("default").Get(context.Background(), name)
	if err != nil {
		return nil
	}
	return p
}

// waitFor polls cond until it holds or the timeout passes.
func (h *harness) waitFor(timeout time.Duration, what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	var calls []string
	if h.rt != nil {
		calls = h.rt.Calls()
	}
	h.t.Fatalf("timed out after %v waiting for %s\nevents: %s\nruntime calls: %s", timeout, what,
		strings.Join(h.events.all(), "\n  "), strings.Join(calls, "\n  "))
}

// waitPod waits until the named pod satisfies cond.
func (h *harness) waitPod(name string, timeout time.Duration, what string, cond func(*corev1.Pod) bool) *corev1.Pod {
	h.t.Helper()
	var last *corev1.Pod
	h.waitFor(timeout, name+": "+what, func() bool {
		last = h.get(name)
		return last != nil && cond(last)
	})
	return last
}

func containerStatus(p *corev1.Pod, name string) *corev1.ContainerStatus {
	for _, list := range [][]corev1.ContainerStatus{p.Status.ContainerStatuses, p.Status.InitContainerStatuses} {
		for i := range list {
			if list[i].Name == name {
				return &list[i]
			}
		}
	}
	return nil
}

func condition(p *corev1.Pod, t corev1.PodConditionType) *corev1.PodCondition {
	for i := range p.Status.Conditions {
		if p.Status.Conditions[i].Type == t {
			return &p.Status.Conditions[i]
		}
	}
	return nil
}

func isRunning(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodRunning }

func isReady(p *corev1.Pod) bool {
	c := condition(p, corev1.PodReady)
	return c != nil && c.Status == corev1.ConditionTrue
}

// callsMatching keeps the runtime calls containing sub.
func (h *harness) callsMatching(sub string) []string {
	var out []string
	for _, c := range h.rt.Calls() {
		if strings.Contains(c, sub) {
			out = append(out, c)
		}
	}
	return out
}

func fakeruntimeOptionsFailingPulls() fakeruntime.Options {
	return fakeruntime.Options{PullFailPattern: regexp.MustCompile("does-not-exist")}
}

// gracefulAPI wraps the in-memory API so that a pod marked for deletion carries a
// deletion grace period, as the real API server sets it on a graceful DELETE (the
// in-memory API records 0).
type gracefulAPI struct {
	*clienttest.Fake
	grace string
}

func (g gracefulAPI) rewrite(b []byte) []byte {
	return bytes.ReplaceAll(b, []byte(`"deletionGracePeriodSeconds":0`), []byte(`"deletionGracePeriodSeconds":`+g.grace))
}

func (g gracefulAPI) Do(ctx context.Context, req *rest.Request) ([]byte, error) {
	b, err := g.Fake.Do(ctx, req)
	return g.rewrite(b), err
}

func (g gracefulAPI) Stream(ctx context.Context, req *rest.Request) (io.ReadCloser, error) {
	rc, err := g.Fake.Stream(ctx, req)
	if err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	go func() {
		defer rc.Close()
		s := bufio.NewScanner(rc)
		s.Buffer(make([]byte, 1<<20), 1<<24)
		for s.Scan() {
			if _, err := pw.Write(append(g.rewrite(s.Bytes()), '\n')); err != nil {
				return
			}
		}
		pw.CloseWithError(s.Err())
	}()
	return struct {
		io.Reader
		io.Closer
	}{pr, closerFunc(func() error { pr.Close(); return rc.Close() })}, nil
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

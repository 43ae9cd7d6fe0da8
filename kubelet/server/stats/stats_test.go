package stats

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/skiff-k8s/skiff/kubelet/cri"
	"github.com/skiff-k8s/skiff/kubelet/fakeruntime"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func open(t *testing.T, name string) *os.File {
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestParseProcFiles(t *testing.T) {
	cpu, err := parseProcStat(open(t, "stat"))
	if err != nil {
		t.Fatal(err)
	}
	// user+nice+system+irq+softirq+steal = 1000+20+300+5+6+7 ticks of 10ms.
	if want := uint64(1338 * 10_000_000); cpu.busy != want {
		t.Errorf("busy = %d, want %d", cpu.busy, want)
	}
	if cpu.bootTime.Unix() != 1700000000 {
		t.Errorf("boot time %v", cpu.bootTime)
	}

	m, err := parseMeminfo(open(t, "meminfo"))
	if err != nil {
		t.Fatal(err)
	}
	ms := m.memoryStats(time.Unix(0, 0))
	if *ms.UsageBytes != 12000000*1024 || *ms.WorkingSetBytes != 9000000*1024 || *ms.AvailableBytes != 7000000*1024 {
		t.Errorf("memory usage %d working set %d available %d", *ms.UsageBytes, *ms.WorkingSetBytes, *ms.AvailableBytes)
	}

	ifaces, err := parseNetDev(open(t, "netdev"))
	if err != nil {
		t.Fatal(err)
	}
	n := networkStats(ifaces, defaultRouteInterface(open(t, "route")), time.Unix(0, 0))
	if len(n.Interfaces) != 2 || n.Name != "eth0" || *n.RxBytes != 123456 || *n.RxErrors != 2 || *n.TxBytes != 654321 || *n.TxErrors != 3 {
		b, _ := json.Marshal(n)
		t.Errorf("network %s", b)
	}
}

func TestRate(t *testing.T) {
	p := New("n", "", nil, nil)
	t0 := time.Unix(100, 0)
	if r := p.rate("x", 1_000_000_000, t0); r != nil {
		t.Errorf("first sample gave a rate")
	}
	// Half a core for two seconds.
	if r := p.rate("x", 2_000_000_000, t0.Add(2*time.Second)); r == nil || *r != 500_000_000 {
		t.Errorf("rate = %v, want 500000000", r)
	}
	if r := p.rate("x", 10, t0.Add(3*time.Second)); r != nil {
		t.Errorf("a counter that went back gave a rate")
	}
}

// A summary against the fake runtime: the pod, its containers and their figures, in
// upstream's JSON field names.
func TestSummaryFromFakeRuntime(t *testing.T) {
	dir := t.TempDir()
	rt, err := fakeruntime.New(fakeruntime.Options{PodCIDR: "127.61.0.0/16"})
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "cri.sock")
	srv, err := rt.Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	client, err := cri.Dial(sock)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()
	sbCfg := &runtimeapi.PodSandboxConfig{Metadata: &runtimeapi.PodSandboxMetadata{Name: "web", Namespace: "default", Uid: "uid-1"}}
	sb, err := client.RunPodSandbox(ctx, sbCfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"app", "sidecar"} {
		id, err := client.CreateContainer(ctx, sb, &runtimeapi.ContainerConfig{
			Metadata: &runtimeapi.ContainerMetadata{Name: name},
			Image:    &runtimeapi.ImageSpec{Image: "skiff.local/demo-app:v1"},
			Labels:   map[string]string{cri.LabelContainerName: name},
		}, sbCfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := client.StartContainer(ctx, id); err != nil {
			t.Fatal(err)
		}
	}

	p := New("node-1", dir, client.Runtime, client.Images)
	s, err := p.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Node.NodeName != "node-1" || s.Node.CPU == nil || s.Node.Memory == nil || s.Node.Fs == nil {
		t.Errorf("node: %+v", s.Node)
	}
	if len(s.Pods) != 1 {
		t.Fatalf("pods: %+v", s.Pods)
	}
	pod := s.Pods[0]
	if pod.PodRef != (PodReference{Name: "web", Namespace: "default", UID: "uid-1"}) || len(pod.Containers) != 2 ||
		pod.Containers[0].Name != "app" || pod.Containers[1].Name != "sidecar" || pod.CPU == nil || pod.Memory == nil {
		b, _ := json.Marshal(pod)
		t.Errorf("pod: %s", b)
	}
	b, _ := json.Marshal(s)
	for _, field := range []string{`"nodeName":"node-1"`, `"podRef":{"name":"web","namespace":"default","uid":"uid-1"}`, `"usageCoreNanoSeconds":`, `"workingSetBytes":`, `"containers":[{"name":"app"`} {
		if !strings.Contains(string(b), field) {
			t.Errorf("summary JSON lacks %s: %s", field, b)
		}
	}
}

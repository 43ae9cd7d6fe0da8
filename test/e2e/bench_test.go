package e2e_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
)

// The benchmarks share one cluster: the testing package calls a benchmark function more
// than once (b.N = 1 first), and bringing a node up for each call would measure nothing
// new. TestMain takes it down.
var (
	benchOnce    sync.Once
	benchCluster *cluster
	benchHome    string
	benchErr     error
	benchPodSeq  int
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchCluster != nil {
		if out, err := benchCluster.down(); err != nil {
			fmt.Fprintf(os.Stderr, "hack/down.sh: %v\n%s", err, out)
			code = 1
		}
		os.RemoveAll(benchHome)
	}
	os.Exit(code)
}

func sharedCluster(b *testing.B) *cluster {
	b.Helper()
	requireNode(b)
	benchOnce.Do(func() {
		if benchHome, benchErr = os.MkdirTemp("", "skiff-bench-"); benchErr != nil {
			return
		}
		var c *cluster
		if c, benchErr = newCluster(benchHome); benchErr != nil {
			return
		}
		benchCluster = c // down.sh runs in TestMain even if up fails half-way
		var out string
		if out, benchErr = c.up(); benchErr != nil {
			benchErr = fmt.Errorf("hack/up.sh: %w\n%s", benchErr, out)
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchCluster
}

// BenchmarkPodStartup measures, one pod at a time, the time from creating a pod to seeing
// it Running (every container started, as the kubelet reports it through the API) on real
// containerd, and reports the median and 99th percentile. Run it with -benchtime=50x for
// the figure in docs/PERFORMANCE.md (targets: p50 < 0.5 s, p99 < 1 s).
func BenchmarkPodStartup(b *testing.B) {
	c := sharedCluster(b)
	ctx := context.Background()
	pods := c.client.CoreV1().Pods("default")
	var took []time.Duration
	var names []string
	b.ResetTimer()
	for range b.N {
		benchPodSeq++
		name := fmt.Sprintf("startup-%d", benchPodSeq)
		pod := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"bench": "startup"}},
			Spec: corev1.PodSpec{
				Containers: []corev1.Container{{Name: "app", Image: "skiff.local/demo-app:v1"}},
			},
		}
		start := time.Now()
		if _, err := pods.Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
		if err := waitRunning(ctx, pods, name, time.Minute); err != nil {
			b.Fatalf("pod %s: %v", name, err)
		}
		took = append(took, time.Since(start))
		names = append(names, name)
	}
	b.StopTimer()
	b.Logf("start-up of each pod, in creation order: %v", took)
	slices.Sort(took)
	b.ReportMetric(percentile(took, 50).Seconds(), "p50-s")
	b.ReportMetric(percentile(took, 99).Seconds(), "p99-s")
	b.ReportMetric(took[len(took)-1].Seconds(), "max-s")
	for _, n := range names {
		pods.Delete(ctx, n, metav1.DeleteOptions{})
	}
}

// waitRunning waits until the pod is Running: a GET, then a watch from the version it
// read, again after any interruption of the watch.
func waitRunning(ctx context.Context, pods typedcorev1.PodInterface, name string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		p, err := pods.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		if p.Status.Phase == corev1.PodRunning {
			return nil
		}
		w, err := pods.Watch(ctx, metav1.ListOptions{
			FieldSelector:   fields.OneTermEqualSelector("metadata.name", name).String(),
			ResourceVersion: p.ResourceVersion,
		})
		if err != nil {
			return err
		}
		for ev := range w.ResultChan() {
			if p, isPod := ev.Object.(*corev1.Pod); isPod && p.Status.Phase == corev1.PodRunning {
				w.Stop()
				return nil
			}
			if ev.Type == watch.Error {
				break
			}
		}
		w.Stop()
		if ctx.Err() != nil {
			return fmt.Errorf("not Running after %v", timeout)
		}
	}
}

// percentile of sorted durations, nearest rank.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	if i < 1 {
		i = 1
	}
	return sorted[i-1]
}

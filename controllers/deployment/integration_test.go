package deployment

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/intstr"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/cache"
	"github.com/skiff-k8s/skiff/client/events"
	"github.com/skiff-k8s/skiff/client/rest"
	"github.com/skiff-k8s/skiff/controllers/replicaset"
	"github.com/skiff-k8s/skiff/controllers/replicaset/fakenodes"
	"github.com/skiff-k8s/skiff/testenv"
)

// These tests run the Deployment and ReplicaSet controllers against a real Skiff apiserver
// (testenv), with fake nodes that bind pods and mark them Running and Ready at once
// (except pods of images ending in ":broken", which never become ready).

// cluster is a test's running control plane.
type cluster struct {
	cs         *client.Clientset
	kubeconfig string
}

func startCluster(tb testing.TB, nodes fakenodes.Options) *cluster {
	tb.Helper()
	if testing.Short() {
		tb.Skip("starts an apiserver")
	}
	env := testenv.Start(tb)
	cfg, err := rest.LoadKubeconfig(env.KubeconfigPath)
	if err != nil {
		tb.Fatal(err)
	}
	cs, err := client.NewForConfig(cfg, "deployment-integration-test")
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if nodes.NotReady == nil {
		nodes.NotReady = func(p *corev1.Pod) bool { return strings.HasSuffix(p.Spec.Containers[0].Image, ":broken") }
	}
	fake, err := fakenodes.Start(ctx, cs, nodes)
	if err != nil {
		tb.Fatal(err)
	}
	factory := cache.NewSharedInformerFactory(cs.REST(), cache.FactoryOptions{})
	dRecorder := events.NewRecorder(events.ClientsetSink(cs), "deployment-controller", "test")
	rsRecorder := events.NewRecorder(events.ClientsetSink(cs), "replicaset-controller", "test")
	dc := NewController(cs, factory, dRecorder)
	rsc := replicaset.NewController(cs, factory, rsRecorder)
	factory.Start(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { dRecorder.Run(ctx) })
	wg.Go(func() { rsRecorder.Run(ctx) })
	wg.Go(func() { dc.Run(ctx, 5) })
	wg.Go(func() { rsc.Run(ctx, 5) })
	tb.Cleanup(func() {
		cancel()
		wg.Wait()
		factory.Wait()
		fake.Wait()
	})
	return &cluster{cs: cs, kubeconfig: env.KubeconfigPath}
}

// anyVersion lets polls read the apiserver's watch cache without waiting for it to catch
// up with etcd: a later poll sees later state anyway.
var anyVersion = client.ListOptions{ResourceVersion: "0"}

func eventually(tb testing.TB, timeout time.Duration, what string, cond func() (bool, string)) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s: %s", what, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// integrationDeployment is a Deployment of nginx pods as a user would write it (the API
// defaults the rest).
func integrationDeployment(name string, replicas int32, image string) *appsv1.Deployment {
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"}}
	d.Spec.Replicas = &replicas
	d.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": name}}
	d.Spec.Template.Labels = map[string]string{"app": name}
	d.Spec.Template.Spec.Containers = []corev1.Container{{Name: "web", Image: image}}
	return d
}

// rolledOut waits until the Deployment's rollout is complete (what `kubectl rollout status`
// waits for) and returns it.
func rolledOut(tb testing.TB, cs *client.Clientset, name string) *appsv1.Deployment {
	tb.Helper()
	var d *appsv1.Deployment
	eventually(tb, time.Minute, "rollout of "+name, func() (bool, string) {
		var err error
		if d, err = cs.Deployments("default").Get(context.Background(), name); err != nil {
			return false, err.Error()
		}
		s := d.Status
		c := getCondition(s, appsv1.DeploymentProgressing)
		return s.ObservedGeneration >= d.Generation && s.UpdatedReplicas == *d.Spec.Replicas &&
				s.Replicas == s.UpdatedReplicas && s.AvailableReplicas == s.UpdatedReplicas &&
				c != nil && c.Reason == appsv1.NewRSAvailableReason,
			fmt.Sprintf("generation %d, status %+v", d.Generation, s)
	})
	return d
}

func setImage(tb testing.TB, cs *client.Clientset, name, image string) {
	tb.Helper()
	patch := fmt.Sprintf(`{"spec":{"template":{"spec":{"containers":[{"name":"web","image":%q}]}}}}`, image)
	if _, err := cs.Deployments("default").Patch(context.Background(), name, client.StrategicMergePatchType, []byte(patch)); err != nil {
		tb.Fatalf("set image: %v", err)
	}
}

// podWatch records the pods of a namespace from a watch and checks an invariant after
// every event.
type podWatch struct {
	mu         sync.Mutex
	pods       map[string]*corev1.Pod
	violations []string
	events     int
}

func watchPods(tb testing.TB, cs *client.Clientset, check func(pods map[string]*corev1.Pod) string) *podWatch {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	list, err := cs.Pods("default").List(ctx, client.ListOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	w := &podWatch{pods: map[string]*corev1.Pod{}}
	for i := range list.Items {
		w.pods[list.Items[i].Name] = &list.Items[i]
	}
	watcher, err := cs.Pods("default").Watch(ctx, client.ListOptions{ResourceVersion: list.ResourceVersion})
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range watcher.ResultChan() {
			w.mu.Lock()
			switch ev.Type {
			case metav1.WatchAdded, metav1.WatchModified:
				w.pods[ev.Object.Name] = ev.Object
			case metav1.WatchDeleted:
				delete(w.pods, ev.Object.Name)
			}
			w.events++
			if v := check(w.pods); v != "" {
				w.violations = append(w.violations, v)
			}
			w.mu.Unlock()
		}
	}()
	tb.Cleanup(func() { cancel(); watcher.Stop(); <-done })
	return w
}

func (w *podWatch) report(tb testing.TB) {
	tb.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.events == 0 {
		tb.Error("the pod watch saw no events")
	}
	for i, v := range w.violations {
		if i == 5 {
			tb.Errorf("... and %d more", len(w.violations)-5)
			break
		}
		tb.Error(v)
	}
}

func isReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func TestIntegrationRollingUpdateRespectsSurgeAndAvailability(t *testing.T) {
	c := startCluster(t, fakenodes.Options{})
	ctx := context.Background()
	d := integrationDeployment("web", 10, "nginx:1.27")
	surge, unavailable := intstr.FromInt32(2), intstr.FromInt32(0)
	d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: &surge, MaxUnavailable: &unavailable}}
	if _, err := c.cs.Deployments("default").Create(ctx, d); err != nil {
		t.Fatal(err)
	}
	rolledOut(t, c.cs, "web")

	// From here on, on every pod event: at most 12 pods (not being deleted), at least 10
	// of them ready.
	w := watchPods(t, c.cs, func(pods map[string]*corev1.Pod) string {
		var live, ready int
		for _, p := range pods {
			if p.DeletionTimestamp != nil {
				continue
			}
			live++
			if isReady(p) {
				ready++
			}
		}
		if live > 12 || ready < 10 {
			return fmt.Sprintf("%d pods, %d ready", live, ready)
		}
		return ""
	})
	setImage(t, c.cs, "web", "nginx:1.28")
	done := rolledOut(t, c.cs, "web")
	w.report(t)

	rss, err := c.cs.ReplicaSets("default").List(ctx, anyVersion)
	if err != nil {
		t.Fatal(err)
	}
	revisions := map[string]int32{}
	for _, rs := range rss.Items {
		revisions[rs.Annotations[appsv1.RevisionAnnotation]] = *rs.Spec.Replicas
	}
	if len(rss.Items) != 2 || revisions["1"] != 0 || revisions["2"] != 10 {
		t.Errorf("ReplicaSets by revision (replicas): %v", revisions)
	}
	if done.Annotations[appsv1.RevisionAnnotation] != "2" {
		t.Errorf("deployment revision %q", done.Annotations[appsv1.RevisionAnnotation])
	}
	if c := getCondition(done.Status, appsv1.DeploymentAvailable); c == nil || c.Status != corev1.ConditionTrue {
		t.Errorf("Available %+v", c)
	}
}

func TestIntegrationRecreateNeverOverlaps(t *testing.T) {
	c := startCluster(t, fakenodes.Options{TerminateAfter: 300 * time.Millisecond})
	ctx := context.Background()
	d := integrationDeployment("db", 3, "postgres:16")
	d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	if _, err := c.cs.Deployments("default").Create(ctx, d); err != nil {
		t.Fatal(err)
	}
	rolledOut(t, c.cs, "db")
	w := watchPods(t, c.cs, func(pods map[string]*corev1.Pod) string {
		images := map[string]int{}
		for _, p := range pods {
			images[p.Spec.Containers[0].Image]++ // terminating pods too: they may still run
		}
		if len(images) > 1 {
			return fmt.Sprintf("old and new pods together: %v", images)
		}
		return ""
	})
	setImage(t, c.cs, "db", "postgres:17")
	rolledOut(t, c.cs, "db")
	w.report(t)
}

func TestIntegrationUndoRestoresPreviousTemplate(t *testing.T) {
	c := startCluster(t, fakenodes.Options{})
	ctx := context.Background()
	d := integrationDeployment("app", 3, "app:v1")
	d.Annotations = map[string]string{appsv1.ChangeCauseAnnotation: "create v1"}
	if _, err := c.cs.Deployments("default").Create(ctx, d); err != nil {
		t.Fatal(err)
	}
	rolledOut(t, c.cs, "app")
	patch := `{"metadata":{"annotations":{"kubernetes.io/change-cause":"upgrade to v2"}},` +
		`"spec":{"template":{"spec":{"containers":[{"name":"web","image":"app:v2"}]}}}}`
	if _, err := c.cs.Deployments("default").Patch(ctx, "app", client.StrategicMergePatchType, []byte(patch)); err != nil {
		t.Fatal(err)
	}
	rolledOut(t, c.cs, "app")

	// What `kubectl rollout undo` does: copy revision 1's template (without the hash label)
	// and change cause back into the Deployment with a JSON patch.
	rss, err := c.cs.ReplicaSets("default").List(ctx, anyVersion)
	if err != nil {
		t.Fatal(err)
	}
	var first *appsv1.ReplicaSet
	for i := range rss.Items {
		if rss.Items[i].Annotations[appsv1.RevisionAnnotation] == "1" {
			first = &rss.Items[i]
		}
	}
	if first == nil || first.Annotations[appsv1.ChangeCauseAnnotation] != "create v1" {
		t.Fatalf("revision 1: %+v", first)
	}
	template := first.Spec.Template.DeepCopy()
	delete(template.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
	ops, _ := json.Marshal([]map[string]any{
		{"op": "replace", "path": "/spec/template", "value": template},
		{"op": "replace", "path": "/metadata/annotations", "value": map[string]string{
			appsv1.ChangeCauseAnnotation: first.Annotations[appsv1.ChangeCauseAnnotation],
		}},
	})
	if _, err := c.cs.Deployments("default").Patch(ctx, "app", client.JSONPatchType, ops); err != nil {
		t.Fatal(err)
	}
	undone := rolledOut(t, c.cs, "app")
	if img := undone.Spec.Template.Spec.Containers[0].Image; img != "app:v1" {
		t.Errorf("image after undo %q", img)
	}
	eventually(t, 10*time.Second, "revision 3 on the first ReplicaSet", func() (bool, string) {
		rs, err := c.cs.ReplicaSets("default").Get(ctx, first.Name)
		if err != nil {
			return false, err.Error()
		}
		all, _ := c.cs.ReplicaSets("default").List(ctx, anyVersion)
		return rs.Annotations[appsv1.RevisionAnnotation] == "3" && rs.Annotations[appsv1.RevisionHistoryAnnotation] == "1" &&
				*rs.Spec.Replicas == 3 && all != nil && len(all.Items) == 2,
			fmt.Sprintf("annotations %v, replicas %d", rs.Annotations, *rs.Spec.Replicas)
	})
}

func TestIntegrationProgressDeadline(t *testing.T) {
	c := startCluster(t, fakenodes.Options{})
	ctx := context.Background()
	d := integrationDeployment("stuck", 2, "app:v1")
	if _, err := c.cs.Deployments("default").Create(ctx, d); err != nil {
		t.Fatal(err)
	}
	rolledOut(t, c.cs, "stuck")
	patch := `{"spec":{"progressDeadlineSeconds":2,"template":{"spec":{"containers":[{"name":"web","image":"app:broken"}]}}}}`
	if _, err := c.cs.Deployments("default").Patch(ctx, "stuck", client.StrategicMergePatchType, []byte(patch)); err != nil {
		t.Fatal(err)
	}
	eventually(t, 20*time.Second, "ProgressDeadlineExceeded", func() (bool, string) {
		got, err := c.cs.Deployments("default").Get(ctx, "stuck")
		if err != nil {
			return false, err.Error()
		}
		cond := getCondition(got.Status, appsv1.DeploymentProgressing)
		return cond != nil && cond.Reason == appsv1.TimedOutReason && cond.Status == corev1.ConditionFalse &&
			strings.HasSuffix(cond.Message, "has timed out progressing."), fmt.Sprintf("%+v", cond)
	})
	if _, err := exec.LookPath("kubectl"); err == nil {
		out, err := c.kubectl(t, "", "rollout", "status", "deployment/stuck", "--timeout=20s")
		if err == nil || !strings.Contains(out, `deployment "stuck" exceeded its progress deadline`) {
			t.Errorf("kubectl rollout status on a stuck rollout: %v\n%s", err, out)
		}
	}
	// The old pods still serve: availability was never given up for the broken ones.
	got, _ := c.cs.Deployments("default").Get(ctx, "stuck")
	if got.Status.AvailableReplicas != 2 {
		t.Errorf("available %d, want 2", got.Status.AvailableReplicas)
	}
}

// kubectl runs the real kubectl against the test's apiserver.
func (c *cluster) kubectl(tb testing.TB, stdin string, args ...string) (string, error) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "kubectl", append([]string{"--kubeconfig", c.kubeconfig}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestIntegrationKubectlRollout(t *testing.T) {
	if _, err := exec.LookPath("kubectl"); err != nil {
		t.Skip("kubectl not found")
	}
	c := startCluster(t, fakenodes.Options{})
	stdin := ""
	run := func(args ...string) string {
		t.Helper()
		out, err := c.kubectl(t, stdin, args...)
		stdin = ""
		if err != nil {
			t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	// `kubectl create -f` sends JSON (`kubectl create deployment` would send protobuf).
	stdin = `{"apiVersion": "apps/v1", "kind": "Deployment",
	  "metadata": {"name": "shop", "labels": {"app": "shop"}},
	  "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "shop"}},
	    "template": {"metadata": {"labels": {"app": "shop"}}, "spec": {"containers": [{"name": "shop", "image": "shop:v1"}]}}}}`
	run("create", "-f", "-")
	if out := run("rollout", "status", "deployment/shop", "--timeout=60s"); !strings.Contains(out, `deployment "shop" successfully rolled out`) {
		t.Errorf("rollout status: %s", out)
	}
	run("annotate", "deployment/shop", "kubernetes.io/change-cause=to v2")
	run("set", "image", "deployment/shop", "shop=shop:v2")
	run("rollout", "status", "deployment/shop", "--timeout=60s")
	history := run("rollout", "history", "deployment/shop")
	if !strings.Contains(history, "REVISION") || !strings.Contains(history, "to v2") {
		t.Errorf("rollout history:\n%s", history)
	}
	run("rollout", "undo", "deployment/shop")
	run("rollout", "status", "deployment/shop", "--timeout=60s")
	if img := run("get", "deployment/shop", "-o", "jsonpath={.spec.template.spec.containers[0].image}"); img != "shop:v1" {
		t.Errorf("image after undo: %q", img)
	}
	run("rollout", "undo", "deployment/shop", "--to-revision=2")
	run("rollout", "status", "deployment/shop", "--timeout=60s")
	if img := run("get", "deployment/shop", "-o", "jsonpath={.spec.template.spec.containers[0].image}"); img != "shop:v2" {
		t.Errorf("image after undo --to-revision=2: %q", img)
	}
	run("scale", "deployment/shop", "--replicas=5")
	run("rollout", "status", "deployment/shop", "--timeout=60s")
	if n := run("get", "deployment/shop", "-o", "jsonpath={.status.readyReplicas}"); n != "5" {
		t.Errorf("ready after scale: %q", n)
	}
	run("rollout", "pause", "deployment/shop")
	run("set", "image", "deployment/shop", "shop=shop:v3")
	time.Sleep(500 * time.Millisecond)
	if n := run("get", "rs", "-l", "app=shop", "-o", "name"); strings.Count(n, "\n") != 2 {
		t.Errorf("a paused Deployment rolled out: %s", n)
	}
	run("rollout", "resume", "deployment/shop")
	run("rollout", "status", "deployment/shop", "--timeout=60s")
	run("rollout", "restart", "deployment/shop")
	run("rollout", "status", "deployment/shop", "--timeout=60s")
	if n := run("get", "rs", "-l", "app=shop", "-o", "name"); strings.Count(n, "\n") != 4 {
		t.Errorf("ReplicaSets after restart: %s", n)
	}
	t.Log(run("describe", "deployment/shop"))
}

// BenchmarkDeployment1000 measures a Deployment of 1,000 replicas: creation to 1,000 ready
// pods, then a rolling update (default 25% surge and unavailability) to 1,000 updated,
// available pods.
func BenchmarkDeployment1000(b *testing.B) {
	c := startCluster(b, fakenodes.Options{})
	ctx := context.Background()
	for i := range b.N {
		name := fmt.Sprintf("big-%d", i)
		start := time.Now()
		if _, err := c.cs.Deployments("default").Create(ctx, integrationDeployment(name, 1000, "app:v1")); err != nil {
			b.Fatal(err)
		}
		complete(b, c.cs, name)
		created := time.Since(start)
		setImage(b, c.cs, name, "app:v2")
		complete(b, c.cs, name)
		b.ReportMetric(created.Seconds(), "s/create")
		b.ReportMetric((time.Since(start) - created).Seconds(), "s/rollout")
		b.StopTimer()
		zero := int64(0)
		_ = c.cs.Deployments("default").Delete(ctx, name, metav1.DeleteOptions{})
		_ = c.cs.ReplicaSets("default").DeleteCollection(ctx, metav1.DeleteOptions{}, client.ListOptions{LabelSelector: "app=" + name})
		_ = c.cs.Pods("default").DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: &zero}, client.ListOptions{LabelSelector: "app=" + name})
		b.StartTimer()
	}
}

// complete waits for a rollout to finish, polling the Deployment only.
func complete(tb testing.TB, cs *client.Clientset, name string) {
	tb.Helper()
	eventually(tb, 10*time.Minute, "rollout of "+name, func() (bool, string) {
		d, err := cs.Deployments("default").Get(context.Background(), name)
		if err != nil {
			return false, err.Error()
		}
		return deploymentComplete(d, &d.Status) && getCondition(d.Status, appsv1.DeploymentProgressing) != nil &&
			getCondition(d.Status, appsv1.DeploymentProgressing).Reason == appsv1.NewRSAvailableReason, fmt.Sprintf("%+v", d.Status)
	})
}

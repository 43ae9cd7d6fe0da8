package client_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/cache"
	"github.com/skiff-k8s/skiff/client/events"
	"github.com/skiff-k8s/skiff/client/leaderelection"
	"github.com/skiff-k8s/skiff/client/rest"
)

// TestAgainstAPIServer runs the client packages against a real API server (Skiff's or
// upstream's) named by a kubeconfig in $SKIFF_CLIENT_TEST_KUBECONFIG. It is skipped
// otherwise: unit tests use httptest servers and clienttest.
func TestAgainstAPIServer(t *testing.T) {
	path := os.Getenv("SKIFF_CLIENT_TEST_KUBECONFIG")
	if path == "" {
		t.Skip("set SKIFF_CLIENT_TEST_KUBECONFIG to run against a live API server")
	}
	cfg, err := rest.LoadKubeconfig(path)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := client.NewForConfig(cfg, "skiff-client-test/v0.1")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ns := fmt.Sprintf("client-it-%d", rand.IntN(1_000_000))
	if _, err := cs.Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		t.Fatal(err)
	}
	defer cs.Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{})

	t.Run("crud", func(t *testing.T) {
		cms := cs.ConfigMaps(ns)
		cm, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "a", Labels: map[string]string{"app": "x"}}, Data: map[string]string{"k": "v"}})
		if err != nil {
			t.Fatal(err)
		}
		again := cm.DeepCopy()
		again.ResourceVersion = ""
		if _, err := cms.Create(ctx, again); !rest.IsAlreadyExists(err) {
			t.Errorf("duplicate: %v", err)
		}
		cm.Data["k"] = "v2"
		if _, err := cms.Update(ctx, cm); err != nil {
			t.Fatal(err)
		}
		if _, err := cms.Update(ctx, cm); !rest.IsConflict(err) {
			t.Errorf("stale update: %v", err)
		}
		if _, err := cms.Patch(ctx, "a", client.StrategicMergePatchType, []byte(`{"data":{"p":"1"}}`)); err != nil {
			t.Errorf("strategic patch: %v", err)
		}
		if out, err := cms.Patch(ctx, "a", client.MergePatchType, []byte(`{"data":{"k":null}}`)); err != nil || out.Data["k"] != "" || out.Data["p"] != "1" {
			t.Errorf("merge patch: %v %v", out, err)
		}
		if _, err := cms.Patch(ctx, "a", client.JSONPatchType, []byte(`[{"op":"add","path":"/data/j","value":"2"}]`)); err != nil {
			t.Errorf("json patch: %v", err)
		}
		for i := 0; i < 4; i++ {
			cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("page-%d", i)}})
		}
		page, err := cms.List(ctx, client.ListOptions{Limit: 2})
		if err != nil || len(page.Items) != 2 || page.Continue == "" {
			t.Errorf("page: %v %v", page, err)
		}
		sel, err := cms.List(ctx, client.ListOptions{LabelSelector: "app=x"})
		if err != nil || len(sel.Items) != 1 {
			t.Errorf("selected: %v %v", sel, err)
		}
		if err := cms.Delete(ctx, "a", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := cms.Get(ctx, "a"); !rest.IsNotFound(err) || err.Error() != `configmaps "a" not found` {
			t.Errorf("get deleted: %v", err)
		}
		if err := cms.DeleteCollection(ctx, metav1.DeleteOptions{}, client.ListOptions{}); err != nil {
			t.Errorf("deletecollection: %v", err)
		}
	})

	t.Run("bind and scale", func(t *testing.T) {
		// Pods need the namespace's default service account; a controller normally creates
		// it, but none may be running.
		_, err := cs.ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default"}})
		if err != nil && !rest.IsAlreadyExists(err) {
			t.Fatal(err)
		}
		pods := cs.Pods(ns)
		_, err = pods.Create(ctx, &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p"},
			Spec: corev1.PodSpec{SchedulerName: "nobody", Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := pods.Bind(ctx, &corev1.Binding{ObjectMeta: metav1.ObjectMeta{Name: "p"}, Target: corev1.ObjectReference{Kind: "Node", Name: "n1"}}); err != nil {
			t.Fatal(err)
		}
		if p, _ := pods.Get(ctx, "p"); p.Spec.NodeName != "n1" {
			t.Errorf("nodeName = %q", p.Spec.NodeName)
		}
		err = pods.Bind(ctx, &corev1.Binding{ObjectMeta: metav1.ObjectMeta{Name: "p"}, Target: corev1.ObjectReference{Kind: "Node", Name: "n2"}})
		if !rest.IsConflict(err) {
			t.Errorf("rebind: %v", err)
		}
		one := int32(1)
		d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "d"}, Spec: appsv1.DeploymentSpec{
			Replicas: &one,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "d"}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "d"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}},
		}}
		if _, err := cs.Deployments(ns).Create(ctx, d); err != nil {
			t.Fatal(err)
		}
		scale, err := cs.Deployments(ns).GetScale(ctx, "d")
		if err != nil || scale.Spec.Replicas != 1 {
			t.Fatalf("scale: %+v %v", scale, err)
		}
		scale.Spec.Replicas = 3
		if _, err := cs.Deployments(ns).UpdateScale(ctx, "d", scale); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("informer", func(t *testing.T) {
		for _, watchList := range []bool{false, true} {
			f := cache.NewSharedInformerFactory(cs.REST(), cache.FactoryOptions{Namespace: ns, UseWatchList: watchList})
			inf := f.ConfigMaps()
			var adds atomic.Int32
			inf.AddEventHandler(cache.ResourceEventHandlerFuncs[corev1.ConfigMap]{AddFunc: func(*corev1.ConfigMap) { adds.Add(1) }})
			ictx, icancel := context.WithCancel(ctx)
			f.Start(ictx)
			if !f.WaitForCacheSync(ictx) {
				t.Fatal("no sync")
			}
			before := adds.Load()
			name := fmt.Sprintf("inf-%v", watchList)
			cs.ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}})
			deadline := time.Now().Add(10 * time.Second)
			for adds.Load() == before {
				if time.Now().After(deadline) {
					t.Fatalf("watchList=%v: no add seen", watchList)
				}
				time.Sleep(20 * time.Millisecond)
			}
			if _, err := inf.Lister().ByNamespace(ns).Get(name); err != nil {
				t.Errorf("lister: %v", err)
			}
			icancel()
			f.Wait()
		}
	})

	t.Run("leader election", func(t *testing.T) {
		var leading atomic.Bool
		el, err := leaderelection.New(leaderelection.Config{
			Client: cs.Leases(ns), LeaseName: "it", Identity: "me",
			Callbacks: leaderelection.Callbacks{
				OnStartedLeading: func(ctx context.Context) { leading.Store(true); <-ctx.Done() },
				OnStoppedLeading: func() {},
			},
			ReleaseOnCancel: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		lctx, lcancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { el.Run(lctx); close(done) }()
		for !leading.Load() {
			time.Sleep(20 * time.Millisecond)
		}
		lcancel()
		<-done
		l, err := cs.Leases(ns).Get(ctx, "it")
		if err != nil || l.Spec.HolderIdentity == nil || *l.Spec.HolderIdentity != "" {
			t.Errorf("released lease: %+v %v", l, err)
		}
	})

	t.Run("events", func(t *testing.T) {
		rec := events.NewRecorder(events.ClientsetSink(cs), "skiff-client-test", "")
		ectx, ecancel := context.WithCancel(ctx)
		defer ecancel()
		go rec.Run(ectx)
		obj := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "ev", UID: "u1"}}
		rec.Event(obj, corev1.EventTypeNormal, "Tested", "hello")
		time.Sleep(500 * time.Millisecond)
		rec.Event(obj, corev1.EventTypeNormal, "Tested", "hello")
		deadline := time.Now().Add(10 * time.Second)
		for {
			list, err := cs.Events(ns).List(ctx, client.ListOptions{})
			if err == nil && len(list.Items) == 1 && list.Items[0].Count == 2 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("events: %+v %v", list, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}

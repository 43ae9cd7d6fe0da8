package endpoints

import (
	"context"
	"slices"
	"testing"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/intstr"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/cache"
	"github.com/skiff-k8s/skiff/client/clienttest"
	"github.com/skiff-k8s/skiff/client/events"
)

var ctx = context.Background()

type fixture struct {
	t       *testing.T
	api     *clienttest.Fake
	factory *cache.SharedInformerFactory
	c       *Controller
}

func newFixture(t *testing.T, objects ...any) *fixture {
	api := clienttest.New(objects...)
	f := &fixture{t: t, api: api, factory: cache.NewSharedInformerFactory(api, cache.FactoryOptions{})}
	f.c = NewController(api.Clientset(), f.factory, events.NewFakeRecorder(10))
	f.refreshCaches()
	return f
}

// refreshCaches makes the listers hold what the fake API holds, as informers would.
func (f *fixture) refreshCaches() {
	cs := f.api.Clientset()
	svcs, _ := cs.Services("").List(ctx, client.ListOptions{})
	fill(f.t, f.factory.Services().Indexer(), svcs.Items)
	pods, _ := cs.Pods("").List(ctx, client.ListOptions{})
	fill(f.t, f.factory.Pods().Indexer(), pods.Items)
	eps, _ := cs.Endpoints("").List(ctx, client.ListOptions{})
	fill(f.t, f.factory.Endpoints().Indexer(), eps.Items)
	f.api.ClearActions()
}

func fill[T any](t *testing.T, idx *cache.Indexer[T], items []T) {
	objs := make([]*T, len(items))
	for i := range items {
		objs[i] = &items[i]
	}
	if err := idx.Replace(objs); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) sync(key string, want ...string) {
	f.t.Helper()
	if err := f.c.syncHandler(ctx, key); err != nil {
		f.t.Fatalf("sync %s: %v", key, err)
	}
	var got []string
	for _, a := range clienttest.Writes(f.api.Actions()) {
		got = append(got, a.String())
	}
	if !slices.Equal(got, want) {
		f.t.Errorf("writes:\n got %q\nwant %q", got, want)
	}
	f.refreshCaches()
}

func service(name string, selector map[string]string) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name, Labels: map[string]string{"app": name}},
		Spec: corev1.ServiceSpec{
			Selector: selector, ClusterIP: "10.96.0.20", IPFamilies: []corev1.IPFamily{corev1.IPv4Protocol},
			Ports: []corev1.ServicePort{{Name: "http", Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt(8080)}},
		},
	}
}

func pod(name, ip string, ready corev1.ConditionStatus) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name, Labels: map[string]string{"app": "web"}},
		Spec:       corev1.PodSpec{NodeName: "node-1"},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIP: ip, PodIPs: []corev1.PodIP{{IP: ip}},
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: ready}}},
	}
}

func (f *fixture) endpoints(name string) *corev1.Endpoints {
	f.t.Helper()
	e, err := f.api.Clientset().Endpoints("default").Get(ctx, name)
	if err != nil {
		f.t.Fatal(err)
	}
	return e
}

func TestCreatesThenUpdatesOnlyOnChange(t *testing.T) {
	f := newFixture(t, service("web", map[string]string{"app": "web"}), pod("web-1", "10.244.0.5", corev1.ConditionTrue))
	f.sync("default/web", "create endpoints default")
	e := f.endpoints("web")
	if e.Labels["app"] != "web" || len(e.Subsets) != 1 || e.Subsets[0].Addresses[0].IP != "10.244.0.5" ||
		e.Subsets[0].Ports[0].Port != 8080 || *e.Subsets[0].Addresses[0].NodeName != "node-1" ||
		e.Subsets[0].Addresses[0].TargetRef.Name != "web-1" {
		t.Errorf("endpoints = %+v", e)
	}
	if _, headless := e.Labels[corev1.IsHeadlessService]; headless {
		t.Error("headless label on a service with a cluster IP")
	}

	f.sync("default/web") // nothing changed: no write

	p, _ := f.api.Clientset().Pods("default").Get(ctx, "web-1")
	p.Status.Conditions[0].Status = corev1.ConditionFalse
	if _, err := f.api.Clientset().Pods("default").UpdateStatus(ctx, p); err != nil {
		t.Fatal(err)
	}
	f.refreshCaches()
	f.sync("default/web", "update endpoints default/web")
	if e := f.endpoints("web"); len(e.Subsets[0].Addresses) != 0 || len(e.Subsets[0].NotReadyAddresses) != 1 {
		t.Errorf("subsets = %+v", e.Subsets)
	}
}

func TestServiceWithoutSelectorIsLeftAlone(t *testing.T) {
	manual := &corev1.Endpoints{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "external"},
		Subsets: []corev1.EndpointSubset{{Addresses: []corev1.EndpointAddress{{IP: "192.0.2.1"}}}}}
	f := newFixture(t, service("external", nil), manual)
	f.sync("default/external")
}

func TestDeletedServiceTakesItsEndpoints(t *testing.T) {
	f := newFixture(t, &corev1.Endpoints{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "gone"}})
	f.sync("default/gone", "delete endpoints default/gone")
	f.sync("default/gone", "delete endpoints default/gone") // NotFound is fine
}

func TestHeadlessServiceGetsTheHeadlessLabel(t *testing.T) {
	svc := service("db", map[string]string{"app": "web"})
	svc.Spec.ClusterIP = corev1.ClusterIPNone
	f := newFixture(t, svc)
	f.sync("default/db", "create endpoints default")
	if e := f.endpoints("db"); e.Labels[corev1.IsHeadlessService] != "" || len(e.Labels) != 2 {
		t.Errorf("labels = %v", e.Labels)
	} else if _, ok := e.Labels[corev1.IsHeadlessService]; !ok {
		t.Errorf("labels = %v", e.Labels)
	}
	f.sync("default/db") // the headless label does not count as a difference
}

func TestPodChangesQueueTheirServices(t *testing.T) {
	f := newFixture(t, service("web", map[string]string{"app": "web"}), service("other", map[string]string{"app": "other"}),
		service("manual", nil))
	f.c.enqueueServicesOf(pod("web-1", "10.0.0.1", corev1.ConditionTrue))
	if f.c.queue.Len() != 1 {
		t.Fatalf("queue length %d, want 1", f.c.queue.Len())
	}
	if key, _ := f.c.queue.Get(); key != "default/web" {
		t.Errorf("queued %q", key)
	}
}

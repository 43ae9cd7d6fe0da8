package namespace

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/cache"
	"github.com/skiff-k8s/skiff/client/clienttest"
)

var ctx = context.Background()

// served is what the fake discovery reports.
var served = []metav1.APIResourceList{
	{GroupVersion: "v1", APIResources: []metav1.APIResource{
		{Name: "configmaps", Namespaced: true, Kind: "ConfigMap", Verbs: []string{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}},
		{Name: "namespaces", Namespaced: false, Kind: "Namespace", Verbs: []string{"create", "delete", "get", "list", "patch", "update", "watch"}},
		{Name: "pods", Namespaced: true, Kind: "Pod", Verbs: []string{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}},
		{Name: "pods/status", Namespaced: true, Kind: "Pod", Verbs: []string{"get", "patch", "update"}},
		{Name: "secrets", Namespaced: true, Kind: "Secret", Verbs: []string{"delete", "get", "list"}},
	}},
}

func terminating(name string) *corev1.Namespace {
	ts := metav1.NewTime(t0)
	return &corev1.Namespace{
		// The in-memory API knows only metadata.finalizers, not a namespace's
		// spec.finalizers: without one it would drop the namespace at its first update.
		ObjectMeta: metav1.ObjectMeta{Name: name, DeletionTimestamp: &ts, Finalizers: []string{"test.skiff.dev/keep"}},
		Spec:       corev1.NamespaceSpec{Finalizers: []corev1.FinalizerName{corev1.FinalizerKubernetes}},
		Status:     corev1.NamespaceStatus{Phase: corev1.NamespaceActive},
	}
}

type fixture struct {
	t        *testing.T
	api      *clienttest.Fake
	c        *Controller
	finalize []corev1.Namespace
}

func newFixture(t *testing.T, discover DiscoverFunc, objects ...any) *fixture {
	api := clienttest.New(objects...)
	f := &fixture{t: t, api: api}
	factory := cache.NewSharedInformerFactory(api, cache.FactoryOptions{})
	f.c = NewController(api.Clientset(), factory, discover)
	f.c.now = func() time.Time { return t0.Add(time.Minute) }
	nss, _ := api.Clientset().Namespaces().List(ctx, client.ListOptions{})
	for i := range nss.Items {
		_ = factory.Namespaces().Indexer().Add(&nss.Items[i])
	}
	// The in-memory API has no finalize subresource: record what was sent.
	api.PrependReactor("update", "namespaces/finalize", func(a clienttest.Action) (bool, any, error) {
		var ns corev1.Namespace
		if err := json.Unmarshal(a.Body, &ns); err != nil {
			return true, nil, err
		}
		f.finalize = append(f.finalize, ns)
		return true, &ns, nil
	})
	api.ClearActions()
	return f
}

func servedDiscovery(context.Context) ([]metav1.APIResourceList, error) { return served, nil }

func (f *fixture) writes() []string {
	var out []string
	for _, a := range clienttest.Writes(f.api.Actions()) {
		out = append(out, a.String())
	}
	return out
}

func TestEmptiesAndFinalizes(t *testing.T) {
	f := newFixture(t, servedDiscovery, terminating("team"),
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "settings"}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "token"}},
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "web"}},
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "other", Name: "stays"}})
	if err := f.c.syncHandler(ctx, "team"); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"update namespaces/status team", // phase Terminating
		"deletecollection pods team",    // pods first
		"deletecollection configmaps team",
		"delete secrets team/token",     // no deletecollection verb: one by one
		"update namespaces/status team", // conditions
		"update namespaces/finalize team",
	}
	if got := f.writes(); !slices.Equal(got, want) {
		t.Errorf("writes:\n got %q\nwant %q", got, want)
	}
	for _, a := range clienttest.Writes(f.api.Actions()) {
		if a.Verb == "deletecollection" || a.Verb == "delete" {
			var opts metav1.DeleteOptions
			if err := json.Unmarshal(a.Body, &opts); err != nil || opts.PropagationPolicy == nil || *opts.PropagationPolicy != "Background" {
				t.Errorf("%s sent %s", a, a.Body)
			}
		}
	}
	if len(f.finalize) != 1 || len(f.finalize[0].Spec.Finalizers) != 0 {
		t.Errorf("finalize sent %+v", f.finalize)
	}
	if _, err := f.api.Clientset().ConfigMaps("other").Get(ctx, "stays"); err != nil {
		t.Errorf("other namespace touched: %v", err)
	}
	ns, _ := f.api.Clientset().Namespaces().Get(ctx, "team")
	if ns.Status.Phase != corev1.NamespaceTerminating || len(ns.Status.Conditions) != 5 {
		t.Errorf("status = %+v", ns.Status)
	}
}

func TestWaitsForFinalizers(t *testing.T) {
	f := newFixture(t, servedDiscovery, terminating("team"),
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "held", Finalizers: []string{"example.com/hold"}}})
	err := f.c.syncHandler(ctx, "team")
	var remaining *contentRemaining
	if !errors.As(err, &remaining) || remaining.estimate != 15 {
		t.Fatalf("got %v, want content remaining for 15 s", err)
	}
	if len(f.finalize) != 0 {
		t.Error("finalized with content left")
	}
	ns, _ := f.api.Clientset().Namespaces().Get(ctx, "team")
	for _, c := range ns.Status.Conditions {
		switch c.Type {
		case corev1.NamespaceContentRemaining:
			if c.Message != "Some resources are remaining: configmaps. has 1 resource instances" {
				t.Errorf("%s: %q", c.Type, c.Message)
			}
		case corev1.NamespaceFinalizersRemaining:
			if c.Message != "Some finalizers are remaining: example.com/hold in 1 resource instances" {
				t.Errorf("%s: %q", c.Type, c.Message)
			}
		}
	}
}

func TestPodsGoBeforeTheRest(t *testing.T) {
	grace := int64(30)
	f := newFixture(t, servedDiscovery, terminating("team"),
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "web", Finalizers: []string{"example.com/hold"}},
			Spec: corev1.PodSpec{TerminationGracePeriodSeconds: &grace}},
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "team", Name: "settings"}})
	err := f.c.syncHandler(ctx, "team")
	var remaining *contentRemaining
	// Deleted a minute ago, the pod's 30 s grace is over; its finalizer explains it.
	if !errors.As(err, &remaining) || remaining.estimate != 15 {
		t.Fatalf("got %v", err)
	}
	if slices.Contains(f.writes(), "deletecollection configmaps team") {
		t.Error("configmaps deleted while a pod remains")
	}
}

func TestDiscoveryFailureBlocksFinalization(t *testing.T) {
	partial := func(context.Context) ([]metav1.APIResourceList, error) {
		return served, errors.New("unable to retrieve the complete list of server APIs: metrics.k8s.io/v1beta1: 503")
	}
	f := newFixture(t, partial, terminating("team"))
	if err := f.c.syncHandler(ctx, "team"); err == nil {
		t.Fatal("no error")
	}
	if len(f.finalize) != 0 {
		t.Error("finalized although discovery failed")
	}
	ns, _ := f.api.Clientset().Namespaces().Get(ctx, "team")
	if c := ns.Status.Conditions[0]; c.Type != corev1.NamespaceDeletionDiscoveryFailure || c.Status != corev1.ConditionTrue || c.Reason != "DiscoveryFailed" {
		t.Errorf("condition %+v", c)
	}
}

func TestActiveNamespaceIsLeftAlone(t *testing.T) {
	f := newFixture(t, servedDiscovery, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "live"}})
	if err := f.c.syncHandler(ctx, "live"); err != nil {
		t.Fatal(err)
	}
	if got := f.writes(); len(got) != 0 {
		t.Errorf("writes %q", got)
	}
}

package clientgo_test

import (
	"context"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	clientfeatures "k8s.io/client-go/features"
	"k8s.io/client-go/informers"
	appsv1client "k8s.io/client-go/kubernetes/typed/apps/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
)

// requestLog records the requests a client makes and the Content-Type of each answer.
type requestLog struct {
	mu      sync.Mutex
	reqs    []*http.Request
	answers map[*http.Request]string
}

func (l *requestLog) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		l.mu.Lock()
		l.reqs = append(l.reqs, r)
		l.mu.Unlock()
		resp, err := rt.RoundTrip(r)
		if err == nil {
			l.mu.Lock()
			if l.answers == nil {
				l.answers = map[*http.Request]string{}
			}
			l.answers[r] = resp.Header.Get("Content-Type")
			l.mu.Unlock()
		}
		return resp, err
	})
}

// matching returns the requests to path (the URL path exactly).
func (l *requestLog) matching(path string) []*http.Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*http.Request
	for _, r := range l.reqs {
		if r.URL.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// contentType is the Content-Type the server answered r with.
func (l *requestLog) contentType(r *http.Request) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.answers[r]
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// gatesWith overrides one client-go feature gate and leaves the others as they were.
type gatesWith struct {
	base    clientfeatures.Gates
	feature clientfeatures.Feature
	enabled bool
}

func (g gatesWith) Enabled(f clientfeatures.Feature) bool {
	if f == g.feature {
		return g.enabled
	}
	return g.base.Enabled(f)
}

// TestInformers runs a SharedInformerFactory both ways client-go can fill an informer:
// with its default gates, which stream the initial state through a watch with
// sendInitialEvents=true (WatchListClient), and with that gate off: list, then watch.
func TestInformers(t *testing.T) {
	t.Run("default gates (watch-list)", func(t *testing.T) {
		watchList := clientfeatures.FeatureGates().Enabled(clientfeatures.WatchListClient)
		if env := os.Getenv("KUBE_FEATURE_WatchListClient"); env != "" {
			t.Logf("KUBE_FEATURE_WatchListClient=%s in the environment: WatchListClient is %v", env, watchList)
		} else if !watchList {
			t.Fatalf("client-go's default feature gates have WatchListClient off; this test expects client-go 0.35+ defaults")
		}
		testInformers(t, watchList)
	})
	t.Run("WatchListClient off (list and watch)", func(t *testing.T) {
		// client-go logs that replacing gates already in use "might lead to unexpected
		// behaviour": reflectors read the gate when they are made, so the informers made
		// below use the new value, which is all this needs.
		orig := clientfeatures.FeatureGates()
		clientfeatures.ReplaceFeatureGates(gatesWith{base: orig, feature: clientfeatures.WatchListClient, enabled: false})
		defer clientfeatures.ReplaceFeatureGates(orig)
		testInformers(t, false)
	})
}

// informerEvents collects what an informer's handler was told, as "add name" lines.
type informerEvents struct {
	mu     sync.Mutex
	events []string
}

func (e *informerEvents) record(s string) {
	e.mu.Lock()
	e.events = append(e.events, s)
	e.mu.Unlock()
}

func (e *informerEvents) has(s string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Contains(e.events, s)
}

func (e *informerEvents) handler() cache.ResourceEventHandlerFuncs {
	name := func(obj any) string {
		if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = d.Obj
		}
		if m, ok := obj.(metav1.Object); ok {
			return m.GetName()
		}
		return "?"
	}
	return cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) { e.record("add " + name(obj)) },
		UpdateFunc: func(old, cur any) {
			if old.(metav1.Object).GetResourceVersion() != cur.(metav1.Object).GetResourceVersion() {
				e.record("update " + name(cur))
			}
		},
		DeleteFunc: func(obj any) { e.record("delete " + name(obj)) },
	}
}

func testInformers(t *testing.T, watchList bool) {
	log := &requestLog{}
	cfg := restConfig(t)
	cfg.Wrap(log.wrap)
	cs := clientsetFor(t, cfg)
	ns := newNamespace(t, cs)
	ctx := ctxFor(t)

	for _, name := range []string{"pre-1", "pre-2"} {
		if _, err := cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"set": "pre"}}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cs.AppsV1().Deployments(ns).Create(ctx, simpleDeployment("d1"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	factory := informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithNamespace(ns))
	cmInformer := factory.Core().V1().ConfigMaps()
	deployInformer := factory.Apps().V1().Deployments()
	var cmEvents, deployEvents informerEvents
	cmReg, err := cmInformer.Informer().AddEventHandler(cmEvents.handler())
	if err != nil {
		t.Fatal(err)
	}
	deployReg, err := deployInformer.Informer().AddEventHandler(deployEvents.handler())
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	defer func() {
		close(stop)
		factory.Shutdown()
	}()
	factory.Start(stop)
	synced := factory.WaitForCacheSync(stopAfter(stop, 10*time.Second))
	for typ, ok := range synced {
		if !ok {
			t.Fatalf("informer for %v did not sync within 10s", typ)
		}
	}
	// The handlers hear of the initial objects after the stores have them.
	if !cache.WaitForCacheSync(stopAfter(stop, 10*time.Second), cmReg.HasSynced, deployReg.HasSynced) {
		t.Fatalf("event handlers did not sync within 10s")
	}

	cmLister := cmInformer.Lister().ConfigMaps(ns)
	pre, err := cmLister.List(labels.SelectorFromSet(labels.Set{"set": "pre"}))
	if err != nil || len(pre) != 2 {
		t.Fatalf("configmap lister after sync: %d objects (%v), want pre-1 and pre-2", len(pre), err)
	}
	if _, err := deployInformer.Lister().Deployments(ns).Get("d1"); err != nil {
		t.Fatalf("deployment lister after sync: %v", err)
	}
	if !cmEvents.has("add pre-1") || !deployEvents.has("add d1") {
		t.Errorf("handlers were not told of the initial objects: %v %v", cmEvents.events, deployEvents.events)
	}

	// Later changes reach handlers and listers.
	if _, err := cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "post"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pre1, err := cs.CoreV1().ConfigMaps(ns).Get(ctx, "pre-1", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pre1.Data = map[string]string{"changed": "yes"}
	if _, err := cs.CoreV1().ConfigMaps(ns).Update(ctx, pre1, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := cs.CoreV1().ConfigMaps(ns).Delete(ctx, "pre-2", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	err = updateDeployment(cs.AppsV1().Deployments(ns), "d1", func(d *appsv1.Deployment) {
		d.Spec.Replicas = ptr.To[int32](0)
		d.Labels = map[string]string{"touched": "yes"}
	})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 5*time.Second, "informers to see the later changes", func() (bool, error) {
		d, err := deployInformer.Lister().Deployments(ns).Get("d1")
		if err != nil || d.Labels["touched"] != "yes" {
			return false, err
		}
		return cmEvents.has("add post") && cmEvents.has("update pre-1") && cmEvents.has("delete pre-2") && deployEvents.has("update d1"), nil
	})
	if cm, err := cmLister.Get("pre-1"); err != nil || cm.Data["changed"] != "yes" {
		t.Errorf("lister's pre-1 = %+v (%v), want the updated data", cm, err)
	}
	if _, err := cmLister.Get("pre-2"); !apierrors.IsNotFound(err) {
		t.Errorf("lister's pre-2 after delete: %v, want NotFound", err)
	}
	if d, err := deployInformer.Lister().Deployments(ns).Get("d1"); err != nil || d.Labels["touched"] != "yes" {
		t.Errorf("lister's d1 = %+v (%v), want the updated labels", d, err)
	}

	// Which path filled the caches.
	for _, path := range []string{"/api/v1/namespaces/" + ns + "/configmaps", "/apis/apps/v1/namespaces/" + ns + "/deployments"} {
		var lists, watches, initialEvents []string
		for _, r := range log.matching(path) {
			q := r.URL.Query()
			switch {
			case r.Method == http.MethodGet && q.Get("watch") == "true" && q.Get("sendInitialEvents") == "true":
				initialEvents = append(initialEvents, r.URL.RawQuery)
			case r.Method == http.MethodGet && q.Get("watch") == "true":
				watches = append(watches, r.URL.RawQuery)
			case r.Method == http.MethodGet:
				lists = append(lists, r.URL.RawQuery)
			}
		}
		t.Logf("%s: lists %q, watches %q, watch-lists %q", path, lists, watches, initialEvents)
		if watchList {
			if len(initialEvents) == 0 || len(lists) > 0 {
				t.Errorf("%s: want the watch-list path (a watch with sendInitialEvents=true and no list), got lists %q and watch-lists %q",
					path, lists, initialEvents)
			}
			for _, q := range initialEvents {
				if !strings.Contains(q, "allowWatchBookmarks=true") || !strings.Contains(q, "resourceVersionMatch=NotOlderThan") {
					t.Errorf("watch-list request %q lacks allowWatchBookmarks or resourceVersionMatch", q)
				}
			}
		} else {
			if len(lists) == 0 || len(watches) == 0 || len(initialEvents) > 0 {
				t.Errorf("%s: want a list then a watch, got lists %q, watches %q, watch-lists %q", path, lists, watches, initialEvents)
			}
		}
	}
}

func stopAfter(stop <-chan struct{}, d time.Duration) <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		defer close(ch)
		select {
		case <-stop:
		case <-time.After(d):
		}
	}()
	return ch
}

// updateDeployment changes a deployment with mutate, retrying on conflicts (controllers of
// a full control plane write deployments too).
func updateDeployment(c appsv1client.DeploymentInterface, name string, mutate func(*appsv1.Deployment)) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		d, err := c.Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		mutate(d)
		_, err = c.Update(context.Background(), d, metav1.UpdateOptions{})
		return err
	})
}

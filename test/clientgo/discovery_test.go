package clientgo_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/restmapper"
)

// wantResource is what discovery must say of a served resource (upstream's values).
type wantResource struct {
	gv, name, kind string
	namespaced     bool
	shortNames     []string
	verbs          []string
	categories     []string
}

var allVerbs = []string{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}

var servedResources = []wantResource{
	{"v1", "configmaps", "ConfigMap", true, []string{"cm"}, allVerbs, nil},
	{"v1", "endpoints", "Endpoints", true, []string{"ep"}, allVerbs, nil},
	{"v1", "events", "Event", true, []string{"ev"}, allVerbs, nil},
	{"v1", "namespaces", "Namespace", false, []string{"ns"}, []string{"create", "delete", "get", "list", "patch", "update", "watch"}, nil},
	{"v1", "nodes", "Node", false, []string{"no"}, allVerbs, nil},
	{"v1", "pods", "Pod", true, []string{"po"}, allVerbs, []string{"all"}},
	{"v1", "secrets", "Secret", true, nil, allVerbs, nil},
	{"v1", "serviceaccounts", "ServiceAccount", true, []string{"sa"}, allVerbs, nil},
	{"v1", "services", "Service", true, []string{"svc"}, allVerbs, []string{"all"}},
	{"apps/v1", "deployments", "Deployment", true, []string{"deploy"}, allVerbs, []string{"all"}},
	{"apps/v1", "replicasets", "ReplicaSet", true, []string{"rs"}, allVerbs, []string{"all"}},
	{"autoscaling/v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true, []string{"hpa"}, allVerbs, []string{"all"}},
	{"autoscaling/v1", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true, []string{"hpa"}, allVerbs, []string{"all"}},
	{"coordination.k8s.io/v1", "leases", "Lease", true, nil, allVerbs, nil},
}

// wantSubresource is a subresource discovery must list; group and version are set when its
// kind lives in another group (Scale is autoscaling/v1).
type wantSubresource struct {
	gv, name, kind, group, version string
	verbs                          []string
}

var getPatchUpdate = []string{"get", "patch", "update"}

var servedSubresources = []wantSubresource{
	{"v1", "namespaces/status", "Namespace", "", "", getPatchUpdate},
	{"v1", "nodes/status", "Node", "", "", getPatchUpdate},
	{"v1", "pods/binding", "Binding", "", "", []string{"create"}},
	{"v1", "pods/status", "Pod", "", "", getPatchUpdate},
	{"v1", "services/status", "Service", "", "", getPatchUpdate},
	{"apps/v1", "deployments/scale", "Scale", "autoscaling", "v1", getPatchUpdate},
	{"apps/v1", "deployments/status", "Deployment", "", "", getPatchUpdate},
	{"apps/v1", "replicasets/scale", "Scale", "autoscaling", "v1", getPatchUpdate},
	{"apps/v1", "replicasets/status", "ReplicaSet", "", "", getPatchUpdate},
	{"autoscaling/v2", "horizontalpodautoscalers/status", "HorizontalPodAutoscaler", "", "", getPatchUpdate},
	{"autoscaling/v1", "horizontalpodautoscalers/status", "HorizontalPodAutoscaler", "", "", getPatchUpdate},
}

func findResource(lists []*metav1.APIResourceList, gv, name string) *metav1.APIResource {
	for _, l := range lists {
		if l.GroupVersion != gv {
			continue
		}
		for i := range l.APIResources {
			if l.APIResources[i].Name == name {
				return &l.APIResources[i]
			}
		}
	}
	return nil
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// checkResourceLists checks the served resources and subresources are in lists as upstream
// describes them.
func checkResourceLists(t *testing.T, lists []*metav1.APIResourceList, preferredOnly bool) {
	t.Helper()
	for _, w := range servedResources {
		if preferredOnly && w.gv == "autoscaling/v1" {
			continue
		}
		r := findResource(lists, w.gv, w.name)
		if r == nil {
			t.Errorf("%s %s: not in discovery", w.gv, w.name)
			continue
		}
		expectEqual(t, w.gv+" "+w.name+" kind", r.Kind, w.kind)
		expectEqual(t, w.gv+" "+w.name+" namespaced", r.Namespaced, w.namespaced)
		expectEqual(t, w.gv+" "+w.name+" singularName", r.SingularName, strings.ToLower(w.kind))
		expectEqual(t, w.gv+" "+w.name+" shortNames", fmt.Sprint(r.ShortNames), fmt.Sprint(w.shortNames))
		expectEqual(t, w.gv+" "+w.name+" verbs", fmt.Sprint(sortedCopy(r.Verbs)), fmt.Sprint(w.verbs))
		expectEqual(t, w.gv+" "+w.name+" categories", fmt.Sprint(r.Categories), fmt.Sprint(w.categories))
	}
	if preferredOnly {
		if r := findResource(lists, "autoscaling/v1", "horizontalpodautoscalers"); r != nil {
			t.Errorf("preferred resources list autoscaling/v1 horizontalpodautoscalers; autoscaling/v2 is the preferred version")
		}
		return
	}
	for _, w := range servedSubresources {
		r := findResource(lists, w.gv, w.name)
		if r == nil {
			t.Errorf("%s %s: not in discovery", w.gv, w.name)
			continue
		}
		expectEqual(t, w.gv+" "+w.name+" kind", r.Kind, w.kind)
		expectEqual(t, w.gv+" "+w.name+" group", r.Group, w.group)
		expectEqual(t, w.gv+" "+w.name+" version", r.Version, w.version)
		expectEqual(t, w.gv+" "+w.name+" verbs", fmt.Sprint(sortedCopy(r.Verbs)), fmt.Sprint(w.verbs))
	}
}

// usedAggregated tells whether the discovery documents at /api and /apis came back as
// aggregated discovery (apidiscovery.k8s.io/v2).
func usedAggregated(t *testing.T, log *requestLog) bool {
	t.Helper()
	aggregated, legacy := 0, 0
	for _, path := range []string{"/api", "/apis"} {
		for _, r := range log.matching(path) {
			if strings.Contains(log.contentType(r), "g=apidiscovery.k8s.io") {
				aggregated++
			} else {
				legacy++
			}
		}
	}
	if aggregated > 0 && legacy > 0 {
		t.Errorf("the server answered /api and /apis in both formats to one client")
	}
	return aggregated > 0
}

// forceLegacy makes a client ask /api and /apis for the legacy documents only, as clients
// older than aggregated discovery do.
func forceLegacy(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.URL.Path == "/api" || r.URL.Path == "/apis" {
			r = r.Clone(r.Context())
			r.Header.Set("Accept", "application/json")
		}
		return rt.RoundTrip(r)
	})
}

func TestDiscovery(t *testing.T) {
	log := &requestLog{}
	cfg := restConfig(t)
	cfg.Wrap(log.wrap)
	dc := discovery.NewDiscoveryClientForConfigOrDie(cfg)

	groups, lists, err := dc.ServerGroupsAndResources()
	if err != nil {
		t.Fatalf("ServerGroupsAndResources: %v", err)
	}
	aggregated := usedAggregated(t, log)
	t.Logf("client-go's default discovery took the %s path", map[bool]string{true: "aggregated (apidiscovery.k8s.io/v2)", false: "legacy (one document per group version)"}[aggregated])
	checkResourceLists(t, lists, false)

	var groupNames []string
	for _, g := range groups {
		groupNames = append(groupNames, g.Name)
		if g.Name == "autoscaling" {
			expectEqual(t, "autoscaling preferred version", g.PreferredVersion.GroupVersion, "autoscaling/v2")
			var versions []string
			for _, v := range g.Versions {
				versions = append(versions, v.Version)
			}
			expectEqual(t, "autoscaling versions", fmt.Sprint(versions), "[v2 v1]")
		}
	}
	for _, want := range []string{"", "apps", "autoscaling", "coordination.k8s.io"} {
		if !slices.Contains(groupNames, want) {
			t.Errorf("groups %q, want %q among them", groupNames, want)
		}
	}
	if groupNames[0] != "" {
		t.Errorf("groups %q, want the core group first", groupNames)
	}

	t.Run("legacy discovery", func(t *testing.T) {
		legacyLog := &requestLog{}
		cfg := restConfig(t)
		cfg.Wrap(forceLegacy)
		cfg.Wrap(legacyLog.wrap)
		_, legacyLists, err := discovery.NewDiscoveryClientForConfigOrDie(cfg).ServerGroupsAndResources()
		if err != nil {
			t.Fatalf("ServerGroupsAndResources asking for legacy documents: %v", err)
		}
		if usedAggregated(t, legacyLog) {
			t.Errorf("the server answered aggregated discovery to a client that did not ask for it")
		}
		checkResourceLists(t, legacyLists, false)
	})

	t.Run("aggregated discovery", func(t *testing.T) {
		if !aggregated {
			t.Skip("the server does not offer aggregated discovery (apidiscovery.k8s.io/v2); client-go fell back to the legacy documents")
		}
		if n := len(log.matching("/api/v1")); n > 0 {
			t.Errorf("aggregated discovery still fetched /api/v1 %d times", n)
		}
	})

	t.Run("preferred resources", func(t *testing.T) {
		preferred, err := dc.ServerPreferredResources()
		if err != nil {
			t.Fatalf("ServerPreferredResources: %v", err)
		}
		checkResourceLists(t, preferred, true)
		namespaced, err := dc.ServerPreferredNamespacedResources()
		if err != nil {
			t.Fatalf("ServerPreferredNamespacedResources: %v", err)
		}
		if findResource(namespaced, "v1", "nodes") != nil || findResource(namespaced, "v1", "namespaces") != nil {
			t.Errorf("namespaced resources include nodes or namespaces")
		}
		if findResource(namespaced, "apps/v1", "deployments") == nil {
			t.Errorf("namespaced resources lack deployments")
		}
	})

	t.Run("server version", func(t *testing.T) {
		v, err := dc.ServerVersion()
		if err != nil {
			t.Fatalf("ServerVersion: %v", err)
		}
		if !strings.HasPrefix(v.GitVersion, "v1.") || v.Major != "1" || v.Minor == "" {
			t.Errorf("version %+v, want a v1.x gitVersion with major 1 and a minor", v)
		}
	})
}

// TestRESTMapper resolves the names kubectl users type the way kubectl does: a deferred
// discovery REST mapper over a memory-cached discovery client, with short names expanded.
func TestRESTMapper(t *testing.T) {
	dc := discovery.NewDiscoveryClientForConfigOrDie(restConfig(t))
	cached := memory.NewMemCacheClient(dc)
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(cached)
	expander := restmapper.NewShortcutExpander(mapper, cached, func(w string) { t.Logf("shortcut expander: %s", w) })

	for _, tc := range []struct {
		typed string
		want  schema.GroupVersionResource
	}{
		{"po", schema.GroupVersionResource{Version: "v1", Resource: "pods"}},
		{"pod", schema.GroupVersionResource{Version: "v1", Resource: "pods"}},
		{"svc", schema.GroupVersionResource{Version: "v1", Resource: "services"}},
		{"cm", schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}},
		{"ns", schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}},
		{"no", schema.GroupVersionResource{Version: "v1", Resource: "nodes"}},
		{"ep", schema.GroupVersionResource{Version: "v1", Resource: "endpoints"}},
		{"sa", schema.GroupVersionResource{Version: "v1", Resource: "serviceaccounts"}},
		{"secrets", schema.GroupVersionResource{Version: "v1", Resource: "secrets"}},
		{"deploy", schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}},
		{"deployment", schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}},
		{"rs", schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "replicasets"}},
		{"hpa", schema.GroupVersionResource{Group: "autoscaling", Version: "v2", Resource: "horizontalpodautoscalers"}},
		{"lease", schema.GroupVersionResource{Group: "coordination.k8s.io", Version: "v1", Resource: "leases"}},
	} {
		got, err := expander.ResourceFor(schema.GroupVersionResource{Resource: tc.typed})
		if err != nil {
			t.Errorf("ResourceFor(%q): %v", tc.typed, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ResourceFor(%q) = %v, want %v", tc.typed, got, tc.want)
		}
	}

	for _, tc := range []struct {
		gk       schema.GroupKind
		versions []string
		resource schema.GroupVersionResource
		scope    meta.RESTScopeName
	}{
		{schema.GroupKind{Kind: "Pod"}, nil, schema.GroupVersionResource{Version: "v1", Resource: "pods"}, meta.RESTScopeNameNamespace},
		{schema.GroupKind{Kind: "Namespace"}, nil, schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}, meta.RESTScopeNameRoot},
		{schema.GroupKind{Kind: "Node"}, nil, schema.GroupVersionResource{Version: "v1", Resource: "nodes"}, meta.RESTScopeNameRoot},
		{schema.GroupKind{Group: "apps", Kind: "Deployment"}, nil, schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}, meta.RESTScopeNameNamespace},
		{schema.GroupKind{Group: "autoscaling", Kind: "HorizontalPodAutoscaler"}, nil, schema.GroupVersionResource{Group: "autoscaling", Version: "v2", Resource: "horizontalpodautoscalers"}, meta.RESTScopeNameNamespace},
		{schema.GroupKind{Group: "autoscaling", Kind: "HorizontalPodAutoscaler"}, []string{"v1"}, schema.GroupVersionResource{Group: "autoscaling", Version: "v1", Resource: "horizontalpodautoscalers"}, meta.RESTScopeNameNamespace},
		{schema.GroupKind{Group: "coordination.k8s.io", Kind: "Lease"}, nil, schema.GroupVersionResource{Group: "coordination.k8s.io", Version: "v1", Resource: "leases"}, meta.RESTScopeNameNamespace},
	} {
		m, err := mapper.RESTMapping(tc.gk, tc.versions...)
		if err != nil {
			t.Errorf("RESTMapping(%v, %v): %v", tc.gk, tc.versions, err)
			continue
		}
		if m.Resource != tc.resource || m.Scope.Name() != tc.scope {
			t.Errorf("RESTMapping(%v, %v) = %v %s, want %v %s", tc.gk, tc.versions, m.Resource, m.Scope.Name(), tc.resource, tc.scope)
		}
	}

	// "ev" names events of the core group, or of events.k8s.io when the server serves that
	// group (it comes first in discovery order).
	if got, err := expander.ResourceFor(schema.GroupVersionResource{Resource: "ev"}); err != nil || got.Resource != "events" ||
		(got.Group != "" && got.Group != "events.k8s.io") {
		t.Errorf("ResourceFor(\"ev\") = %v, %v; want events", got, err)
	}

	gvk, err := mapper.KindFor(schema.GroupVersionResource{Resource: "replicasets"})
	if err != nil || gvk != (schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "ReplicaSet"}) {
		t.Errorf("KindFor(replicasets) = %v, %v; want apps/v1 ReplicaSet", gvk, err)
	}
	if _, err := mapper.RESTMapping(schema.GroupKind{Group: "example.com", Kind: "Widget"}); !meta.IsNoMatchError(err) {
		t.Errorf("RESTMapping of an unserved kind: %v, want a no-match error", err)
	}

	t.Run("categories", func(t *testing.T) {
		expanded, ok := restmapper.NewDiscoveryCategoryExpander(cached).Expand("all")
		if !ok {
			t.Fatalf("category all does not expand")
		}
		var names []string
		for _, gr := range expanded {
			names = append(names, gr.String())
		}
		for _, want := range []string{"pods", "services", "deployments.apps", "replicasets.apps", "horizontalpodautoscalers.autoscaling"} {
			if !slices.Contains(names, want) {
				t.Errorf("category all = %v, want %s in it", names, want)
			}
		}
	})
}

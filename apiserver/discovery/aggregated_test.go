package discovery

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/skiff-k8s/skiff/apiserver/registry"
)

func TestAggregatedDocuments(t *testing.T) {
	resources := registry.All()
	core := AggregatedGroups(resources, true)
	if len(core.Items) != 1 || core.Items[0].ObjectMeta.Name != "" || core.Items[0].Versions[0].Version != "v1" {
		t.Fatalf("core document %+v", core.Items)
	}
	var pods *APIResourceDiscovery
	for i, r := range core.Items[0].Versions[0].Resources {
		if r.Resource == "pods" {
			pods = &core.Items[0].Versions[0].Resources[i]
		}
	}
	if pods == nil || pods.Scope != "Namespaced" || pods.SingularResource != "pod" || pods.ResponseKind.Kind != "Pod" ||
		pods.ShortNames[0] != "po" || pods.Categories[0] != "all" {
		t.Fatalf("pods entry %+v", pods)
	}
	if len(pods.Subresources) == 0 || pods.Subresources[len(pods.Subresources)-1].Subresource != "status" {
		t.Errorf("pods subresources %+v", pods.Subresources)
	}

	groups := AggregatedGroups(resources, false)
	var names []string
	for _, g := range groups.Items {
		names = append(names, g.ObjectMeta.Name)
	}
	want := []string{"apps", "autoscaling", "coordination.k8s.io"}
	if len(names) != len(want) || names[0] != want[0] || names[1] != want[1] || names[2] != want[2] {
		t.Fatalf("groups %v, want %v", names, want)
	}
	autoscaling := groups.Items[1]
	if autoscaling.Versions[0].Version != "v2" || autoscaling.Versions[1].Version != "v1" {
		t.Errorf("autoscaling versions not preferred first: %+v", autoscaling.Versions)
	}
	deploy := groups.Items[0].Versions[0].Resources[0]
	if deploy.Resource != "deployments" || len(deploy.Subresources) != 2 {
		t.Fatalf("deployments entry %+v", deploy)
	}
	scale := deploy.Subresources[0]
	if scale.Subresource != "scale" || *scale.ResponseKind != (GroupVersionKind{"autoscaling", "v1", "Scale"}) {
		t.Errorf("scale subresource %+v", scale)
	}
	if *deploy.ResponseKind != (GroupVersionKind{Kind: "Deployment"}) {
		t.Errorf("deployments responseKind %+v", deploy.ResponseKind)
	}
	b, _ := json.Marshal(groups)
	var raw map[string]any
	_ = json.Unmarshal(b, &raw)
	if raw["kind"] != "APIGroupDiscoveryList" || raw["apiVersion"] != "apidiscovery.k8s.io/v2" {
		t.Errorf("type %v %v", raw["kind"], raw["apiVersion"])
	}
	if m, ok := raw["metadata"].(map[string]any); !ok || len(m) != 0 {
		t.Errorf("metadata %v, want {}", raw["metadata"])
	}
}

func TestAggregatedNegotiation(t *testing.T) {
	h := New(registry.All())
	if err := h.EnableAggregated(); err != nil {
		t.Fatal(err)
	}
	get := func(accept, etag string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/apis", nil)
		req.Header.Set("Accept", accept)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		rec := httptest.NewRecorder()
		h.ServeAPIGroupList(rec, req)
		return rec
	}
	for _, tc := range []struct {
		accept, wantType string
	}{
		{AggregatedMediaType + ",application/json", AggregatedMediaType},
		{"application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json", "application/json"},
		{"application/json", "application/json"},
		{"", "application/json"},
		{"application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList," + AggregatedMediaType, AggregatedMediaType},
	} {
		rec := get(tc.accept, "")
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != tc.wantType {
			t.Errorf("Accept %q: %d %q, want %q", tc.accept, rec.Code, rec.Header().Get("Content-Type"), tc.wantType)
		}
	}
	first := get(AggregatedMediaType, "")
	etag := first.Header().Get("ETag")
	if len(etag) != 130 || first.Header().Get("Vary") != "Accept" || first.Header().Get("Cache-Control") != "public" {
		t.Fatalf("headers %v", first.Header())
	}
	if rec := get(AggregatedMediaType, etag); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("If-None-Match with the current ETag: %d, %d bytes", rec.Code, rec.Body.Len())
	}
	if rec := get(AggregatedMediaType, `"stale"`); rec.Code != http.StatusOK {
		t.Errorf("If-None-Match with a stale ETag: %d", rec.Code)
	}
}

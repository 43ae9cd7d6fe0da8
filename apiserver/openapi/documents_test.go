package openapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/skiff-k8s/skiff/apiserver/registry"
)

func decode(t *testing.T, r rendered) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// dig walks decoded JSON by keys.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func TestV3Documents(t *testing.T) {
	docs, err := build(registry.All(), "1.33")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"api", "api/v1", "apis", "apis/apps", "apis/apps/v1", "apis/autoscaling/v1",
		"apis/autoscaling/v2", "apis/coordination.k8s.io/v1"} {
		if _, ok := docs.v3[name]; !ok {
			t.Errorf("no v3 document %s", name)
		}
	}
	apps := decode(t, docs.v3["apis/apps/v1"])
	schemas := dig(apps, "components", "schemas")

	// A struct field refers through allOf, with upstream's default {} for non-pointers.
	spec := dig(schemas, "io.k8s.api.apps.v1.DeploymentSpec", "properties", "template").(map[string]any)
	if spec["default"] == nil || dig(spec, "allOf") == nil {
		t.Errorf("DeploymentSpec.template = %v", spec)
	}
	if sel := dig(schemas, "io.k8s.api.apps.v1.DeploymentSpec", "properties", "selector").(map[string]any); sel["default"] != nil {
		t.Errorf("a pointer field has a default: %v", sel)
	}
	// The patch extensions of the strategy, from its struct tag.
	if got := dig(schemas, "io.k8s.api.apps.v1.DeploymentSpec", "properties", "strategy", "x-kubernetes-patch-strategy"); got != "retainKeys" {
		t.Errorf("strategy patch strategy %v", got)
	}
	// IntOrString and Quantity have their OpenAPI 3 forms.
	ios := dig(schemas, "io.k8s.apimachinery.pkg.util.intstr.IntOrString").(map[string]any)
	if ios["format"] != "int-or-string" || len(ios["oneOf"].([]any)) != 2 || ios["type"] != nil {
		t.Errorf("IntOrString = %v", ios)
	}
	// The kind carries its group, version and kind.
	gvk := dig(schemas, "io.k8s.api.apps.v1.Deployment", "x-kubernetes-group-version-kind").([]any)[0]
	if dig(gvk, "group") != "apps" || dig(gvk, "version") != "v1" || dig(gvk, "kind") != "Deployment" {
		t.Errorf("Deployment kind %v", gvk)
	}
	// The PATCH operation lists fieldValidation (kubectl looks for it) and its formats.
	patch := dig(apps, "paths", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}", "patch")
	if dig(patch, "operationId") != "patchAppsV1NamespacedDeployment" || dig(patch, "x-kubernetes-action") != "patch" {
		t.Errorf("patch operation %v", patch)
	}
	var names []string
	for _, p := range dig(patch, "parameters").([]any) {
		names = append(names, dig(p, "name").(string))
	}
	if strings.Join(names, ",") != "dryRun,fieldManager,fieldValidation,force" {
		t.Errorf("patch parameters %v", names)
	}
	if dig(patch, "requestBody", "content", "application/strategic-merge-patch+json") == nil {
		t.Error("patch does not take strategic merge patches")
	}
	// Scale is documented with its own kind.
	scale := dig(apps, "paths", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale", "get", "x-kubernetes-group-version-kind")
	if dig(scale, "kind") != "Scale" || dig(scale, "group") != "autoscaling" {
		t.Errorf("scale kind %v", scale)
	}
	// The index points at every document with its hash.
	var index map[string]map[string]map[string]string
	if err := json.Unmarshal(docs.v3Index, &index); err != nil {
		t.Fatal(err)
	}
	if got := index["paths"]["apis/apps/v1"]["serverRelativeURL"]; got != "/openapi/v3/apis/apps/v1?hash="+docs.v3["apis/apps/v1"].hash {
		t.Errorf("index entry %q", got)
	}
}

func TestV2Document(t *testing.T) {
	docs, err := build(registry.All(), "1.33")
	if err != nil {
		t.Fatal(err)
	}
	v2 := decode(t, docs.v2JSON)
	if v2["swagger"] != "2.0" || dig(v2, "info", "version") != "1.33" {
		t.Errorf("header %v %v", v2["swagger"], v2["info"])
	}
	// In Swagger 2.0 a reference carries its description beside it.
	strategy := dig(v2, "definitions", "io.k8s.api.apps.v1.DeploymentSpec", "properties", "strategy").(map[string]any)
	if strategy["$ref"] != "#/definitions/io.k8s.api.apps.v1.DeploymentStrategy" || strategy["allOf"] != nil || strategy["default"] != nil {
		t.Errorf("strategy = %v", strategy)
	}
	if got := dig(v2, "definitions", "io.k8s.apimachinery.pkg.util.intstr.IntOrString", "type"); got != "string" {
		t.Errorf("IntOrString type %v", got)
	}
	create := dig(v2, "paths", "/api/v1/namespaces/{namespace}/pods", "post").(map[string]any)
	body := create["parameters"].([]any)[0]
	if dig(body, "in") != "body" || dig(body, "schema", "$ref") != "#/definitions/io.k8s.api.core.v1.Pod" {
		t.Errorf("create body %v", body)
	}
	list := dig(v2, "paths", "/api/v1/pods", "get", "operationId")
	if list != "listCoreV1PodForAllNamespaces" {
		t.Errorf("all-namespaces list %v", list)
	}
}

func TestYAMLValues(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{"merge", "merge\n"},
		{"merge,retainKeys", "merge,retainKeys\n"},
		{"", "\"\"\n"},
		{"true", "\"true\"\n"},
		{"1.5", "\"1.5\"\n"},
		{[]string{"containerPort", "protocol"}, "- containerPort\n- protocol\n"},
		{GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, "group: apps\nkind: Deployment\nversion: v1\n"},
		{[]GroupVersionKind{{Version: "v1", Kind: "Pod"}}, "- group: \"\"\n  kind: Pod\n  version: v1\n"},
	} {
		if got := yamlValue(tc.v); got != tc.want {
			t.Errorf("yamlValue(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestHandler(t *testing.T) {
	h := New(registry.All(), "1.33")
	get := func(path, accept, etag string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	j := get("/openapi/v2", "", "")
	if j.Code != 200 || j.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("v2 JSON: %d %v", j.Code, j.Header())
	}
	pb := get("/openapi/v2", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf", "")
	if pb.Code != 200 || pb.Header().Get("Content-Type") != "application/com.github.proto-openapi.spec.v2.v1.0+protobuf" || pb.Body.Len() == 0 {
		t.Fatalf("v2 protobuf: %d %v", pb.Code, pb.Header())
	}
	if j.Header().Get("ETag") == "" || j.Header().Get("ETag") != pb.Header().Get("ETag") {
		t.Errorf("ETags %q %q", j.Header().Get("ETag"), pb.Header().Get("ETag"))
	}
	if rec := get("/openapi/v2", "", j.Header().Get("ETag")); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", rec.Code)
	}
	if rec := get("/openapi/v2", "text/html", ""); rec.Code != http.StatusNotAcceptable {
		t.Errorf("text/html: %d", rec.Code)
	}

	var index map[string]map[string]map[string]string
	if err := json.Unmarshal(get("/openapi/v3", "application/json", "").Body.Bytes(), &index); err != nil {
		t.Fatal(err)
	}
	url := index["paths"]["api/v1"]["serverRelativeURL"]
	cached := get(url, "application/json", "")
	if cached.Code != 200 || cached.Header().Get("Cache-Control") != "public, immutable" || cached.Header().Get("Expires") == "" {
		t.Errorf("v3 with its hash: %d %v", cached.Code, cached.Header())
	}
	if rec := get("/openapi/v3/api/v1", "", ""); rec.Code != 200 || rec.Header().Get("Cache-Control") != "no-cache, private" {
		t.Errorf("v3 without hash: %d %v", rec.Code, rec.Header())
	}
	if rec := get("/openapi/v3/api/v1?hash=stale", "", ""); rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != url {
		t.Errorf("v3 with a stale hash: %d %v", rec.Code, rec.Header())
	}
	if rec := get("/openapi/v3/apis/nope/v1", "", ""); rec.Code != http.StatusNotFound {
		t.Errorf("unknown group version: %d", rec.Code)
	}
	if rec := get(url, "application/com.github.proto-openapi.spec.v3@v1.0+protobuf", ""); rec.Code != http.StatusNotAcceptable ||
		!strings.Contains(rec.Body.String(), "not implemented") {
		t.Errorf("v3 protobuf: %d %s", rec.Code, rec.Body)
	}
}

package kubectl_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	openapi_v2 "github.com/google/gnostic-models/openapiv2"
	"google.golang.org/protobuf/proto"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/openapi3"
	"k8s.io/client-go/rest"
	openapiproto "k8s.io/kube-openapi/pkg/util/proto"

	"github.com/skiff-k8s/skiff/testenv"
)

// TestOpenAPIWithClientLibraries reads Skiff's OpenAPI documents the way kubectl does,
// with client-go's discovery client and kube-openapi: the v2 document as protobuf (which
// must decode to exactly what gnostic makes of the JSON form), its models, and the v3
// documents with their kinds and the fieldValidation parameter kubectl looks for.
func TestOpenAPIWithClientLibraries(t *testing.T) {
	if *record {
		t.Skip("nothing to record")
	}
	env := testenv.Start(t)
	dc := discovery.NewDiscoveryClientForConfigOrDie(&rest.Config{Host: env.URL})

	// v2: protobuf, as kubectl 1.27 asks for it.
	doc, err := dc.OpenAPISchema()
	if err != nil {
		t.Fatalf("OpenAPISchema (protobuf): %v", err)
	}
	resp, err := http.Get(env.URL + "/openapi/v2")
	if err != nil {
		t.Fatal(err)
	}
	jsonDoc, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fromJSON, err := openapi_v2.ParseDocument(jsonDoc)
	if err != nil {
		t.Fatalf("gnostic cannot parse the JSON document: %v", err)
	}
	if !proto.Equal(doc, fromJSON) {
		for _, def := range fromJSON.Definitions.AdditionalProperties {
			for _, got := range doc.Definitions.AdditionalProperties {
				if got.Name == def.Name && !proto.Equal(got, def) {
					t.Errorf("definition %s differs between protobuf and JSON:\n%s", def.Name, firstDifference(got.String(), def.String()))
				}
			}
		}
		for _, p := range fromJSON.Paths.Path {
			for _, got := range doc.Paths.Path {
				if got.Name == p.Name && !proto.Equal(got, p) {
					t.Errorf("path %s differs between protobuf and JSON:\n%s", p.Name, firstDifference(got.String(), p.String()))
					break
				}
			}
		}
		t.Fatal("the protobuf document is not what gnostic makes of the JSON document")
	}
	models, err := openapiproto.NewOpenAPIData(doc)
	if err != nil {
		t.Fatalf("kube-openapi cannot build models: %v", err)
	}
	for _, name := range []string{"io.k8s.api.apps.v1.Deployment", "io.k8s.api.core.v1.Pod", "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler"} {
		m := models.LookupModel(name)
		kind, ok := m.(*openapiproto.Kind)
		if !ok {
			t.Fatalf("model %s is %T", name, m)
		}
		if _, ok := kind.Fields["spec"]; !ok {
			t.Errorf("model %s has no spec", name)
		}
	}
	containers := models.LookupModel("io.k8s.api.core.v1.PodSpec").(*openapiproto.Kind).Fields["containers"]
	if ext := containers.GetExtensions(); ext["x-kubernetes-patch-merge-key"] != "name" || ext["x-kubernetes-patch-strategy"] != "merge" {
		t.Errorf("PodSpec.containers extensions %v", ext)
	}

	// v3: the index, then each group version's document as kubectl reads it.
	root := openapi3.NewRoot(dc.OpenAPIV3())
	gvs, err := root.GroupVersions()
	if err != nil {
		t.Fatal(err)
	}
	want := map[schema.GroupVersion]string{
		{Version: "v1"}:                               "Pod",
		{Group: "apps", Version: "v1"}:                "Deployment",
		{Group: "autoscaling", Version: "v2"}:         "HorizontalPodAutoscaler",
		{Group: "autoscaling", Version: "v1"}:         "HorizontalPodAutoscaler",
		{Group: "coordination.k8s.io", Version: "v1"}: "Lease",
	}
	for gv, kind := range want {
		found := false
		for _, g := range gvs {
			found = found || g == gv
		}
		if !found {
			t.Errorf("the v3 index lacks %v (has %v)", gv, gvs)
			continue
		}
		spec, err := root.GVSpec(gv)
		if err != nil {
			t.Fatalf("%v: %v", gv, err)
		}
		// The kind's schema carries its group, version and kind.
		var hasKind bool
		for _, s := range spec.Components.Schemas {
			raw, _ := json.Marshal(s.Extensions["x-kubernetes-group-version-kind"])
			var gvks []map[string]string
			_ = json.Unmarshal(raw, &gvks)
			for _, g := range gvks {
				hasKind = hasKind || (g["group"] == gv.Group && g["version"] == gv.Version && g["kind"] == kind)
			}
		}
		if !hasKind {
			t.Errorf("%v: no schema for kind %s", gv, kind)
		}
		// kubectl sends fieldValidation=Strict (instead of validating itself) when the
		// PATCH operation of the kind lists the parameter.
		var patchHasIt bool
		for _, p := range spec.Paths.Paths {
			if p.Patch == nil {
				continue
			}
			gvk, _ := p.Patch.Extensions["x-kubernetes-group-version-kind"].(map[string]any)
			if gvk["kind"] != kind {
				continue
			}
			for _, param := range p.Patch.Parameters {
				patchHasIt = patchHasIt || (param.Name == "fieldValidation" && param.In == "query")
			}
		}
		if !patchHasIt {
			t.Errorf("%v: no PATCH of %s with a fieldValidation parameter", gv, kind)
		}
	}
	if _, err := dc.OpenAPIV3().Paths(); err != nil {
		t.Fatal(err)
	}
	_ = context.Background()
}

// firstDifference shows where two texts start to differ.
func firstDifference(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-150)
	return "protobuf ..." + a[from:min(len(a), i+150)] + "\njson     ..." + b[from:min(len(b), i+150)]
}

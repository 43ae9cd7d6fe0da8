package apiserver_test

import (
	"testing"
)

func deployment(name string, replicas int) map[string]any {
	labels := map[string]any{"app": name}
	return map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": name},
		"spec": map[string]any{
			"replicas": replicas,
			"selector": map[string]any{"matchLabels": labels},
			"template": map[string]any{
				"metadata": map[string]any{"labels": labels},
				"spec": map[string]any{
					"containers": []any{map[string]any{"name": "c", "image": "nginx"}},
				},
			},
		},
	}
}

func TestStatusSubresource(t *testing.T) {
	c := start(t)
	base := "/apis/apps/v1/namespaces/default/deployments"
	d := c.must(201, "POST", base, deployment("web", 2))
	if get(d, "status", "replicas") != nil {
		t.Fatalf("create kept status: %v", d["status"])
	}
	// Status written through the main resource is ignored.
	d["status"] = map[string]any{"replicas": 7}
	d = c.must(200, "PUT", base+"/web", d)
	if get(d, "status", "replicas") != nil {
		t.Fatalf("main resource update changed status: %v", d["status"])
	}
	// Through /status only status changes.
	d["status"] = map[string]any{"replicas": 2}
	d["spec"].(map[string]any)["replicas"] = 9
	s := c.must(200, "PUT", base+"/web/status", d)
	if get(s, "status", "replicas") != float64(2) || get(s, "spec", "replicas") != float64(2) {
		t.Fatalf("status update: spec %v status %v", s["spec"], s["status"])
	}
	p := c.must(200, "PATCH", base+"/web/status", `{"status":{"readyReplicas":1}}`, "Content-Type", "application/merge-patch+json")
	if get(p, "status", "readyReplicas") != float64(1) {
		t.Fatalf("status patch: %v", p["status"])
	}
	g := c.must(200, "GET", base+"/web/status", nil)
	if g["kind"] != "Deployment" {
		t.Fatalf("GET status answers the object: %v", g["kind"])
	}
}

func TestScaleSubresource(t *testing.T) {
	c := start(t)
	base := "/apis/apps/v1/namespaces/default/deployments"
	c.must(201, "POST", base, deployment("web", 2))
	sc := c.must(200, "GET", base+"/web/scale", nil)
	if sc["kind"] != "Scale" || sc["apiVersion"] != "autoscaling/v1" || get(sc, "spec", "replicas") != float64(2) ||
		str(sc, "status", "selector") != "app=web" {
		t.Fatalf("scale: %v", sc)
	}
	sc["spec"] = map[string]any{"replicas": 5}
	out := c.must(200, "PUT", base+"/web/scale", sc)
	if get(out, "spec", "replicas") != float64(5) {
		t.Fatalf("scale put: %v", out)
	}
	c.status(409, "Conflict", "", "PUT", base+"/web/scale", sc) // stale resourceVersion
	out = c.must(200, "PATCH", base+"/web/scale", `{"spec":{"replicas":1}}`, "Content-Type", "application/merge-patch+json")
	if get(out, "spec", "replicas") != float64(1) {
		t.Fatalf("scale patch: %v", out)
	}
	d := c.must(200, "GET", base+"/web", nil)
	if get(d, "spec", "replicas") != float64(1) || get(d, "metadata", "generation") != float64(3) {
		t.Fatalf("deployment after scaling: replicas %v generation %v", get(d, "spec", "replicas"), get(d, "metadata", "generation"))
	}
	c.status(422, "Invalid", "", "PATCH", base+"/web/scale", `{"spec":{"replicas":-1}}`, "Content-Type", "application/merge-patch+json")
	c.status(404, "NotFound", `deployments.apps "nope" not found`, "GET", base+"/nope/scale", nil)
}

func TestPatchFormats(t *testing.T) {
	c := start(t)
	base := "/api/v1/namespaces/default/pods"
	p := pod("p")
	p["spec"].(map[string]any)["containers"] = []any{
		map[string]any{"name": "a", "image": "busybox"},
		map[string]any{"name": "b", "image": "busybox"},
	}
	c.must(201, "POST", base, p)

	// Strategic merge: containers merge by name.
	out := c.must(200, "PATCH", base+"/p", `{"spec":{"containers":[{"name":"b","image":"nginx"}]}}`,
		"Content-Type", "application/strategic-merge-patch+json")
	if n := len(get(out, "spec", "containers").([]any)); n != 2 || str(out, "spec", "containers", 1, "image") != "nginx" {
		t.Fatalf("strategic merge: %v", get(out, "spec", "containers"))
	}
	// JSON merge patch on metadata.
	out = c.must(200, "PATCH", base+"/p", `{"metadata":{"labels":{"x":"y"}}}`, "Content-Type", "application/merge-patch+json")
	if str(out, "metadata", "labels", "x") != "y" {
		t.Fatalf("merge patch: %v", out["metadata"])
	}
	// JSON patch.
	out = c.must(200, "PATCH", base+"/p", `[{"op":"replace","path":"/metadata/labels/x","value":"z"}]`, "Content-Type", "application/json-patch+json")
	if str(out, "metadata", "labels", "x") != "z" {
		t.Fatalf("json patch: %v", out["metadata"])
	}
	c.status(422, "Invalid", "", "PATCH", base+"/p", `[{"op":"test","path":"/metadata/labels/x","value":"nope"}]`, "Content-Type", "application/json-patch+json")
	// A stale resourceVersion in the patch is a precondition.
	c.status(409, "Conflict", "", "PATCH", base+"/p", `{"metadata":{"resourceVersion":"1"}}`, "Content-Type", "application/merge-patch+json")
	c.status(415, "UnsupportedMediaType", "", "PATCH", base+"/p", `{}`, "Content-Type", "application/apply-patch+yaml")
	c.status(415, "UnsupportedMediaType", "", "PATCH", base+"/p", `{}`, "Content-Type", "application/json")
	c.status(404, "NotFound", `pods "nope" not found`, "PATCH", base+"/nope", `{}`, "Content-Type", "application/merge-patch+json")
}

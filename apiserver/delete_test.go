package apiserver_test

import (
	"testing"
	"time"
)

func pod(name string) map[string]any {
	return map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": name},
		"spec": map[string]any{
			"containers": []any{map[string]any{"name": "c", "image": "busybox"}},
		},
	}
}

func TestDeleteWithFinalizers(t *testing.T) {
	c := start(t)
	base := "/api/v1/namespaces/default/configmaps"
	cm := configMap("fin", nil)
	cm["metadata"].(map[string]any)["finalizers"] = []string{"example.com/hold"}
	c.must(201, "POST", base, cm)
	w := c.watch(base + "?watch=true&fieldSelector=metadata.name%3Dfin")
	w.expect("ADDED", "fin")

	marked := c.must(200, "DELETE", base+"/fin", nil)
	if marked["kind"] != "ConfigMap" || str(marked, "metadata", "deletionTimestamp") == "" ||
		get(marked, "metadata", "deletionGracePeriodSeconds") != float64(0) {
		t.Fatalf("delete of an object with finalizers must only mark it: %v", marked)
	}
	w.expect("MODIFIED", "fin")
	// Deleting again changes nothing.
	again := c.must(200, "DELETE", base+"/fin", nil)
	if str(again, "metadata", "resourceVersion") != str(marked, "metadata", "resourceVersion") {
		t.Errorf("second delete rewrote the object")
	}
	// Removing the last finalizer deletes it.
	marked["metadata"].(map[string]any)["finalizers"] = []string{}
	c.must(200, "PUT", base+"/fin", marked)
	w.expect("DELETED", "fin")
	c.status(404, "NotFound", "", "GET", base+"/fin", nil)
}

func TestDeletePropagationPolicies(t *testing.T) {
	c := start(t)
	base := "/api/v1/namespaces/default/configmaps"
	c.must(201, "POST", base, configMap("orphan", nil))
	o := c.must(200, "DELETE", base+"/orphan?propagationPolicy=Orphan", nil)
	if get(o, "metadata", "finalizers", 0) != "orphan" || str(o, "metadata", "deletionTimestamp") == "" {
		t.Fatalf("Orphan: %v", o["metadata"])
	}
	c.must(201, "POST", base, configMap("fg", nil))
	f := c.must(200, "DELETE", base+"/fg", map[string]any{"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Foreground"})
	if get(f, "metadata", "finalizers", 0) != "foregroundDeletion" {
		t.Fatalf("Foreground: %v", f["metadata"])
	}
	c.must(201, "POST", base, configMap("bg", nil))
	b := c.must(200, "DELETE", base+"/bg?propagationPolicy=Background", nil)
	if b["kind"] != "Status" || b["status"] != "Success" {
		t.Fatalf("Background: %v", b)
	}
	c.status(422, "Invalid", "", "DELETE", base+"/orphan?propagationPolicy=Sideways", nil)
}

func TestDeletePreconditions(t *testing.T) {
	c := start(t)
	base := "/api/v1/namespaces/default/configmaps"
	cm := c.must(201, "POST", base, configMap("pre", nil))
	c.status(409, "Conflict",
		`Operation cannot be fulfilled on configmaps "pre": Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: `+str(cm, "metadata", "resourceVersion"),
		"DELETE", base+"/pre", map[string]any{"preconditions": map[string]any{"resourceVersion": "1"}})
	c.status(409, "Conflict", "", "DELETE", base+"/pre", map[string]any{"preconditions": map[string]any{"uid": "nope"}})
	c.must(200, "DELETE", base+"/pre", map[string]any{"preconditions": map[string]any{"uid": str(cm, "metadata", "uid")}})
}

func TestDeleteCollection(t *testing.T) {
	c := start(t)
	base := "/api/v1/namespaces/default/configmaps"
	for _, n := range []string{"a", "b", "c"} {
		cm := configMap(n, nil)
		if n != "c" {
			cm["metadata"].(map[string]any)["labels"] = map[string]any{"del": "yes"}
		}
		c.must(201, "POST", base, cm)
	}
	out := c.must(200, "DELETE", base+"?labelSelector=del%3Dyes", nil)
	if out["kind"] != "ConfigMapList" || len(items(out)) != 2 {
		t.Fatalf("deletecollection answer: %v", out)
	}
	if got := names(c.must(200, "GET", base, nil)); len(got) != 1 || got[0] != "c" {
		t.Fatalf("left: %v", got)
	}
}

func TestPodGracefulDeletionAndBinding(t *testing.T) {
	c := start(t)
	base := "/api/v1/namespaces/default/pods"
	// An unscheduled pod goes at once (after being marked, as upstream).
	c.must(201, "POST", base, pod("loose"))
	gone := c.must(200, "DELETE", base+"/loose", nil)
	if gone["kind"] != "Pod" {
		t.Fatalf("pod delete answers with the pod: %v", gone)
	}
	c.status(404, "NotFound", `pods "loose" not found`, "GET", base+"/loose", nil)

	c.must(201, "POST", base, pod("p"))
	binding := map[string]any{"apiVersion": "v1", "kind": "Binding", "metadata": map[string]any{"name": "p"},
		"target": map[string]any{"apiVersion": "v1", "kind": "Node", "name": "node-1"}}
	st := c.must(201, "POST", base+"/p/binding", binding)
	if st["kind"] != "Status" || st["status"] != "Success" {
		t.Fatalf("binding answer: %v", st)
	}
	p := c.must(200, "GET", base+"/p", nil)
	if str(p, "spec", "nodeName") != "node-1" {
		t.Fatalf("not bound: %v", p["spec"])
	}
	c.status(409, "Conflict", `Operation cannot be fulfilled on pods/binding "p": pod p is already assigned to node "node-1"`,
		"POST", base+"/p/binding", binding)

	// A bound pod waits for its grace period.
	before := time.Now()
	marked := c.must(200, "DELETE", base+"/p", nil)
	ts, err := time.Parse(time.RFC3339, str(marked, "metadata", "deletionTimestamp"))
	if err != nil || get(marked, "metadata", "deletionGracePeriodSeconds") != float64(30) {
		t.Fatalf("graceful delete marks: %v", marked["metadata"])
	}
	if d := ts.Sub(before); d < 28*time.Second || d > 32*time.Second {
		t.Errorf("deletionTimestamp %v after the request, want about 30s", d)
	}
	c.must(200, "GET", base+"/p", nil)
	// A shorter period moves the deadline; grace 0 (the kubelet's final delete) removes it.
	shorter := c.must(200, "DELETE", base+"/p?gracePeriodSeconds=5", nil)
	if get(shorter, "metadata", "deletionGracePeriodSeconds") != float64(5) {
		t.Errorf("shortened grace: %v", shorter["metadata"])
	}
	c.must(200, "DELETE", base+"/p", map[string]any{"gracePeriodSeconds": 0})
	c.status(404, "NotFound", "", "GET", base+"/p", nil)
}

func TestNamespaceTermination(t *testing.T) {
	c := start(t)
	c.must(201, "POST", "/api/v1/namespaces", map[string]any{"metadata": map[string]any{"name": "doomed"}})
	c.must(201, "POST", "/api/v1/namespaces/doomed/configmaps", configMap("x", nil))

	ns := c.must(200, "DELETE", "/api/v1/namespaces/doomed", nil)
	if ns["kind"] != "Namespace" || str(ns, "status", "phase") != "Terminating" || str(ns, "metadata", "deletionTimestamp") == "" {
		t.Fatalf("deleted namespace: %v", ns)
	}
	st := c.status(403, "Forbidden",
		`configmaps "y" is forbidden: unable to create new content in namespace doomed because it is being terminated`,
		"POST", "/api/v1/namespaces/doomed/configmaps", configMap("y", nil))
	if get(st, "details", "causes", 0, "reason") != "NamespaceTerminating" {
		t.Errorf("causes: %v", st["details"])
	}
	// Still there while spec.finalizers holds "kubernetes".
	c.must(200, "DELETE", "/api/v1/namespaces/doomed", nil)
	ns = c.must(200, "GET", "/api/v1/namespaces/doomed", nil)
	// The namespace controller's last step.
	ns["spec"] = map[string]any{"finalizers": []string{}}
	c.must(200, "PUT", "/api/v1/namespaces/doomed/finalize", ns)
	c.status(404, "NotFound", `namespaces "doomed" not found`, "GET", "/api/v1/namespaces/doomed", nil)

	c.status(403, "Forbidden", `namespaces "default" is forbidden: this namespace may not be deleted`, "DELETE", "/api/v1/namespaces/default", nil)
}

func TestPodEviction(t *testing.T) {
	c := start(t)
	base := "/api/v1/namespaces/default/pods"
	c.must(201, "POST", base, pod("ev"))
	st := c.must(201, "POST", base+"/ev/eviction", map[string]any{
		"apiVersion": "policy/v1", "kind": "Eviction", "metadata": map[string]any{"name": "ev", "namespace": "default"}})
	if st["status"] != "Success" || st["code"] != float64(201) {
		t.Fatalf("eviction answer: %v", st)
	}
	c.status(404, "NotFound", `pods "ev" not found`, "GET", base+"/ev", nil)
	c.status(404, "NotFound", `pods "ev" not found`, "POST", base+"/ev/eviction", map[string]any{"metadata": map[string]any{"name": "ev"}})
	c.status(400, "BadRequest", "name in URL does not match name in Eviction object", "POST", base+"/ev/eviction", map[string]any{"metadata": map[string]any{"name": "other"}})
}

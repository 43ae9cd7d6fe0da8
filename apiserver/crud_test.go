package apiserver_test

import (
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/skiff-k8s/skiff/testenv"
)

func TestStartIsFast(t *testing.T) {
	begin := time.Now()
	c := start(t)
	took := time.Since(begin)
	if r := c.do("GET", "/readyz", nil); r.code != 200 || string(r.body) != "ok" {
		t.Fatalf("readyz: %d %s", r.code, r.body)
	}
	t.Logf("apiserver ready in %v", took)
	if took > 2*time.Second {
		t.Errorf("start took %v", took)
	}
}

func TestBootstrapNamespaces(t *testing.T) {
	c := start(t)
	list := c.must(200, "GET", "/api/v1/namespaces", nil)
	if list["kind"] != "NamespaceList" || list["apiVersion"] != "v1" {
		t.Fatalf("list kind/apiVersion: %v %v", list["kind"], list["apiVersion"])
	}
	got := names(list)
	want := []string{"default", "kube-node-lease", "kube-public", "kube-system"}
	if len(got) != len(want) {
		t.Fatalf("namespaces %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("namespaces %v, want %v", got, want)
		}
	}
	for _, it := range items(list) {
		if _, ok := it.(map[string]any)["kind"]; ok {
			t.Errorf("list items carry kind, upstream's do not: %v", it)
		}
		if str(it, "status", "phase") != "Active" {
			t.Errorf("namespace %s phase %q", str(it, "metadata", "name"), str(it, "status", "phase"))
		}
	}
	c.must(200, "GET", "/api/v1/namespaces/default/services/kubernetes", nil)
}

func TestConfigMapLifecycle(t *testing.T) {
	c := start(t)
	base := "/api/v1/namespaces/default/configmaps"

	created := c.must(201, "POST", base, configMap("cm1", map[string]string{"a": "1"}))
	if created["kind"] != "ConfigMap" || created["apiVersion"] != "v1" {
		t.Fatalf("created kind/apiVersion: %v", created)
	}
	uid := str(created, "metadata", "uid")
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(uid) {
		t.Errorf("uid %q is not a v4 UUID", uid)
	}
	rv := str(created, "metadata", "resourceVersion")
	if rv == "" || str(created, "metadata", "creationTimestamp") == "" || str(created, "metadata", "namespace") != "default" {
		t.Fatalf("metadata not filled: %v", created["metadata"])
	}

	got := c.must(200, "GET", base+"/cm1", nil)
	if str(got, "metadata", "resourceVersion") != rv || str(got, "data", "a") != "1" {
		t.Fatalf("get: %v", got)
	}

	// Update with the current resourceVersion.
	got["data"] = map[string]any{"a": "2"}
	updated := c.must(200, "PUT", base+"/cm1", got)
	rv2 := str(updated, "metadata", "resourceVersion")
	if rv2 == rv || str(updated, "data", "a") != "2" || str(updated, "metadata", "uid") != uid {
		t.Fatalf("update: %v", updated)
	}
	// A stale resourceVersion conflicts.
	c.status(409, "Conflict",
		`Operation cannot be fulfilled on configmaps "cm1": the object has been modified; please apply your changes to the latest version and try again`,
		"PUT", base+"/cm1", got)
	// Without a resourceVersion the update is unconditional.
	delete(got["metadata"].(map[string]any), "resourceVersion")
	got["data"] = map[string]any{"a": "3"}
	updated = c.must(200, "PUT", base+"/cm1", got)
	if str(updated, "data", "a") != "3" {
		t.Fatalf("unconditional update: %v", updated)
	}
	// An update that changes nothing writes nothing.
	same := c.must(200, "PUT", base+"/cm1", updated)
	if str(same, "metadata", "resourceVersion") != str(updated, "metadata", "resourceVersion") {
		t.Errorf("no-op update changed the resourceVersion")
	}

	list := c.must(200, "GET", base, nil)
	if list["kind"] != "ConfigMapList" || len(items(list)) != 1 {
		t.Fatalf("list: %v", list)
	}

	st := c.must(200, "DELETE", base+"/cm1", nil)
	if st["kind"] != "Status" || st["status"] != "Success" || str(st, "details", "name") != "cm1" ||
		str(st, "details", "kind") != "configmaps" || str(st, "details", "uid") != uid {
		t.Fatalf("delete answer: %v", st)
	}
	c.status(404, "NotFound", `configmaps "cm1" not found`, "GET", base+"/cm1", nil)
	c.status(404, "NotFound", `configmaps "cm1" not found`, "DELETE", base+"/cm1", nil)
	if l := c.must(200, "GET", base, nil); items(l) == nil || len(items(l)) != 0 {
		t.Fatalf("empty list must have items: []: %v", l)
	}
}

func TestCreateErrors(t *testing.T) {
	c := start(t)
	base := "/api/v1/namespaces/default/configmaps"
	c.must(201, "POST", base, configMap("dup", nil))
	st := c.status(409, "AlreadyExists", `configmaps "dup" already exists`, "POST", base, configMap("dup", nil))
	if str(st, "details", "name") != "dup" || str(st, "details", "kind") != "configmaps" {
		t.Errorf("details: %v", st["details"])
	}

	other := configMap("x", nil)
	other["metadata"].(map[string]any)["namespace"] = "kube-system"
	c.status(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request", "POST", base, other)

	c.status(404, "NotFound", `namespaces "nope" not found`, "POST", "/api/v1/namespaces/nope/configmaps", configMap("x", nil))

	c.status(400, "BadRequest", "", "POST", base, `{"metadata":`)
	c.status(400, "BadRequest", "", "POST", base, `{"metadata":{"name":5}}`)
	c.status(400, "BadRequest", "", "POST", base, `{"kind":"Secret","apiVersion":"v1","metadata":{"name":"x"}}`)
	c.status(400, "BadRequest", "the API version in the data (apps/v1) does not match the expected API version (v1)", "POST", base, `{"kind":"ConfigMap","apiVersion":"apps/v1","metadata":{"name":"x"}}`)

	st = c.status(422, "Invalid", "", "POST", base, configMap("Bad_Name", nil))
	if str(st, "details", "kind") != "ConfigMap" || str(st, "details", "name") != "Bad_Name" || get(st, "details", "causes", 0, "field") != "metadata.name" {
		t.Errorf("invalid details: %v", st["details"])
	}

	withRV := configMap("rv", nil)
	withRV["metadata"].(map[string]any)["resourceVersion"] = "5"
	c.status(500, "InternalError", "Internal error occurred: resourceVersion should not be set on objects to be created", "POST", base, withRV)

	// Update of the wrong name.
	c.status(400, "BadRequest", "the name of the object (other) does not match the name on the URL (dup)", "PUT", base+"/dup", configMap("other", nil))
	c.status(404, "NotFound", `configmaps "missing" not found`, "PUT", base+"/missing", configMap("missing", nil))
}

func TestGenerateNameAndDryRun(t *testing.T) {
	c := start(t)
	base := "/api/v1/namespaces/default/configmaps"
	obj := map[string]any{"metadata": map[string]any{"generateName": "gen-"}}
	a := c.must(201, "POST", base, obj)
	name := str(a, "metadata", "name")
	if !regexp.MustCompile(`^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$`).MatchString(name) {
		t.Fatalf("generated name %q", name)
	}
	if str(a, "metadata", "generateName") != "gen-" {
		t.Errorf("generateName not kept")
	}

	dry := c.must(201, "POST", base+"?dryRun=All", configMap("dry", nil))
	if str(dry, "metadata", "uid") == "" || str(dry, "metadata", "resourceVersion") != "" {
		t.Errorf("dry-run answer: %v", dry["metadata"])
	}
	c.status(404, "NotFound", "", "GET", base+"/dry", nil)
	c.status(422, "Invalid", "", "POST", base+"?dryRun=Some", configMap("dry", nil))
}

func TestYAMLBodiesAndAnswers(t *testing.T) {
	c := start(t)
	base := "/api/v1/namespaces/default/configmaps"
	yml := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: yml\ndata:\n  k: v\n"
	c.must(201, "POST", base, yml, "Content-Type", "application/yaml")
	r := c.do("GET", base+"/yml", nil, "Accept", "application/yaml")
	if r.code != 200 || r.header.Get("Content-Type") != "application/yaml" || !regexp.MustCompile(`(?m)^  name: yml$`).Match(r.body) {
		t.Fatalf("yaml get: %d %s %s", r.code, r.header.Get("Content-Type"), r.body)
	}
	c.status(400, "BadRequest", "", "POST", base, "a: [", "Content-Type", "application/yaml")
	c.status(415, "UnsupportedMediaType", "", "POST", base, "x", "Content-Type", "text/plain")
	c.status(406, "NotAcceptable", "", "GET", base+"/yml", nil, "Accept", "application/vnd.kubernetes.protobuf")
	// kubectl asks for a Table first, JSON second.
	c.must(200, "GET", base+"/yml", nil, "Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
}

func TestBodyLimits(t *testing.T) {
	c := start(t)
	base := "/api/v1/namespaces/default/configmaps"
	big := make([]byte, 3*1024*1024+10)
	for i := range big {
		big[i] = 'a'
	}
	c.status(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728", "POST", base, big)
}

func TestUnknownPathsAndMethods(t *testing.T) {
	c := start(t)
	c.status(404, "NotFound", "the server could not find the requested resource", "GET", "/api/v1/widgets", nil)
	c.status(404, "NotFound", "the server could not find the requested resource", "GET", "/apis/nope/v1", nil)
	c.status(405, "MethodNotAllowed", "", "POST", "/api/v1/namespaces/default/configmaps/x", configMap("x", nil))
}

func TestClusterScopedCreateIgnoresNamespace(t *testing.T) {
	c := start(t)
	ns := c.must(201, "POST", "/api/v1/namespaces", map[string]any{"metadata": map[string]any{"name": "team-a", "namespace": "whatever"}})
	if str(ns, "metadata", "namespace") != "" {
		t.Errorf("cluster-scoped object kept a namespace: %v", ns["metadata"])
	}
	if str(ns, "status", "phase") != "Active" || get(ns, "spec", "finalizers", 0) != "kubernetes" {
		t.Errorf("namespace defaults: %v", ns)
	}
}

var _ = testenv.Start
var _ = http.StatusOK

func TestFieldValidation(t *testing.T) {
	c := start(t)
	base := "/api/v1/namespaces/default/configmaps"
	body := `{"metadata":{"name":"fv","labelz":{}},"data":{"a":"1"},"data":{"b":"2"},"extra":1}`
	c.status(400, "BadRequest",
		`ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "metadata.labelz", duplicate field "data", unknown field "extra"`,
		"POST", base+"?fieldValidation=Strict", body)
	r := c.do("POST", base, body)
	if r.code != 201 {
		t.Fatalf("warn mode: %d %s", r.code, r.body)
	}
	warnings := r.header.Values("Warning")
	if len(warnings) != 3 || warnings[0] != `299 - "unknown field \"metadata.labelz\""` {
		t.Fatalf("warnings %q", warnings)
	}
	r = c.do("PUT", base+"/fv?fieldValidation=Ignore", body)
	if r.code != 200 || len(r.header.Values("Warning")) != 0 {
		t.Fatalf("ignore mode: %d %v", r.code, r.header)
	}
	c.status(422, "Invalid",
		`CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Loose": supported values: "", "Ignore", "Strict", "Warn"`,
		"POST", base+"?fieldValidation=Loose", body)
	// A patch names its unknown fields as a 422 about the patch.
	c.status(422, "Invalid",
		` "" is invalid: patch: Invalid value: "map[extra:1]": strict decoding error: unknown field "extra"`,
		"PATCH", base+"/fv?fieldValidation=Strict", `{"extra":1}`, "Content-Type", "application/strategic-merge-patch+json")
}

func TestProtobufBodies(t *testing.T) {
	c := start(t)
	// A body that is not protobuf at all.
	c.status(400, "BadRequest", "", "POST", "/api/v1/namespaces/default/configmaps", `{}`, "Content-Type", "application/vnd.kubernetes.protobuf")
}

// TestEndpointsDeprecationWarning: upstream 1.33+ warns on every v1 Endpoints request, and
// kubectl prints the warning, so Skiff (which reports 1.33) sends it too.
func TestEndpointsDeprecationWarning(t *testing.T) {
	env := testenv.Start(t)
	resp, err := http.Get(env.URL + "/api/v1/namespaces/default/endpoints")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := `299 - "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"`
	if got := resp.Header.Get("Warning"); got != want {
		t.Errorf("Warning header = %q, want %q", got, want)
	}
	resp, err = http.Get(env.URL + "/api/v1/namespaces/default/configmaps")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Warning"); got != "" {
		t.Errorf("configmaps list warns %q", got)
	}
}

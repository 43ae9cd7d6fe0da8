package apiserver_test

import (
	"fmt"
	"net/url"
	"strconv"
	"testing"
	"time"
)

func TestWatchFromResourceVersion(t *testing.T) {
	c := start(t)
	base := "/api/v1/namespaces/default/configmaps"
	list := c.must(200, "GET", base, nil)
	rv := str(list, "metadata", "resourceVersion")

	w := c.watch(base + "?watch=true&resourceVersion=" + rv)
	a := c.must(201, "POST", base, configMap("a", map[string]string{"k": "1"}))
	ev := w.expect("ADDED", "a")
	if get(ev, "object", "kind") != "ConfigMap" || get(ev, "object", "apiVersion") != "v1" {
		t.Errorf("watch objects carry kind and apiVersion: %v", ev)
	}
	if str(ev, "object", "metadata", "resourceVersion") != str(a, "metadata", "resourceVersion") {
		t.Errorf("event resourceVersion %v, created %v", str(ev, "object", "metadata", "resourceVersion"), str(a, "metadata", "resourceVersion"))
	}
	a["data"] = map[string]any{"k": "2"}
	c.must(200, "PUT", base+"/a", a)
	ev = w.expect("MODIFIED", "a")
	if str(ev, "object", "data", "k") != "2" {
		t.Errorf("modified object: %v", ev)
	}
	c.must(200, "DELETE", base+"/a", nil)
	ev = w.expect("DELETED", "a")
	if str(ev, "object", "data", "k") != "2" {
		t.Errorf("deleted object carries its last state: %v", ev)
	}
	delRV, _ := strconv.Atoi(str(ev, "object", "metadata", "resourceVersion"))

	// Resuming from the middle replays what came after.
	w2 := c.watch(base + "?watch=true&resourceVersion=" + rv)
	w2.expect("ADDED", "a")
	w2.expect("MODIFIED", "a")
	ev = w2.expect("DELETED", "a")
	if n, _ := strconv.Atoi(str(ev, "object", "metadata", "resourceVersion")); n != delRV {
		t.Errorf("replayed delete at %d, want %d", n, delRV)
	}
	w2.quiet(200 * time.Millisecond)
}

func TestWatchInitialStateAndOlderPaths(t *testing.T) {
	c := start(t)
	base := "/api/v1/namespaces/default/configmaps"
	c.must(201, "POST", base, configMap("one", nil))
	c.must(201, "POST", base, configMap("two", nil))

	// resourceVersion unset: the current objects as ADDED first.
	w := c.watch(base + "?watch=1")
	w.expect("ADDED", "one")
	w.expect("ADDED", "two")
	w.quiet(100 * time.Millisecond)
	c.must(201, "POST", base, configMap("three", nil))
	w.expect("ADDED", "three")

	// The /watch/ path of one object.
	w1 := c.watch("/api/v1/watch/namespaces/default/configmaps/two")
	w1.expect("ADDED", "two")
	c.must(200, "DELETE", base+"/one", nil)
	c.must(200, "DELETE", base+"/two", nil)
	w1.expect("DELETED", "two")

	// All namespaces.
	wall := c.watch("/api/v1/configmaps?watch=true&resourceVersion=0")
	wall.expect("ADDED", "three")
}

func TestWatchList(t *testing.T) {
	c := start(t)
	base := "/api/v1/namespaces/default/configmaps"
	c.must(201, "POST", base, configMap("one", nil))
	w := c.watch(base + "?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true")
	w.expect("ADDED", "one")
	bm := w.expect("BOOKMARK", "")
	if str(bm, "object", "metadata", "annotations", "k8s.io/initial-events-end") != "true" || get(bm, "object", "kind") != "ConfigMap" {
		t.Fatalf("initial-events-end bookmark: %v", bm)
	}
	rv, _ := strconv.Atoi(str(bm, "object", "metadata", "resourceVersion"))
	two := c.must(201, "POST", base, configMap("two", nil))
	w.expect("ADDED", "two")
	if n, _ := strconv.Atoi(str(two, "metadata", "resourceVersion")); n <= rv {
		t.Errorf("bookmark revision %d not before the next change %d", rv, n)
	}

	c.status(422, "Invalid", `ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan`,
		"GET", base+"?watch=true&sendInitialEvents=true", nil)
	c.status(422, "Invalid", `ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list`,
		"GET", base+"?sendInitialEvents=true", nil)
}

func TestWatchSelectors(t *testing.T) {
	c := start(t)
	base := "/api/v1/namespaces/default/configmaps"
	cm := configMap("sel", nil)
	cm["metadata"].(map[string]any)["labels"] = map[string]any{"app": "x"}
	created := c.must(201, "POST", base, cm)
	rv := str(created, "metadata", "resourceVersion")

	w := c.watch(base + "?watch=true&labelSelector=app%3Dy&resourceVersion=" + rv)
	// Starts matching: ADDED.
	created["metadata"].(map[string]any)["labels"] = map[string]any{"app": "y"}
	updated := c.must(200, "PUT", base+"/sel", created)
	w.expect("ADDED", "sel")
	// Still matching: MODIFIED.
	updated["data"] = map[string]any{"a": "b"}
	updated = c.must(200, "PUT", base+"/sel", updated)
	w.expect("MODIFIED", "sel")
	// Stops matching: DELETED, at the revision of the change.
	updated["metadata"].(map[string]any)["labels"] = map[string]any{"app": "z"}
	last := c.must(200, "PUT", base+"/sel", updated)
	ev := w.expect("DELETED", "sel")
	if str(ev, "object", "metadata", "resourceVersion") != str(last, "metadata", "resourceVersion") {
		t.Errorf("DELETED at %s, change at %s", str(ev, "object", "metadata", "resourceVersion"), str(last, "metadata", "resourceVersion"))
	}
	c.must(200, "DELETE", base+"/sel", nil)
	w.quiet(200 * time.Millisecond)

	// Field selectors.
	fw := c.watch(base + "?watch=true&fieldSelector=" + url.QueryEscape("metadata.name=f1"))
	c.must(201, "POST", base, configMap("f2", nil))
	c.must(201, "POST", base, configMap("f1", nil))
	fw.expect("ADDED", "f1")
	c.status(400, "BadRequest", `"spec.nope" is not a known field selector: only "metadata.name", "metadata.namespace"`, "GET", base+"?watch=true&fieldSelector=spec.nope%3Dx", nil)
}

func TestWatchTimeoutAndBookmarks(t *testing.T) {
	c := start(t)
	base := "/api/v1/namespaces/default/configmaps"
	begin := time.Now()
	w := c.watch(base + "?watch=true&timeoutSeconds=1&allowWatchBookmarks=true&resourceVersion=1")
	var sawBookmark bool
	for ev := range w.events {
		if ev["type"] == "BOOKMARK" {
			sawBookmark = true
		}
	}
	if d := time.Since(begin); d < 900*time.Millisecond || d > 4*time.Second {
		t.Errorf("watch with timeoutSeconds=1 lasted %v", d)
	}
	if !sawBookmark {
		t.Errorf("no bookmark before the timeout")
	}
}

func TestWatchTooOldResourceVersion(t *testing.T) {
	c := start(t)
	base := "/api/v1/namespaces/default/configmaps"
	for i := range 5 {
		c.must(201, "POST", base, configMap(fmt.Sprintf("c%d", i), nil))
	}
	list := c.must(200, "GET", base, nil)
	rv, _ := strconv.ParseInt(str(list, "metadata", "resourceVersion"), 10, 64)
	if err := c.env.Server.Store().Compact(t.Context(), rv); err != nil {
		t.Fatal(err)
	}
	w := c.watch(base + "?watch=true&resourceVersion=2")
	ev := w.expect("ERROR", "")
	if get(ev, "object", "kind") != "Status" || get(ev, "object", "code") != float64(410) || get(ev, "object", "reason") != "Expired" {
		t.Fatalf("error event: %v", ev)
	}
	w.ended(2 * time.Second)

	c.status(410, "Expired", "The resourceVersion for the provided list is too old.",
		"GET", base+"?resourceVersion=2&resourceVersionMatch=Exact", nil)
}

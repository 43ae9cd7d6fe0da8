package apiserver_test

import (
	"fmt"
	"net/url"
	"strconv"
	"testing"
)

func TestListPaging(t *testing.T) {
	c := start(t)
	base := "/api/v1/namespaces/default/configmaps"
	for i := range 7 {
		c.must(201, "POST", base, configMap(fmt.Sprintf("c%d", i), nil))
	}
	page := c.must(200, "GET", base+"?limit=3", nil)
	if got := names(page); len(got) != 3 || got[0] != "c0" {
		t.Fatalf("first page %v", got)
	}
	if n := get(page, "metadata", "remainingItemCount"); n != float64(4) {
		t.Errorf("remainingItemCount %v, want 4", n)
	}
	rv := str(page, "metadata", "resourceVersion")
	cont := str(page, "metadata", "continue")
	if cont == "" {
		t.Fatal("no continue token")
	}
	// A write between pages does not show: pages come from one snapshot.
	c.must(201, "POST", base, configMap("c3a", nil))
	page2 := c.must(200, "GET", base+"?limit=3&continue="+url.QueryEscape(cont), nil)
	if got := names(page2); len(got) != 3 || got[0] != "c3" || got[2] != "c5" {
		t.Fatalf("second page %v", got)
	}
	if str(page2, "metadata", "resourceVersion") != rv {
		t.Errorf("second page at %s, first at %s", str(page2, "metadata", "resourceVersion"), rv)
	}
	page3 := c.must(200, "GET", base+"?limit=3&continue="+url.QueryEscape(str(page2, "metadata", "continue")), nil)
	if got := names(page3); len(got) != 1 || got[0] != "c6" || str(page3, "metadata", "continue") != "" || get(page3, "metadata", "remainingItemCount") != nil {
		t.Fatalf("last page %v %v", got, page3["metadata"])
	}

	c.status(400, "BadRequest", "", "GET", base+"?continue=garbage!", nil)
	c.status(400, "BadRequest", "specifying resource version is not allowed when using continue",
		"GET", base+"?resourceVersion=5&continue="+url.QueryEscape(cont), nil)

	// Once the snapshot is compacted the token has expired.
	cur := c.must(200, "GET", base, nil)
	n, _ := strconv.ParseInt(str(cur, "metadata", "resourceVersion"), 10, 64)
	if err := c.env.Server.Store().Compact(t.Context(), n); err != nil {
		t.Fatal(err)
	}
	st := c.status(410, "Expired", "", "GET", base+"?limit=3&continue="+url.QueryEscape(cont), nil)
	if str(st, "metadata", "continue") == "" {
		t.Errorf("expired answer carries no inconsistent continue token: %v", st)
	}
	inconsistent := c.must(200, "GET", base+"?limit=3&continue="+url.QueryEscape(str(st, "metadata", "continue")), nil)
	if got := names(inconsistent); len(got) == 0 || got[0] != "c3" {
		t.Errorf("inconsistent continuation %v", got)
	}
}

func TestListSelectors(t *testing.T) {
	c := start(t)
	base := "/api/v1/namespaces/default/configmaps"
	for i := range 6 {
		cm := configMap(fmt.Sprintf("c%d", i), nil)
		cm["metadata"].(map[string]any)["labels"] = map[string]any{"parity": []string{"even", "odd"}[i%2]}
		c.must(201, "POST", base, cm)
	}
	odd := c.must(200, "GET", base+"?labelSelector=parity%3Dodd", nil)
	if got := names(odd); len(got) != 3 || got[0] != "c1" {
		t.Fatalf("odd: %v", got)
	}
	// Paging with a selector fills each page with matching objects.
	p1 := c.must(200, "GET", base+"?labelSelector=parity%3Dodd&limit=2", nil)
	if got := names(p1); len(got) != 2 || got[1] != "c3" || get(p1, "metadata", "remainingItemCount") != nil {
		t.Fatalf("odd page 1: %v %v", got, p1["metadata"])
	}
	p2 := c.must(200, "GET", base+"?labelSelector=parity%3Dodd&limit=2&continue="+url.QueryEscape(str(p1, "metadata", "continue")), nil)
	if got := names(p2); len(got) != 1 || got[0] != "c5" {
		t.Fatalf("odd page 2: %v", got)
	}
	byName := c.must(200, "GET", base+"?fieldSelector=metadata.name%3Dc4", nil)
	if got := names(byName); len(got) != 1 || got[0] != "c4" {
		t.Fatalf("by name: %v", got)
	}
	notName := c.must(200, "GET", "/api/v1/configmaps?fieldSelector=metadata.name!%3Dc4,metadata.namespace%3Ddefault", nil)
	if got := names(notName); len(got) != 5 {
		t.Fatalf("not by name: %v", got)
	}
	// ConfigMaps have no field labels of their own: upstream answers with the generic message.
	c.status(400, "BadRequest", `"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"`, "GET", base+"?fieldSelector=data.x%3D1", nil)
	c.status(400, "BadRequest", "", "GET", base+"?labelSelector=a%20in%20(", nil)
}

func TestListResourceVersions(t *testing.T) {
	c := start(t)
	base := "/api/v1/namespaces/default/configmaps"
	first := c.must(201, "POST", base, configMap("a", nil))
	rvA := str(first, "metadata", "resourceVersion")
	c.must(201, "POST", base, configMap("b", nil))

	exact := c.must(200, "GET", base+"?resourceVersion="+rvA+"&resourceVersionMatch=Exact", nil)
	if got := names(exact); len(got) != 1 || got[0] != "a" || str(exact, "metadata", "resourceVersion") != rvA {
		t.Fatalf("exact list at %s: %v", rvA, exact)
	}
	any0 := c.must(200, "GET", base+"?resourceVersion=0", nil)
	if len(names(any0)) > 2 {
		t.Fatalf("rv=0 list %v", names(any0))
	}
	notOlder := c.must(200, "GET", base+"?resourceVersion="+rvA+"&resourceVersionMatch=NotOlderThan", nil)
	if len(names(notOlder)) != 2 {
		t.Fatalf("not-older-than list %v", names(notOlder))
	}
	st := c.status(504, "Timeout", "", "GET", base+"?resourceVersion=999999&resourceVersionMatch=NotOlderThan", nil)
	if get(st, "details", "causes", 0, "reason") != "ResourceVersionTooLarge" {
		t.Errorf("too large: %v", st)
	}
	c.status(422, "Invalid", `ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided`,
		"GET", base+"?resourceVersionMatch=Exact", nil)

	// Gets follow the same rules.
	c.must(200, "GET", base+"/a?resourceVersion=0", nil)
	c.must(200, "GET", base+"/b?resourceVersion="+rvA, nil)
}

package registry

import (
	"encoding/json"
	"slices"
	"testing"
)

// upstreamResource is one entry of testdata/discovery.json: the discovery facts of
// kube-apiserver v1.37.2 (from its api/discovery fixtures) for the resources Skiff serves,
// with the names of their subresources.
type upstreamResource struct {
	GroupVersion       string   `json:"groupVersion"`
	Name               string   `json:"name"`
	SingularName       string   `json:"singularName"`
	Namespaced         bool     `json:"namespaced"`
	Kind               string   `json:"kind"`
	Verbs              []string `json:"verbs"`
	ShortNames         []string `json:"shortNames"`
	Categories         []string `json:"categories"`
	StorageVersionHash string   `json:"storageVersionHash"`
	Subresources       []string `json:"subresources"`
}

// unservedSubresources are the upstream subresources the Resource contract cannot describe
// (served, if at all, by dedicated handlers). Listed so the test notices new ones.
var unservedSubresources = map[string][]string{
	"namespaces":      {"finalize"},
	"nodes":           {"proxy"},
	"pods":            {"attach", "binding", "ephemeralcontainers", "eviction", "exec", "log", "portforward", "proxy", "resize"},
	"serviceaccounts": {"token"},
	"services":        {"proxy"},
}

func TestAllMatchesUpstreamDiscovery(t *testing.T) {
	var want []upstreamResource
	if err := json.Unmarshal(readFile(t, "testdata/discovery.json"), &want); err != nil {
		t.Fatal(err)
	}
	got := All()
	if len(got) != len(want) {
		t.Fatalf("All() has %d resources, upstream fixture %d", len(got), len(want))
	}
	for i, w := range want {
		r := got[i]
		id := w.GroupVersion + " " + w.Name
		if r.GroupVersion() != w.GroupVersion || r.Name != w.Name {
			t.Errorf("resource %d: got %s %s, want %s (discovery order)", i, r.GroupVersion(), r.Name, id)
			continue
		}
		check := func(field string, got, want any) {
			if gj, wj := mustJSON(got), mustJSON(want); gj != wj {
				t.Errorf("%s %s: got %s, want %s", id, field, gj, wj)
			}
		}
		check("singularName", r.SingularName, w.SingularName)
		check("namespaced", r.Namespaced, w.Namespaced)
		check("kind", r.Kind, w.Kind)
		check("verbs", r.Verbs, w.Verbs)
		check("shortNames", nilIfEmpty(r.ShortNames), nilIfEmpty(w.ShortNames))
		check("categories", nilIfEmpty(r.Categories), nilIfEmpty(w.Categories))
		check("storageVersionHash", r.StorageVersionHash(), w.StorageVersionHash)
		if r.ListKind != r.Kind+"List" {
			t.Errorf("%s: listKind %q", id, r.ListKind)
		}
		if r.New == nil || r.Strategy == nil {
			t.Errorf("%s: New or Strategy missing", id)
		}

		var served []string
		if r.Status {
			served = append(served, "status")
		}
		if r.Scale != nil {
			served = append(served, "scale")
		}
		served = append(served, unservedSubresources[r.Name]...)
		slices.Sort(served)
		check("subresources", nilIfEmpty(served), nilIfEmpty(w.Subresources))
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func TestAllReturnsFreshValues(t *testing.T) {
	a := All()
	a[0].Verbs[0] = "changed"
	a[0].Name = "changed"
	b := All()
	if b[0].Verbs[0] != "create" || b[0].Name == "changed" {
		t.Fatal("All() shares state between calls")
	}
}

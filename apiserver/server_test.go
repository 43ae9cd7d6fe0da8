package apiserver_test

import (
	"strings"
	"testing"
)

func TestDiscovery(t *testing.T) {
	c := start(t)
	api := c.must(200, "GET", "/api", nil)
	if api["kind"] != "APIVersions" || get(api, "versions", 0) != "v1" || str(api, "serverAddressByClientCIDRs", 0, "clientCIDR") != "0.0.0.0/0" {
		t.Fatalf("/api: %v", api)
	}
	core := c.must(200, "GET", "/api/v1", nil)
	if core["kind"] != "APIResourceList" || core["groupVersion"] != "v1" {
		t.Fatalf("/api/v1: %v", core)
	}
	byName := map[string]map[string]any{}
	for _, r := range core["resources"].([]any) {
		byName[str(r, "name")] = r.(map[string]any)
	}
	p := byName["pods"]
	if p == nil || p["kind"] != "Pod" || p["namespaced"] != true || p["singularName"] != "pod" || get(p, "shortNames", 0) != "po" ||
		get(p, "categories", 0) != "all" || str(p, "storageVersionHash") == "" {
		t.Fatalf("pods: %v", p)
	}
	if byName["pods/status"] == nil || byName["pods/binding"] == nil || byName["namespaces/finalize"] == nil {
		t.Fatalf("subresources missing: %v", byName)
	}
	groups := c.must(200, "GET", "/apis", nil)
	if groups["kind"] != "APIGroupList" || groups["apiVersion"] != "v1" {
		t.Fatalf("/apis: %v", groups)
	}
	var apps map[string]any
	for _, g := range groups["groups"].([]any) {
		if str(g, "name") == "apps" {
			apps = g.(map[string]any)
		}
	}
	if apps == nil || str(apps, "preferredVersion", "groupVersion") != "apps/v1" {
		t.Fatalf("apps group: %v", apps)
	}
	g := c.must(200, "GET", "/apis/autoscaling", nil)
	if str(g, "preferredVersion", "version") != "v2" {
		t.Fatalf("autoscaling prefers %v", g["preferredVersion"])
	}
	rl := c.must(200, "GET", "/apis/apps/v1", nil)
	found := false
	for _, r := range rl["resources"].([]any) {
		if str(r, "name") == "deployments/scale" {
			found = str(r, "group") == "autoscaling" && str(r, "version") == "v1" && str(r, "kind") == "Scale"
		}
	}
	if !found {
		t.Fatalf("deployments/scale: %v", rl)
	}
}

func TestVersionHealthAndMetrics(t *testing.T) {
	c := start(t)
	v := c.must(200, "GET", "/version", nil)
	if v["major"] != "1" || !strings.HasPrefix(str(v, "gitVersion"), "v1.") || str(v, "platform") == "" {
		t.Fatalf("version: %v", v)
	}
	for _, ep := range []string{"/healthz", "/livez", "/readyz"} {
		r := c.do("GET", ep+"?verbose", nil)
		if r.code != 200 || !strings.Contains(string(r.body), "[+]ping ok") || !strings.Contains(string(r.body), "[+]etcd ok") ||
			!strings.Contains(string(r.body), "check passed") {
			t.Errorf("%s?verbose: %d %s", ep, r.code, r.body)
		}
	}
	if r := c.do("GET", "/readyz/etcd", nil); r.code != 200 || string(r.body) != "ok" {
		t.Errorf("/readyz/etcd: %d %s", r.code, r.body)
	}
	c.must(200, "GET", "/api/v1/namespaces/default/configmaps", nil)
	r := c.do("GET", "/metrics", nil)
	body := string(r.body)
	for _, want := range []string{
		`apiserver_request_total{code="200",component="apiserver",group="",resource="configmaps",scope="namespace",subresource="",verb="LIST",version="v1"}`,
		"apiserver_request_duration_seconds_bucket",
		"etcd_request_duration_seconds_bucket",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

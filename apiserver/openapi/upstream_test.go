package openapi

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/skiff-k8s/skiff/apiserver/registry"
)

// recordFrom names upstream's /openapi/v2 JSON (fetched from a real kube-apiserver) to
// rewrite testdata/upstream-definitions.json from, instead of testing.
var recordFrom = flag.String("record-from", "", "upstream /openapi/v2 JSON to record the definitions summary from")

const upstreamSummary = "testdata/upstream-definitions.json"

// definitionSummary is what the test compares of a definition: its type, required
// properties, each property's type and extensions, and its kinds (descriptions are
// Skiff's own words).
type definitionSummary struct {
	Type       string            `json:"type"`
	Required   []string          `json:"required,omitempty"`
	Properties map[string]string `json:"properties,omitempty"`
	Kinds      []string          `json:"kinds,omitempty"`
}

// knownGaps are upstream properties Skiff's types do not have yet (api/meta/v1).
var knownGaps = map[string]bool{
	"io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions.ignoreStoreReadErrorWithClusterBreakingPotential": true,
	"io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta.shardInfo":                                             true,
}

// TestDefinitionsMatchUpstream compares every definition Skiff renders with upstream's
// (recorded from a real kube-apiserver 1.37): same properties, types, formats, references,
// required fields and list and patch extensions. Kinds are compared for the served group
// versions only (upstream lists every group's).
func TestDefinitionsMatchUpstream(t *testing.T) {
	s := buildSpec(registry.All(), "1.33")
	ours := summarize(s.v2()["definitions"].(map[string]any))
	if *recordFrom != "" {
		recordSummary(t, ours)
		return
	}
	data, err := os.ReadFile(upstreamSummary)
	if err != nil {
		t.Fatal(err)
	}
	var upstream map[string]definitionSummary
	if err := json.Unmarshal(data, &upstream); err != nil {
		t.Fatal(err)
	}
	for name, want := range upstream {
		got, ok := ours[name]
		if !ok {
			t.Errorf("%s: not rendered", name)
			continue
		}
		if got.Type != want.Type {
			t.Errorf("%s: type %q, upstream %q", name, got.Type, want.Type)
		}
		if !slices.Equal(got.Required, want.Required) {
			t.Errorf("%s: required %q, upstream %q", name, got.Required, want.Required)
		}
		for prop, wt := range want.Properties {
			if knownGaps[name+"."+prop] {
				continue
			}
			if gt, ok := got.Properties[prop]; !ok {
				t.Errorf("%s.%s: missing (upstream %s)", name, prop, wt)
			} else if gt != wt {
				t.Errorf("%s.%s: %s, upstream %s", name, prop, gt, wt)
			}
		}
		for prop, gt := range got.Properties {
			if _, ok := want.Properties[prop]; !ok {
				t.Errorf("%s.%s: %s, not in upstream's", name, prop, gt)
			}
		}
		for _, k := range got.Kinds {
			if !slices.Contains(want.Kinds, k) {
				t.Errorf("%s: kind %s, not upstream's (%v)", name, k, want.Kinds)
			}
		}
	}
	for name := range ours {
		if _, ok := upstream[name]; !ok {
			t.Errorf("%s: rendered, but upstream has no such definition", name)
		}
	}
}

// recordSummary writes upstream's summary of the definitions Skiff renders.
func recordSummary(t *testing.T, ours map[string]definitionSummary) {
	data, err := os.ReadFile(*recordFrom)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Definitions map[string]any `json:"definitions"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	all := summarize(doc.Definitions)
	out := map[string]definitionSummary{}
	for name := range ours {
		if d, ok := all[name]; ok {
			out[name] = d
		}
	}
	b, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(upstreamSummary, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

func summarize(defs map[string]any) map[string]definitionSummary {
	out := map[string]definitionSummary{}
	for name, d := range defs {
		m := d.(map[string]any)
		s := definitionSummary{Type: propertyType(map[string]any{"type": m["type"], "format": m["format"]})}
		for _, r := range asList(m["required"]) {
			s.Required = append(s.Required, r.(string))
		}
		sort.Strings(s.Required)
		if props, ok := m["properties"].(map[string]any); ok {
			s.Properties = map[string]string{}
			for p, v := range props {
				s.Properties[p] = propertyType(v.(map[string]any))
			}
		}
		for _, g := range asList(m["x-kubernetes-group-version-kind"]) {
			g := toMap(g)
			s.Kinds = append(s.Kinds, fmt.Sprintf("%s/%s/%s", g["group"], g["version"], g["kind"]))
		}
		sort.Strings(s.Kinds)
		out[name] = s
	}
	return out
}

// propertyType renders a property schema compactly: "integer/int32", "ref:<def>",
// "array<ref:<def>>", "map<string>", then its list and patch extensions.
func propertyType(p map[string]any) string {
	var t string
	switch {
	case p["$ref"] != nil:
		t = "ref:" + strings.TrimPrefix(p["$ref"].(string), "#/definitions/")
	case p["type"] == "array":
		t = "array<" + propertyType(toMap(p["items"])) + ">"
	case p["type"] == "object" && p["additionalProperties"] != nil:
		t = "map<" + propertyType(toMap(p["additionalProperties"])) + ">"
	default:
		t, _ = p["type"].(string)
		if f, _ := p["format"].(string); f != "" {
			t += "/" + f
		}
	}
	for _, ext := range []string{"list-type", "list-map-keys", "patch-merge-key", "patch-strategy"} {
		v, ok := p["x-kubernetes-"+ext]
		if !ok {
			continue
		}
		var parts []string
		for _, x := range asList(v) {
			parts = append(parts, fmt.Sprint(x))
		}
		if parts == nil {
			parts = []string{fmt.Sprint(v)}
		}
		t += " " + ext + "=" + strings.Join(parts, ",")
	}
	return t
}

// asList and toMap read values that are either decoded JSON or Skiff's own Go values.
func asList(v any) []any {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.Slice {
		return nil
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out
}

func toMap(v any) map[string]any {
	if m, ok := v.(map[string]any); ok {
		return m
	}
	b, _ := json.Marshal(v)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

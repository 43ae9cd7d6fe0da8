package openapi

import (
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/apiserver/registry"
)

// spec is the whole API: every path and every definition, before rendering.
type spec struct {
	title, version string
	paths          []pathItem
	defs           map[string]*Definition
	// groupVersions maps each v3 document ("api/v1", "apis/apps/v1", "apis") to the
	// paths it holds.
	groupVersions map[string][]pathItem
}

// buildSpec collects the paths of every resource and the definitions they reach.
func buildSpec(resources []*registry.Resource, version string) *spec {
	b := newBuilder()
	s := &spec{title: "Kubernetes", version: version, groupVersions: map[string][]pathItem{}}
	add := func(doc string, items ...pathItem) {
		s.paths = append(s.paths, items...)
		s.groupVersions[doc] = append(s.groupVersions[doc], items...)
	}

	var groups []string
	seenGV := map[string]bool{}
	for _, r := range resources {
		doc := "api/" + r.Version
		if r.Group != "" {
			doc = "apis/" + r.Group + "/" + r.Version
			if !slices.Contains(groups, r.Group) {
				groups = append(groups, r.Group)
			}
		}
		if !seenGV[doc] {
			seenGV[doc] = true
			add(doc, discoveryPath(b, r.Group, r.Version))
		}
		add(doc, resourcePaths(b, r)...)
	}

	// The documents of the discovery endpoints themselves.
	if seenGV["api/v1"] {
		add("api", discoveryRoot(b, "/api/", "getCoreAPIVersions", "core", reflect.TypeFor[metav1.APIVersions]()))
	}
	if len(groups) > 0 {
		add("apis", discoveryRoot(b, "/apis/", "getAPIVersions", "apis", reflect.TypeFor[metav1.APIGroupList]()))
	}
	for _, g := range groups {
		add("apis/"+g, discoveryRoot(b, "/apis/"+g+"/", "get"+groupTitle(g)+"APIGroup", groupTag(g), reflect.TypeFor[metav1.APIGroup]()))
	}
	s.defs = b.finish()
	return s
}

// discoveryRoot is the path of a version or group discovery document.
func discoveryRoot(b *builder, path, id, tag string, t reflect.Type) pathItem {
	def := b.define(t)
	return pathItem{path: path, ops: []operation{{
		method: "get", id: id, description: "get the available API versions or groups", tag: tag,
		consumes: objectMediaTypes, responses: []response{{"200", "OK", def}, unauthorized},
	}}}
}

// reachable returns the definitions the paths refer to, with everything those refer to.
func (s *spec) reachable(paths []pathItem) []string {
	seen := map[string]bool{}
	var visit func(name string)
	var walk func(sc *Schema)
	walk = func(sc *Schema) {
		if sc == nil {
			return
		}
		if sc.Ref != "" {
			visit(sc.Ref)
		}
		for _, p := range sc.Properties {
			walk(p.Schema)
		}
		walk(sc.Items)
		walk(sc.AdditionalProperties)
		for _, o := range sc.OneOf {
			walk(o)
		}
	}
	visit = func(name string) {
		if seen[name] || name == "" {
			return
		}
		seen[name] = true
		if d := s.defs[name]; d != nil {
			walk(d.Schema)
		}
	}
	for _, p := range paths {
		for _, o := range p.ops {
			visit(o.body)
			for _, r := range o.responses {
				visit(r.schema)
			}
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Swagger 2.0

func (s *spec) v2() map[string]any {
	paths := map[string]any{}
	for _, p := range s.paths {
		paths[p.path] = p.jsonV2()
	}
	defs := map[string]any{}
	for name, d := range s.defs {
		defs[name] = d.Schema.jsonV2()
	}
	return map[string]any{
		"swagger":     "2.0",
		"info":        map[string]any{"title": s.title, "version": s.version},
		"paths":       paths,
		"definitions": defs,
	}
}

func (p pathItem) jsonV2() map[string]any {
	m := map[string]any{}
	for _, o := range p.ops {
		m[o.method] = o.jsonV2()
	}
	if len(p.params) > 0 {
		m["parameters"] = paramsV2(p.params)
	}
	return m
}

func (o operation) jsonV2() map[string]any {
	m := map[string]any{
		"description": o.description,
		"operationId": o.id,
		"tags":        []string{o.tag},
		"consumes":    o.requestTypes(),
		"produces":    o.responseTypes(),
	}
	var params []any
	if o.body != "" {
		body := map[string]any{"name": "body", "in": "body", "schema": map[string]any{"$ref": "#/definitions/" + o.body}}
		if !o.bodyOptional {
			body["required"] = true
		}
		params = append(params, body)
	}
	params = append(params, paramsV2(o.params)...)
	if len(params) > 0 {
		m["parameters"] = params
	}
	responses := map[string]any{}
	for _, r := range o.responses {
		rm := map[string]any{"description": r.description}
		if r.schema != "" {
			rm["schema"] = map[string]any{"$ref": "#/definitions/" + r.schema}
		}
		responses[r.code] = rm
	}
	m["responses"] = responses
	o.extensions(m)
	return m
}

func (o operation) extensions(m map[string]any) {
	if o.action != "" {
		m["x-kubernetes-action"] = o.action
	}
	if o.gvk.Kind != "" {
		m["x-kubernetes-group-version-kind"] = o.gvk
	}
}

func (o operation) requestTypes() []string {
	if o.consumes != nil {
		return o.consumes
	}
	return []string{"*/*"}
}

func (o operation) responseTypes() []string {
	if o.watch {
		return append(slices.Clone(objectMediaTypes), watchMediaTypes...)
	}
	return objectMediaTypes
}

// sortedParams orders parameters by name, as upstream lists them.
func sortedParams(ps []param) []param {
	out := slices.Clone(ps)
	sort.SliceStable(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func paramsV2(ps []param) []any {
	var out []any
	for _, p := range sortedParams(ps) {
		m := map[string]any{"name": p.name, "in": p.in, "type": p.typ, "description": p.description}
		if p.required {
			m["required"] = true
		}
		if p.in == "query" {
			m["uniqueItems"] = true
		}
		out = append(out, m)
	}
	return out
}

// OpenAPI 3.0

// v3 is the document of one group version (or of a discovery root).
func (s *spec) v3(doc string) map[string]any {
	items := s.groupVersions[doc]
	paths := map[string]any{}
	for _, p := range items {
		paths[p.path] = p.jsonV3()
	}
	schemas := map[string]any{}
	for _, name := range s.reachable(items) {
		d := s.defs[name]
		sc := d.Schema
		if d.V3 != nil {
			sc = d.V3
			sc.Extensions = d.Schema.Extensions
		}
		schemas[name] = sc.jsonV3()
	}
	return map[string]any{
		"openapi":    "3.0.0",
		"info":       map[string]any{"title": s.title, "version": s.version},
		"paths":      paths,
		"components": map[string]any{"schemas": schemas},
	}
}

func (p pathItem) jsonV3() map[string]any {
	m := map[string]any{}
	for _, o := range p.ops {
		m[o.method] = o.jsonV3()
	}
	if len(p.params) > 0 {
		m["parameters"] = paramsV3(p.params)
	}
	return m
}

func (o operation) jsonV3() map[string]any {
	m := map[string]any{
		"description": o.description,
		"operationId": o.id,
		"tags":        []string{o.tag},
	}
	if params := paramsV3(o.params); len(params) > 0 {
		m["parameters"] = params
	}
	if o.body != "" {
		content := map[string]any{}
		for _, mt := range o.requestTypes() {
			content[mt] = map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/" + o.body}}
		}
		body := map[string]any{"content": content}
		if !o.bodyOptional {
			body["required"] = true
		}
		m["requestBody"] = body
	}
	responses := map[string]any{}
	for _, r := range o.responses {
		rm := map[string]any{"description": r.description}
		if r.schema != "" {
			content := map[string]any{}
			for _, mt := range o.responseTypes() {
				content[mt] = map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/" + r.schema}}
			}
			rm["content"] = content
		}
		responses[r.code] = rm
	}
	m["responses"] = responses
	o.extensions(m)
	return m
}

func paramsV3(ps []param) []any {
	var out []any
	for _, p := range sortedParams(ps) {
		schema := map[string]any{"type": p.typ}
		if p.in == "query" {
			schema["uniqueItems"] = true
		}
		m := map[string]any{"name": p.name, "in": p.in, "description": p.description, "schema": schema}
		if p.required {
			m["required"] = true
		}
		out = append(out, m)
	}
	return out
}

// rendered is a document's bytes and its content hash (upstream's: SHA-512, uppercase hex).
type rendered struct {
	body []byte
	hash string
}

func render(v any) (rendered, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return rendered{}, fmt.Errorf("render OpenAPI document: %w", err)
	}
	sum := sha512.Sum512(b)
	return rendered{body: b, hash: strings.ToUpper(hex.EncodeToString(sum[:]))}, nil
}

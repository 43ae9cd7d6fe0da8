package openapi

// Schema is one JSON schema, in the subset Kubernetes' documents use. The same value renders
// as Swagger 2.0 or OpenAPI 3.0 (see render); where the two differ (references with
// siblings, oneOf, defaults) the renderer decides.
type Schema struct {
	// Ref names a definition ("io.k8s.api.core.v1.PodSpec"); the other fields of a
	// referencing schema only describe the use (description, default, extensions).
	Ref         string
	Description string
	Type        string
	Format      string
	Required    []string
	Properties  []Property // in name order
	Items       *Schema
	// AdditionalProperties is the schema of a map's values.
	AdditionalProperties *Schema
	// OneOf lists alternatives (OpenAPI 3 only: Quantity is a string or a number).
	OneOf []*Schema
	// Default is the value an omitted field takes (OpenAPI 3 only); nil for none.
	Default any
	// Extensions are the x-kubernetes-* fields, in name order.
	Extensions []Extension
}

// Property is one named property of an object schema.
type Property struct {
	Name   string
	Schema *Schema
}

// Extension is a vendor extension: its value is a string, a []string, or a
// []GroupVersionKind (x-kubernetes-group-version-kind), or a single GroupVersionKind on
// operations.
type Extension struct {
	Name  string
	Value any
}

// GroupVersionKind is the value of x-kubernetes-group-version-kind.
type GroupVersionKind struct {
	Group   string `json:"group"`
	Kind    string `json:"kind"`
	Version string `json:"version"`
}

// Definition is a named schema. V3, when set, replaces Schema in OpenAPI 3 documents (the
// few types whose JSON form differs between the two).
type Definition struct {
	Name   string
	Schema *Schema
	V3     *Schema
}

// addExtension adds an extension, keeping them in name order.
func (s *Schema) addExtension(name string, value any) {
	i := 0
	for i < len(s.Extensions) && s.Extensions[i].Name < name {
		i++
	}
	s.Extensions = append(s.Extensions, Extension{})
	copy(s.Extensions[i+1:], s.Extensions[i:])
	s.Extensions[i] = Extension{Name: name, Value: value}
}

// jsonV2 renders s as a Swagger 2.0 schema object.
func (s *Schema) jsonV2() map[string]any {
	m := map[string]any{}
	if s.Ref != "" {
		m["$ref"] = "#/definitions/" + s.Ref
	}
	s.common(m, (*Schema).jsonV2)
	return m
}

// jsonV3 renders s as an OpenAPI 3.0 schema object. A property that refers to a
// definition wraps the reference in allOf, as upstream does (in 3.0 a $ref's siblings, the
// description and default, would be ignored); items and map values refer directly.
func (s *Schema) jsonV3() map[string]any { return s.renderV3(false) }

func (s *Schema) renderV3(property bool) map[string]any {
	m := map[string]any{}
	if s.Ref != "" {
		ref := map[string]any{"$ref": "#/components/schemas/" + s.Ref}
		if !property && s.Description == "" && s.Default == nil && len(s.Extensions) == 0 {
			return ref
		}
		m["allOf"] = []any{ref}
	}
	if s.Default != nil {
		m["default"] = s.Default
	}
	if len(s.OneOf) > 0 {
		var alts []any
		for _, o := range s.OneOf {
			alts = append(alts, o.jsonV3())
		}
		m["oneOf"] = alts
	}
	if len(s.Properties) > 0 {
		props := map[string]any{}
		for _, p := range s.Properties {
			props[p.Name] = p.Schema.renderV3(true)
		}
		m["properties"] = props
	}
	s.common(m, (*Schema).jsonV3)
	return m
}

// common renders what both versions write the same way; sub renders nested schemas.
func (s *Schema) common(m map[string]any, sub func(*Schema) map[string]any) {
	if s.Description != "" {
		m["description"] = s.Description
	}
	if s.Type != "" {
		m["type"] = s.Type
	}
	if s.Format != "" {
		m["format"] = s.Format
	}
	if len(s.Required) > 0 {
		m["required"] = s.Required
	}
	if len(s.Properties) > 0 && m["properties"] == nil {
		props := map[string]any{}
		for _, p := range s.Properties {
			props[p.Name] = sub(p.Schema)
		}
		m["properties"] = props
	}
	if s.Items != nil {
		m["items"] = sub(s.Items)
	}
	if s.AdditionalProperties != nil {
		m["additionalProperties"] = sub(s.AdditionalProperties)
	}
	for _, e := range s.Extensions {
		m[e.Name] = e.Value
	}
}

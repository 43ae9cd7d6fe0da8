package openapi

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"
)

// The Swagger 2.0 document as the protobuf message kubectl asks for with
// "Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf": gnostic's
// openapi.v2.Document (github.com/google/gnostic-models, OpenAPIv2.proto), written field by
// field with protowire. The field numbers below are that file's. Vendor extension values
// travel as YAML text (NamedAny.value.yaml), as gnostic stores them.

// Field numbers of the gnostic messages used.
const (
	docSwagger, docInfo, docPaths, docDefinitions = 1, 2, 8, 9
	infoTitle, infoVersion                        = 1, 2
	pathsPath                                     = 2 // Paths.path: repeated NamedPathItem
	namedName, namedValue                         = 1, 2

	pathGet, pathPut, pathPost, pathDelete, pathPatch, pathParameters = 2, 3, 4, 5, 8, 9

	opTags, opDescription, opID, opProduces, opConsumes, opParameters, opResponses, opExtension = 1, 3, 5, 6, 7, 8, 9, 13

	paramsItemParameter           = 1 // ParametersItem.parameter
	parameterBody, parameterOther = 1, 2
	nonBodyQuery, nonBodyPath     = 3, 4

	bodyDescription, bodyName, bodyIn, bodyRequired, bodySchema = 1, 2, 3, 4, 5

	// QueryParameterSubSchema and PathParameterSubSchema share these numbers...
	subRequired, subIn, subDescription, subName = 1, 2, 3, 4
	// ...but not these.
	queryType, queryUniqueItems = 6, 20
	pathType                    = 5

	responsesCode                   = 1 // Responses.response_code: repeated NamedResponseValue
	responseValueResponse           = 1
	responseDescription, responseSc = 1, 2
	schemaItemSchema                = 1

	schemaRef, schemaFormat, schemaDescription, schemaRequired = 1, 2, 4, 19
	schemaAdditional, schemaType, schemaItems, schemaProps     = 21, 22, 23, 25
	schemaExtension                                            = 31
	additionalSchema, typeValue, itemsSchema, propsNamed       = 1, 1, 1, 1
	anyYAML                                                    = 2
)

// pb appends protobuf fields to a message.
type pb []byte

func (b pb) str(n protowire.Number, s string) pb {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, n, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func (b pb) msg(n protowire.Number, m pb) pb {
	b = protowire.AppendTag(b, n, protowire.BytesType)
	return protowire.AppendBytes(b, m)
}

func (b pb) boolean(n protowire.Number, v bool) pb {
	if !v {
		return b
	}
	b = protowire.AppendTag(b, n, protowire.VarintType)
	return protowire.AppendVarint(b, 1)
}

func (b pb) named(n protowire.Number, name string, value pb) pb {
	return b.msg(n, pb(nil).str(namedName, name).msg(namedValue, value))
}

// protoV2 encodes the Swagger 2.0 document.
func (s *spec) protoV2() []byte {
	var doc pb
	doc = doc.str(docSwagger, "2.0")
	doc = doc.msg(docInfo, pb(nil).str(infoTitle, s.title).str(infoVersion, s.version))
	var paths pb
	items := append([]pathItem(nil), s.paths...)
	sort.Slice(items, func(i, j int) bool { return items[i].path < items[j].path })
	for _, p := range items {
		paths = paths.named(pathsPath, p.path, p.proto())
	}
	doc = doc.msg(docPaths, paths)
	var defs pb
	names := make([]string, 0, len(s.defs))
	for n := range s.defs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		defs = defs.named(1, n, s.defs[n].Schema.proto())
	}
	return doc.msg(docDefinitions, defs)
}

func (p pathItem) proto() pb {
	var b pb
	fields := map[string]protowire.Number{"get": pathGet, "put": pathPut, "post": pathPost, "delete": pathDelete, "patch": pathPatch}
	for _, o := range p.ops {
		b = b.msg(fields[o.method], o.proto())
	}
	for _, prm := range sortedParams(p.params) {
		b = b.msg(pathParameters, prm.proto())
	}
	return b
}

func (o operation) proto() pb {
	var b pb
	b = b.str(opTags, o.tag).str(opDescription, o.description).str(opID, o.id)
	for _, t := range o.responseTypes() {
		b = b.str(opProduces, t)
	}
	for _, t := range o.requestTypes() {
		b = b.str(opConsumes, t)
	}
	if o.body != "" {
		body := pb(nil).str(bodyName, "body").str(bodyIn, "body").boolean(bodyRequired, !o.bodyOptional).
			msg(bodySchema, pb(nil).str(schemaRef, "#/definitions/"+o.body))
		b = b.msg(opParameters, pb(nil).msg(paramsItemParameter, pb(nil).msg(parameterBody, body)))
	}
	for _, prm := range sortedParams(o.params) {
		b = b.msg(opParameters, prm.proto())
	}
	var responses pb
	for _, r := range o.responses {
		resp := pb(nil).str(responseDescription, r.description)
		if r.schema != "" {
			resp = resp.msg(responseSc, pb(nil).msg(schemaItemSchema, pb(nil).str(schemaRef, "#/definitions/"+r.schema)))
		}
		responses = responses.named(responsesCode, r.code, pb(nil).msg(responseValueResponse, resp))
	}
	b = b.msg(opResponses, responses)
	if o.action != "" {
		b = b.named(opExtension, "x-kubernetes-action", pb(nil).str(anyYAML, yamlValue(o.action)))
	}
	if o.gvk.Kind != "" {
		b = b.named(opExtension, "x-kubernetes-group-version-kind", pb(nil).str(anyYAML, yamlValue(o.gvk)))
	}
	return b
}

// proto is the ParametersItem of a query or path parameter.
func (p param) proto() pb {
	sub := pb(nil).boolean(subRequired, p.required).str(subIn, p.in).str(subDescription, p.description).str(subName, p.name)
	var nonBody pb
	if p.in == "path" {
		nonBody = nonBody.msg(nonBodyPath, sub.str(pathType, p.typ))
	} else {
		nonBody = nonBody.msg(nonBodyQuery, sub.str(queryType, p.typ).boolean(queryUniqueItems, true))
	}
	return pb(nil).msg(paramsItemParameter, pb(nil).msg(parameterOther, nonBody))
}

func (s *Schema) proto() pb {
	var b pb
	if s.Ref != "" {
		b = b.str(schemaRef, "#/definitions/"+s.Ref)
	}
	b = b.str(schemaFormat, s.Format).str(schemaDescription, s.Description)
	for _, r := range s.Required {
		b = b.str(schemaRequired, r)
	}
	if s.AdditionalProperties != nil {
		b = b.msg(schemaAdditional, pb(nil).msg(additionalSchema, s.AdditionalProperties.proto()))
	}
	if s.Type != "" {
		b = b.msg(schemaType, pb(nil).str(typeValue, s.Type))
	}
	if s.Items != nil {
		b = b.msg(schemaItems, pb(nil).msg(itemsSchema, s.Items.proto()))
	}
	if len(s.Properties) > 0 {
		var props pb
		for _, p := range s.Properties {
			props = props.named(propsNamed, p.Name, p.Schema.proto())
		}
		b = b.msg(schemaProps, props)
	}
	for _, e := range s.Extensions {
		b = b.named(schemaExtension, e.Name, pb(nil).str(anyYAML, yamlValue(e.Value)))
	}
	return b
}

// yamlValue renders an extension value as the YAML gnostic keeps (keys sorted, a final
// newline).
func yamlValue(v any) string {
	switch v := v.(type) {
	case string:
		return yamlScalar(v) + "\n"
	case []string:
		var b strings.Builder
		for _, s := range v {
			b.WriteString("- " + yamlScalar(s) + "\n")
		}
		return b.String()
	case GroupVersionKind:
		return gvkYAML(v, "")
	case []GroupVersionKind:
		var b strings.Builder
		for _, g := range v {
			b.WriteString("- " + strings.TrimPrefix(gvkYAML(g, "  "), "  "))
		}
		return b.String()
	}
	panic(fmt.Sprintf("openapi: no YAML form for extension value %T", v))
}

func gvkYAML(g GroupVersionKind, indent string) string {
	return indent + "group: " + yamlScalar(g.Group) + "\n" +
		indent + "kind: " + yamlScalar(g.Kind) + "\n" +
		indent + "version: " + yamlScalar(g.Version) + "\n"
}

// plainYAML matches strings YAML reads back as the same string without quotes.
var plainYAML = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._/,-]*$`)

// yamlScalar quotes a string unless it is plain and not one of YAML's other literals.
func yamlScalar(s string) string {
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "null", "y", "n":
		return strconv.Quote(s)
	}
	if plainYAML.MatchString(s) {
		return s
	}
	return strconv.Quote(s)
}

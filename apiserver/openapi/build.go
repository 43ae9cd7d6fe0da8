package openapi

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"

	"github.com/skiff-k8s/skiff/api/intstr"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/resource"
	"github.com/skiff-k8s/skiff/apiserver/openapi/apidocs"
)

// builder turns Go types into definitions, one per named struct type reached.
type builder struct {
	defs map[string]*Definition
	// gvks are the kinds each definition is registered as (x-kubernetes-group-version-kind).
	gvks map[string][]GroupVersionKind
}

func newBuilder() *builder {
	return &builder{defs: map[string]*Definition{}, gvks: map[string][]GroupVersionKind{}}
}

// module is the import path prefix of Skiff's API packages.
const module = "github.com/skiff-k8s/skiff/api/"

// definitionName is upstream's name for a Go type: its Kubernetes package path, dotted,
// then the type name ("io.k8s.api.apps.v1.Deployment",
// "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta").
func definitionName(t reflect.Type) string {
	pkg := strings.TrimPrefix(t.PkgPath(), module)
	switch {
	case pkg == "meta/v1":
		pkg = "io.k8s.apimachinery.pkg.apis.meta.v1"
	case pkg == "resource":
		pkg = "io.k8s.apimachinery.pkg.api.resource"
	case pkg == "intstr":
		pkg = "io.k8s.apimachinery.pkg.util.intstr"
	default:
		pkg = "io.k8s.api." + strings.ReplaceAll(pkg, "/", ".")
	}
	return pkg + "." + t.Name()
}

// The types with their own JSON form.
var (
	timeType        = reflect.TypeFor[metav1.Time]()
	microTimeType   = reflect.TypeFor[metav1.MicroTime]()
	durationType    = reflect.TypeFor[metav1.Duration]()
	quantityType    = reflect.TypeFor[resource.Quantity]()
	intOrStringType = reflect.TypeFor[intstr.IntOrString]()
	rawJSONType     = reflect.TypeFor[json.RawMessage]()
)

// define makes sure t (a named struct) has a definition and returns its name.
func (b *builder) define(t reflect.Type) string {
	name := definitionName(t)
	if _, ok := b.defs[name]; ok {
		return name
	}
	d := &Definition{Name: name}
	b.defs[name] = d // before the fields: types may refer to themselves
	switch t {
	case timeType, microTimeType:
		d.Schema = &Schema{Type: "string", Format: "date-time"}
	case quantityType:
		d.Schema = &Schema{Type: "string"}
		d.V3 = &Schema{OneOf: []*Schema{{Type: "string"}, {Type: "number"}}}
	case intOrStringType:
		d.Schema = &Schema{Type: "string", Format: "int-or-string"}
		d.V3 = &Schema{Format: "int-or-string", OneOf: []*Schema{{Type: "integer"}, {Type: "string"}}}
	default:
		d.Schema = b.object(t)
	}
	d.Schema.Description = apidocs.Type(t)
	if d.V3 != nil {
		d.V3.Description = d.Schema.Description
	}
	return name
}

// object is the schema of a struct: its JSON fields (inline embedded structs flattened),
// required being those without omitempty (or omitzero).
func (b *builder) object(t reflect.Type) *Schema {
	s := &Schema{Type: "object"}
	b.addFields(s, t, t, definitionName(t))
	sort.Slice(s.Properties, func(i, j int) bool { return s.Properties[i].Name < s.Properties[j].Name })
	sort.Strings(s.Required)
	return s
}

// addFields adds the fields of struct t to s; owner is the type whose docs describe them
// and defName the definition being built.
func (b *builder) addFields(s *Schema, t, owner reflect.Type, defName string) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			inner := f.Type
			if inner.Kind() == reflect.Pointer {
				inner = inner.Elem()
			}
			if inner.Kind() == reflect.Struct {
				b.addFields(s, inner, inner, defName)
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		optional := hasOpt(opts, "omitempty") || hasOpt(opts, "omitzero")
		var fs *Schema
		if f.Type == rawJSONType {
			fs = &Schema{Ref: b.rawDefinition(name)}
		} else {
			fs = b.field(f.Type, !optional)
		}
		if d := apidocs.Field(owner, name); d != "" {
			fs.Description = d
		}
		addPatchExtensions(fs, defName, f, name)
		s.Properties = append(s.Properties, Property{Name: name, Schema: fs})
		required := !optional
		if r, ok := requiredOverrides[defName+"."+name]; ok {
			required = r
		}
		if required {
			s.Required = append(s.Required, name)
		}
	}
}

func hasOpt(opts, want string) bool {
	for o := range strings.SplitSeq(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}

// field is the schema of a value of type t. always says the value is always written (no
// omitempty): like upstream's OpenAPI 3, such scalars default to their zero value, and
// every non-pointer struct defaults to {}.
func (b *builder) field(t reflect.Type, always bool) *Schema {
	pointer := false
	for t.Kind() == reflect.Pointer {
		t, pointer = t.Elem(), true
	}
	switch t {
	case durationType:
		return &Schema{Type: "string"}
	case rawJSONType:
		return &Schema{Ref: b.rawDefinition("")}
	case timeType, microTimeType, quantityType, intOrStringType:
		return &Schema{Ref: b.define(t)}
	}
	s := &Schema{}
	switch t.Kind() {
	case reflect.Struct:
		s.Ref = b.define(t)
		if !pointer {
			s.Default = map[string]any{}
		}
		return s
	case reflect.String:
		s.Type = "string"
		if always && !pointer {
			s.Default = ""
		}
	case reflect.Bool:
		s.Type = "boolean"
		if always && !pointer {
			s.Default = false
		}
	case reflect.Int32, reflect.Int, reflect.Int16, reflect.Int8, reflect.Uint16, reflect.Uint8:
		s.Type, s.Format = "integer", "int32"
	case reflect.Int64, reflect.Uint32, reflect.Uint64, reflect.Uint:
		s.Type, s.Format = "integer", "int64"
	case reflect.Float32:
		s.Type, s.Format = "number", "float"
	case reflect.Float64:
		s.Type, s.Format = "number", "double"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return &Schema{Type: "string", Format: "byte"}
		}
		s.Type = "array"
		s.Items = b.field(t.Elem(), false)
		s.Items.Default = nil
		return s
	case reflect.Map:
		s.Type = "object"
		s.AdditionalProperties = b.field(t.Elem(), false)
		s.AdditionalProperties.Default = nil
		return s
	case reflect.Interface:
		return &Schema{Type: "object"}
	}
	if s.Type == "integer" && always && !pointer {
		s.Default = 0
	}
	return s
}

// addPatchExtensions adds the strategic merge patch extensions of a field's struct tags
// (patchStrategy, patchMergeKey) and its list type: upstream marks its lists with
// +listType, which Skiff's types do not carry, so the type follows from the patch tags (a
// list merged by key is a "map" keyed by it, a merged list of scalars a "set", any other
// list "atomic"), except where listTypes says otherwise.
func addPatchExtensions(s *Schema, owner string, f reflect.StructField, name string) {
	strategy := f.Tag.Get("patchStrategy")
	key := f.Tag.Get("patchMergeKey")
	if key != "" {
		s.addExtension("x-kubernetes-patch-merge-key", key)
	}
	if strategy != "" {
		s.addExtension("x-kubernetes-patch-strategy", strategy)
	}
	if s.Type != "array" {
		return
	}
	lt, ok := listTypes[owner+"."+name]
	switch {
	case ok:
	case key != "" && strings.Contains(strategy, "merge"):
		lt = listType{"map", []string{key}}
	case strings.Contains(strategy, "merge"):
		lt = listType{"set", nil}
	default:
		lt = listType{"atomic", nil}
	}
	if lt.keys != nil {
		s.addExtension("x-kubernetes-list-map-keys", lt.keys)
	}
	if lt.typ != "" {
		s.addExtension("x-kubernetes-list-type", lt.typ)
	}
}

// listType is a list's x-kubernetes-list-type and, for "map", its keys.
type listType struct {
	typ  string
	keys []string
}

// listTypes are upstream's list types that the patch tags do not imply, by
// "<definition>.<property>".
var listTypes = map[string]listType{
	"io.k8s.api.core.v1.Container.ports":                                 {"map", []string{"containerPort", "protocol"}},
	"io.k8s.api.core.v1.EphemeralContainer.ports":                        {"map", []string{"containerPort", "protocol"}},
	"io.k8s.api.core.v1.ServiceSpec.ports":                               {"map", []string{"port", "protocol"}},
	"io.k8s.api.core.v1.PodSpec.topologySpreadConstraints":               {"map", []string{"topologyKey", "whenUnsatisfiable"}},
	"io.k8s.api.core.v1.PodVolumeHealth.healthConditions":                {"map", []string{"status", "reason"}},
	"io.k8s.api.core.v1.PodStatus.hostIPs":                               {"atomic", nil},
	"io.k8s.api.core.v1.PodStatus.volumeHealth":                          {"map", []string{"name"}},
	"io.k8s.api.core.v1.ResourceRequirements.claims":                     {"map", []string{"name"}},
	"io.k8s.api.core.v1.ResourceStatus.resources":                        {"map", []string{"resourceID"}},
	"io.k8s.api.core.v1.ContainerRestartRuleOnExitCodes.values":          {"set", nil},
	"io.k8s.api.core.v1.NodeAllocatableResourceClaimStatus.containers":   {"set", nil},
	"io.k8s.api.core.v1.NodePodPreemptionPolicy.disableResizePreemption": {"set", nil},
	"io.k8s.api.core.v1.VolumeMount.bindMountOptions":                    {"set", nil},
	"io.k8s.apimachinery.pkg.apis.meta.v1.APIResource.verbs":             {},
}

// requiredOverrides are the fields upstream marks required (true) or optional (false)
// against what their omitempty says, by "<definition>.<property>".
var requiredOverrides = map[string]bool{
	"io.k8s.api.apps.v1.Deployment.spec":                                     true,
	"io.k8s.api.apps.v1.ReplicaSet.spec":                                     true,
	"io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler.spec":                 true,
	"io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler.spec":                 true,
	"io.k8s.api.core.v1.ContainerRestartRule.action":                         true,
	"io.k8s.api.core.v1.ContainerRestartRuleOnExitCodes.operator":            true,
	"io.k8s.api.core.v1.ImageVolumeStatus.imageRef":                          true,
	"io.k8s.api.core.v1.PodCertificateProjection.signerName":                 true,
	"io.k8s.api.core.v1.PodCertificateProjection.keyType":                    true,
	"io.k8s.api.apps.v1.DeploymentCondition.status":                          false,
	"io.k8s.api.apps.v1.DeploymentCondition.type":                            false,
	"io.k8s.api.apps.v1.ReplicaSetCondition.status":                          false,
	"io.k8s.api.apps.v1.ReplicaSetCondition.type":                            false,
	"io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus.currentMetrics": false,
	"io.k8s.api.core.v1.ContainerImage.names":                                false,
	"io.k8s.api.core.v1.Event.reportingComponent":                            false,
	"io.k8s.api.core.v1.Event.reportingInstance":                             false,
	"io.k8s.api.core.v1.GRPCAction.service":                                  false,
	"io.k8s.api.core.v1.NodeRuntimeHandler.name":                             false,
	"io.k8s.api.core.v1.ProjectedVolumeSource.sources":                       false,
	"io.k8s.api.core.v1.TypedLocalObjectReference.apiGroup":                  false,
	"io.k8s.api.core.v1.TypedObjectReference.apiGroup":                       false,
	"io.k8s.apimachinery.pkg.apis.meta.v1.Status.metadata":                   false,
}

// rawDefinition is the definition of a field holding raw JSON: managedFields' fieldsV1
// (upstream's FieldsV1 type) or any embedded object (upstream's RawExtension).
func (b *builder) rawDefinition(field string) string {
	name, desc := "io.k8s.apimachinery.pkg.runtime.RawExtension", "An embedded object, in its own JSON."
	if field == "fieldsV1" {
		name, desc = "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1", "A set of fields, as server-side apply records them in managedFields."
	}
	if _, ok := b.defs[name]; !ok {
		b.defs[name] = &Definition{Name: name, Schema: &Schema{Type: "object", Description: desc}}
	}
	return name
}

// registerKind marks definition name as the schema of a kind.
func (b *builder) registerKind(name string, gvk GroupVersionKind) {
	for _, g := range b.gvks[name] {
		if g == gvk {
			return
		}
	}
	b.gvks[name] = append(b.gvks[name], gvk)
}

// listDefinition is the schema of a kind's list (PodList): Skiff has no Go type for every
// list, and all lists have the same shape.
func (b *builder) listDefinition(item reflect.Type, listKind string) string {
	itemName := b.define(item)
	name := strings.TrimSuffix(itemName, item.Name()) + listKind
	if _, ok := b.defs[name]; ok {
		return name
	}
	listMeta := b.define(reflect.TypeFor[metav1.ListMeta]())
	b.defs[name] = &Definition{Name: name, Schema: &Schema{
		Description: listKind + " is a list of " + item.Name() + " objects.",
		Type:        "object",
		Required:    []string{"items"},
		Properties: []Property{
			{Name: "apiVersion", Schema: &Schema{Type: "string", Description: "The versioned schema of this representation of an object."}},
			{Name: "items", Schema: &Schema{Type: "array", Description: "The " + item.Name() + " objects.", Items: &Schema{Ref: itemName}}},
			{Name: "kind", Schema: &Schema{Type: "string", Description: "The kind of this object, in CamelCase."}},
			{Name: "metadata", Schema: &Schema{Ref: listMeta, Default: map[string]any{}, Description: "The list's metadata: its resourceVersion and continue token."}},
		},
	}}
	return name
}

// finish attaches the kinds to their definitions and returns the definitions by name.
func (b *builder) finish() map[string]*Definition {
	for name, gvks := range b.gvks {
		d := b.defs[name]
		sort.Slice(gvks, func(i, j int) bool {
			if gvks[i].Group != gvks[j].Group {
				return gvks[i].Group < gvks[j].Group
			}
			return gvks[i].Version < gvks[j].Version
		})
		d.Schema.addExtension("x-kubernetes-group-version-kind", gvks)
	}
	return b.defs
}

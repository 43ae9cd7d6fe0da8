package validation

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"unicode"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/names"
)

// Messages shared by many kinds, worded as upstream words them.
const (
	fieldImmutableMsg = "field is immutable"
	isNegativeMsg     = "must be greater than or equal to 0"
	isNotPositiveMsg  = "must be greater than zero"
	isNotIntegerMsg   = "must be an integer"
)

// TotalAnnotationSizeLimit is the most bytes (keys plus values) an object's annotations may
// hold: 256 KiB, as upstream.
const TotalAnnotationSizeLimit = 256 * 1024

// Limits on managedFields entries.
const (
	fieldManagerMaxLength    = 128
	subresourceNameMaxLength = 256
)

// NameFunc checks an object's name (prefix false) or generateName (prefix true) and returns
// upstream's sentences for what is wrong. names.NameIsDNSSubdomain and names.NameIsDNSLabel
// are the usual ones.
type NameFunc = func(name string, prefix bool) []string

// ValidateObjectMeta checks the metadata of an object being created: its name (with the kind's
// name rule), namespace (required exactly when the kind is namespaced), generation, labels,
// annotations, ownerReferences, finalizers and managedFields. This is the flavor the core and
// apps kinds use: their finalizers must also be either standard ("kubernetes", "orphan",
// "foregroundDeletion") or domain-prefixed.
//
// Upstream generates a name from generateName before validating, so it always requires a
// name; Skiff accepts an empty name when generateName is set so that callers may validate
// before generating.
func ValidateObjectMeta(meta *metav1.ObjectMeta, namespaced bool, nameFn NameFunc, path *Path) ErrorList {
	errs := validateObjectMetaGeneric(meta, namespaced, nameFn, path)
	return append(errs, validateKubeFinalizerNames(meta.Finalizers, path.Child("finalizers"))...)
}

// validateObjectMetaGeneric is ValidateObjectMeta without the finalizer naming rule of the
// core kinds (leases, for example, use this one).
func validateObjectMetaGeneric(meta *metav1.ObjectMeta, namespaced bool, nameFn NameFunc, path *Path) ErrorList {
	var errs ErrorList
	if meta.GenerateName != "" {
		for _, msg := range nameFn(meta.GenerateName, true) {
			errs = append(errs, Invalid(path.Child("generateName"), meta.GenerateName, msg))
		}
	}
	switch {
	case meta.Name != "":
		for _, msg := range nameFn(meta.Name, false) {
			errs = append(errs, Invalid(path.Child("name"), meta.Name, msg))
		}
	case meta.GenerateName == "":
		errs = append(errs, Required(path.Child("name"), "name or generateName is required"))
	}
	return append(errs, validateObjectMetaFields(meta, namespaced, path)...)
}

// validateObjectMetaFields checks everything in the metadata but the name.
func validateObjectMetaFields(meta *metav1.ObjectMeta, namespaced bool, path *Path) ErrorList {
	var errs ErrorList
	if namespaced {
		if meta.Namespace == "" {
			errs = append(errs, Required(path.Child("namespace"), ""))
		} else {
			for _, msg := range names.NameIsDNSLabel(meta.Namespace, false) {
				errs = append(errs, Invalid(path.Child("namespace"), meta.Namespace, msg))
			}
		}
	} else if meta.Namespace != "" {
		errs = append(errs, Forbidden(path.Child("namespace"), "not allowed on this type"))
	}
	errs = append(errs, validateNonnegative(meta.Generation, path.Child("generation"))...)
	errs = append(errs, ValidateLabels(meta.Labels, path.Child("labels"))...)
	errs = append(errs, ValidateAnnotations(meta.Annotations, path.Child("annotations"))...)
	errs = append(errs, validateOwnerReferences(meta.OwnerReferences, path.Child("ownerReferences"))...)
	errs = append(errs, validateFinalizers(meta.Finalizers, path.Child("finalizers"))...)
	errs = append(errs, validateManagedFields(meta.ManagedFields, path.Child("managedFields"))...)
	return errs
}

// validateKubeFinalizerNames: a finalizer without a domain must be one Kubernetes defines.
func validateKubeFinalizerNames(finalizers []string, path *Path) ErrorList {
	var errs ErrorList
	for i, f := range finalizers {
		if !strings.Contains(f, "/") && !contains(standardFinalizers, f) {
			errs = append(errs, Invalid(path.Index(i), f, "name is neither a standard finalizer name nor is it fully qualified"))
		}
	}
	return errs
}

// ValidateObjectMetaUpdate checks the metadata of an update against the stored object: name,
// namespace, uid, creationTimestamp, deletionTimestamp and deletionGracePeriodSeconds never
// change, generation never goes down, a resourceVersion must be sent, no finalizer may be added
// once deletion started, and labels, annotations, ownerReferences and managedFields must still
// be well formed. Like ValidateObjectMeta it is the core kinds' flavor.
func ValidateObjectMetaUpdate(newMeta, oldMeta *metav1.ObjectMeta, path *Path) ErrorList {
	errs := validateObjectMetaUpdateGeneric(newMeta, oldMeta, path)
	return append(errs, validateKubeFinalizerNames(newMeta.Finalizers, path.Child("finalizers"))...)
}

func validateObjectMetaUpdateGeneric(newMeta, oldMeta *metav1.ObjectMeta, path *Path) ErrorList {
	var errs ErrorList
	if oldMeta.DeletionTimestamp != nil {
		errs = append(errs, validateNoNewFinalizers(newMeta.Finalizers, oldMeta.Finalizers, path.Child("finalizers"))...)
	}
	if newMeta.ResourceVersion == "" {
		errs = append(errs, Invalid(path.Child("resourceVersion"), newMeta.ResourceVersion, "must be specified for an update"))
	}
	errs = append(errs, validateNonnegative(newMeta.Generation, path.Child("generation"))...)
	if newMeta.Generation < oldMeta.Generation {
		errs = append(errs, Invalid(path.Child("generation"), newMeta.Generation, "must not be decremented"))
	}
	errs = append(errs, validateImmutable(newMeta.Name, oldMeta.Name, path.Child("name"))...)
	errs = append(errs, validateImmutable(newMeta.Namespace, oldMeta.Namespace, path.Child("namespace"))...)
	errs = append(errs, validateImmutable(newMeta.UID, oldMeta.UID, path.Child("uid"))...)
	if !newMeta.CreationTimestamp.Equal(oldMeta.CreationTimestamp.Time) {
		errs = append(errs, Invalid(path.Child("creationTimestamp"), newMeta.CreationTimestamp, fieldImmutableMsg))
	}
	if !sameTime(newMeta.DeletionTimestamp, oldMeta.DeletionTimestamp) {
		errs = append(errs, Invalid(path.Child("deletionTimestamp"), newMeta.DeletionTimestamp, fieldImmutableMsg))
	}
	errs = append(errs, validateImmutable(newMeta.DeletionGracePeriodSeconds, oldMeta.DeletionGracePeriodSeconds, path.Child("deletionGracePeriodSeconds"))...)

	errs = append(errs, ValidateLabels(newMeta.Labels, path.Child("labels"))...)
	errs = append(errs, ValidateAnnotations(newMeta.Annotations, path.Child("annotations"))...)
	errs = append(errs, validateOwnerReferences(newMeta.OwnerReferences, path.Child("ownerReferences"))...)
	errs = append(errs, validateManagedFields(newMeta.ManagedFields, path.Child("managedFields"))...)
	return errs
}

// updateCommon is what upstream's generic update path checks for every kind before the kind's
// own rules: the metadata as on create (names only as path segments) and the update rules.
func updateCommon(newMeta, oldMeta *metav1.ObjectMeta, namespaced bool) ErrorList {
	path := NewPath("metadata")
	errs := validateObjectMetaGeneric(newMeta, namespaced, pathSegmentName, path)
	return append(errs, validateObjectMetaUpdateGeneric(newMeta, oldMeta, path)...)
}

// pathSegmentName is the name rule every kind's names obey at least: usable in a URL path.
func pathSegmentName(name string, prefix bool) []string {
	if prefix {
		return names.IsPathSegmentPrefix(name)
	}
	return names.IsPathSegmentName(name)
}

// uniq drops repeated errors, keeping the first: several layers check the same fields (upstream
// removes the repeats the same way), and a repeat tells the user nothing new.
func (l ErrorList) uniq() ErrorList {
	seen := map[string]bool{}
	out := l[:0:0]
	for _, e := range l {
		if m := e.Error(); !seen[m] {
			seen[m] = true
			out = append(out, e)
		}
	}
	return out
}

// sameTime compares optional timestamps at the wire's precision (seconds).
func sameTime(a, b *metav1.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(b.Time)
}

// ValidateLabels checks label keys (qualified names) and values. Errors point at the whole
// map, as upstream's do, with the offending key or value as the bad value. Keys are visited
// in sorted order so the message is stable.
func ValidateLabels(labels map[string]string, path *Path) ErrorList {
	var errs ErrorList
	for _, k := range sortedKeys(labels) {
		errs = append(errs, validateLabelKey(k, path)...)
		for _, msg := range names.IsLabelValue(labels[k]) {
			errs = append(errs, Invalid(path, labels[k], msg))
		}
	}
	return errs
}

// validateLabelKey checks one label key (also used for toleration and taint keys).
func validateLabelKey(key string, path *Path) ErrorList {
	var errs ErrorList
	for _, msg := range names.IsQualifiedName(key) {
		errs = append(errs, Invalid(path, key, msg))
	}
	return errs
}

// ValidateAnnotations checks annotation keys (qualified names, case-insensitively) and the
// total size of keys and values.
func ValidateAnnotations(annotations map[string]string, path *Path) ErrorList {
	var errs ErrorList
	size := 0
	for _, k := range sortedKeys(annotations) {
		for _, msg := range names.IsQualifiedName(strings.ToLower(k)) {
			errs = append(errs, Invalid(path, k, msg))
		}
		size += len(k) + len(annotations[k])
	}
	if size > TotalAnnotationSizeLimit {
		errs = append(errs, TooLong(path, "", TotalAnnotationSizeLimit))
	}
	return errs
}

// validateOwnerReferences checks each reference names its owner fully and that at most one is
// the controller. Events may not own anything (they are garbage collected on their own).
func validateOwnerReferences(refs []metav1.OwnerReference, path *Path) ErrorList {
	var errs ErrorList
	firstController := ""
	for i, ref := range refs {
		p := path.Index(i)
		group, version, parseErr := parseAPIVersion(ref.APIVersion)
		switch {
		case ref.APIVersion == "":
			errs = append(errs, Required(p.Child("apiVersion"), "must not be empty"))
		case parseErr != nil || version == "":
			errs = append(errs, Invalid(p.Child("apiVersion"), ref.APIVersion, "must be <group>/<version> or <version>"))
		}
		if ref.Kind == "" {
			errs = append(errs, Required(p.Child("kind"), "must not be empty"))
		}
		if ref.Name == "" {
			errs = append(errs, Required(p.Child("name"), "must not be empty"))
		}
		if ref.UID == "" {
			errs = append(errs, Required(p.Child("uid"), "must not be empty"))
		}
		if group == "" && version == "v1" && ref.Kind == "Event" {
			errs = append(errs, Invalid(p, ref, "/v1, Kind=Event is disallowed from being an owner"))
		}
		if ref.Controller != nil && *ref.Controller {
			name := ref.Kind + "/" + ref.Name
			if firstController != "" {
				errs = append(errs, Invalid(path, refs, fmt.Sprintf(
					"Only one reference can have Controller set to true. Found \"true\" in references for %s and %s", firstController, name)))
			} else {
				firstController = name
			}
		}
	}
	return errs
}

// parseAPIVersion splits "group/version" or "version" the way upstream's ParseGroupVersion
// does: more than one '/' is an error.
func parseAPIVersion(apiVersion string) (group, version string, err error) {
	if apiVersion == "" || apiVersion == "/" {
		return "", "", nil
	}
	switch strings.Count(apiVersion, "/") {
	case 0:
		return "", apiVersion, nil
	case 1:
		g, v, _ := strings.Cut(apiVersion, "/")
		return g, v, nil
	}
	return "", "", fmt.Errorf("unexpected GroupVersion string: %s", apiVersion)
}

// validateFinalizers checks finalizer names are qualified names and that "orphan" and
// "foregroundDeletion", which ask for opposite things, are not both set.
func validateFinalizers(finalizers []string, path *Path) ErrorList {
	var errs ErrorList
	orphan, foreground := false, false
	for _, f := range finalizers {
		errs = append(errs, validateFinalizerName(f, path)...)
		orphan = orphan || f == metav1.FinalizerOrphanDependents
		foreground = foreground || f == metav1.FinalizerDeleteDependents
	}
	if orphan && foreground {
		errs = append(errs, Invalid(path, finalizers, fmt.Sprintf("finalizer %s and %s cannot be both set",
			metav1.FinalizerOrphanDependents, metav1.FinalizerDeleteDependents)))
	}
	return errs
}

func validateFinalizerName(name string, path *Path) ErrorList {
	var errs ErrorList
	for _, msg := range names.IsQualifiedName(name) {
		errs = append(errs, Invalid(path, name, msg))
	}
	return errs
}

// validateNoNewFinalizers refuses finalizers added after deletion started: the object would
// otherwise never go away.
func validateNoNewFinalizers(newFinalizers, oldFinalizers []string, path *Path) ErrorList {
	old := map[string]bool{}
	for _, f := range oldFinalizers {
		old[f] = true
	}
	extra := map[string]bool{}
	for _, f := range newFinalizers {
		if !old[f] {
			extra[f] = true
		}
	}
	if len(extra) == 0 {
		return nil
	}
	list := sortedKeys(extra)
	quoted := make([]string, len(list))
	for i, f := range list {
		quoted[i] = fmt.Sprintf("%q", f)
	}
	return ErrorList{Forbidden(path, fmt.Sprintf(
		"no new finalizers can be added if the object is being deleted, found new finalizers []string{%s}", strings.Join(quoted, ", ")))}
}

// validateManagedFields checks the server-side-apply bookkeeping a client sends back.
func validateManagedFields(entries []metav1.ManagedFieldsEntry, path *Path) ErrorList {
	var errs ErrorList
	for i, e := range entries {
		p := path.Index(i)
		switch e.Operation {
		case "":
			errs = append(errs, Required(p.Child("operation"), "must not be empty"))
		case "Apply", "Update":
		default:
			errs = append(errs, NotSupported(p.Child("operation"), e.Operation, []string{"Apply", "Update"}))
		}
		if e.FieldsType != "" && e.FieldsType != "FieldsV1" {
			errs = append(errs, Invalid(p.Child("fieldsType"), e.FieldsType, "must be `FieldsV1`"))
		}
		errs = append(errs, validateFieldManager(e.Manager, p.Child("manager"))...)
		if len(e.Subresource) > subresourceNameMaxLength {
			errs = append(errs, TooLong(p.Child("subresource"), "", subresourceNameMaxLength))
		}
	}
	return errs
}

// validateFieldManager checks a field manager name: at most 128 bytes of printable characters.
func validateFieldManager(manager string, path *Path) ErrorList {
	if len(manager) > fieldManagerMaxLength {
		return ErrorList{TooLong(path, "", fieldManagerMaxLength)}
	}
	var errs ErrorList
	for i, r := range manager {
		if !unicode.IsPrint(r) {
			errs = append(errs, Invalid(path, manager, fmt.Sprintf("invalid character %#U (at position %d)", r, i)))
		}
	}
	return errs
}

// validateImmutable reports a change of a field that may never change. Values are compared
// deeply; nil and empty collections count as equal, as in upstream's semantic equality.
func validateImmutable(newVal, oldVal any, path *Path) ErrorList {
	if semanticEqual(newVal, oldVal) {
		return nil
	}
	return ErrorList{Invalid(path, newVal, fieldImmutableMsg)}
}

// semanticEqual is reflect.DeepEqual that treats nil and empty maps and slices alike, so that
// a round trip through JSON (which drops empty collections) does not look like a change.
func semanticEqual(a, b any) bool {
	return equalValues(reflect.ValueOf(a), reflect.ValueOf(b))
}

func equalValues(a, b reflect.Value) bool {
	if !a.IsValid() || !b.IsValid() {
		return a.IsValid() == b.IsValid()
	}
	if a.Type() != b.Type() {
		return false
	}
	// Types that know their own equality (times, quantities) are asked: two encodings of the
	// same instant or amount are the same value.
	if a.CanInterface() && b.CanInterface() {
		if m := a.MethodByName("Equal"); m.IsValid() && m.Type().NumIn() == 1 && m.Type().In(0) == b.Type() &&
			m.Type().NumOut() == 1 && m.Type().Out(0).Kind() == reflect.Bool {
			return m.Call([]reflect.Value{b})[0].Bool()
		}
		if m := a.MethodByName("Cmp"); m.IsValid() && m.Type().NumIn() == 1 && m.Type().In(0) == b.Type() &&
			m.Type().NumOut() == 1 && m.Type().Out(0).Kind() == reflect.Int {
			return m.Call([]reflect.Value{b})[0].Int() == 0
		}
	}
	switch a.Kind() {
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := 0; i < a.Len(); i++ {
			if !equalValues(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.Len() != b.Len() {
			return false
		}
		for _, k := range a.MapKeys() {
			bv := b.MapIndex(k)
			if !bv.IsValid() || !equalValues(a.MapIndex(k), bv) {
				return false
			}
		}
		return true
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return equalValues(a.Elem(), b.Elem())
	case reflect.Struct:
		if a.CanInterface() && b.CanInterface() {
			switch t := a.Interface().(type) {
			case metav1.Time:
				return t.Equal(b.Interface().(metav1.Time).Time)
			case metav1.MicroTime:
				return t.Equal(b.Interface().(metav1.MicroTime).Time)
			}
		}
		for i := 0; i < a.NumField(); i++ {
			if !equalValues(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.Int() == b.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return a.Uint() == b.Uint()
	case reflect.Float32, reflect.Float64:
		return a.Float() == b.Float()
	case reflect.String:
		return a.String() == b.String()
	case reflect.Array:
		for i := 0; i < a.Len(); i++ {
			if !equalValues(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	}
	// Functions, channels and the like never appear in API objects.
	return false
}

// validateNonnegative reports a negative count or duration.
func validateNonnegative(value int64, path *Path) ErrorList {
	if value < 0 {
		return ErrorList{Invalid(path, value, isNegativeMsg)}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

package handlers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/skiff-k8s/skiff/api/validation"
)

// Server-side field validation (the fieldValidation parameter): a body naming fields the
// kind does not have, or naming a field twice, is refused (Strict, which kubectl sends),
// answered with warnings (Warn, the default), or accepted silently (Ignore). Without it a
// typo ("imagePullPolicy" spelled wrong) would be dropped without a word.

// fieldValidation reads the parameter. optionsKind names the verb's options
// (CreateOptions, UpdateOptions, PatchOptions), which upstream's error for a bad value
// names.
func fieldValidation(q url.Values, optionsKind string) (string, error) {
	switch v := q.Get("fieldValidation"); v {
	case "", "Warn":
		return "Warn", nil
	case "Ignore", "Strict":
		return v, nil
	default:
		return "", errInvalid(groupKind{"meta.k8s.io", optionsKind}, "", validation.ErrorList{
			validation.NotSupported(validation.NewPath("fieldValidation"), v, []string{"", "Ignore", "Strict", "Warn"})})
	}
}

// checkFields applies the fieldValidation mode to a JSON body of the resource's kind (a
// create or an update): Strict fails with upstream's 400 ("ConfigMap in version "v1"
// cannot be handled as a ConfigMap: strict decoding error: unknown field "foo""), Warn
// adds a Warning header per problem.
func (r *Resource) checkFields(w http.ResponseWriter, q url.Values, optionsKind string, data []byte) error {
	mode, err := fieldValidation(q, optionsKind)
	if err != nil || mode == "Ignore" {
		return err
	}
	problems := fieldProblems(data, reflect.TypeOf(r.info.New()))
	if len(problems) == 0 {
		return nil
	}
	if mode == "Strict" {
		kind := r.typeMeta.Kind
		return errBadRequest("%s in version %q cannot be handled as a %s: strict decoding error: %s",
			kind, versionOf(r.typeMeta.APIVersion), kind, strings.Join(problems, ", "))
	}
	warnFields(w, problems)
	return nil
}

// checkPatchedFields is checkFields for a patch: upstream reports the fields the patch
// names twice, then the fields the patched object does not have (in its sorted key order),
// and refuses a Strict one as an invalid patch (422), quoting the patch (a strategic merge
// patch, as Go prints the decoded map) or the patched object (JSON and merge patches).
func (r *Resource) checkPatchedFields(w http.ResponseWriter, q url.Values, strategic bool, patchBody, patched []byte) error {
	mode, err := fieldValidation(q, "PatchOptions")
	if err != nil || mode == "Ignore" {
		return err
	}
	var problems []string
	if len(patchBody) > 0 && patchBody[0] != '[' { // a JSON patch is a list of operations: no fields of its own
		for _, p := range fieldProblems(patchBody, nil) {
			if strings.HasPrefix(p, "duplicate") {
				problems = append(problems, p)
			}
		}
	}
	sorted, err := sortedJSON(patched)
	if err != nil {
		return nil // the decoder reports malformed results
	}
	problems = append(problems, fieldProblems(sorted, reflect.TypeOf(r.info.New()))...)
	if len(problems) == 0 {
		return nil
	}
	if mode == "Strict" {
		value := string(sorted)
		if strategic {
			value = goFormat(patchBody)
		}
		return errInvalid(groupKind{}, "", validation.ErrorList{validation.Invalid(validation.NewPath("patch"), value,
			"strict decoding error: "+strings.Join(problems, ", "))})
	}
	warnFields(w, problems)
	return nil
}

func warnFields(w http.ResponseWriter, problems []string) {
	for _, p := range problems {
		w.Header().Add("Warning", "299 - "+strconv.Quote(p))
	}
}

// sortedJSON re-encodes a JSON document with its object keys sorted (numbers unchanged).
func sortedJSON(data []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// goFormat prints a JSON document as Go prints the map it decodes to ("map[a:1 b:[x]]").
func goFormat(data []byte) string {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return string(data)
	}
	return fmt.Sprint(v)
}

// fieldProblems lists, with upstream's wording, the fields of a JSON document that Go type t
// does not have ("unknown field \"spec.foo\"") and the fields given twice ("duplicate field
// \"metadata.name\""). Malformed JSON yields nothing: decoding reports that itself.
func fieldProblems(data []byte, t reflect.Type) []string {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var problems []string
	walkFields(dec, t, "", &problems)
	return problems
}

var jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()

// walkFields consumes one JSON value from dec, checking it against t.
func walkFields(dec *json.Decoder, t reflect.Type, path string, problems *[]string) bool {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	tok, err := dec.Token()
	if err != nil {
		return false
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return true // a scalar
	}
	if t != nil && reflect.PointerTo(t).Implements(jsonUnmarshaler) {
		t = nil // decodes itself (times, quantities, raw JSON): anything goes
	}
	switch delim {
	case '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if !walkFields(dec, elem, path+"["+strconv.Itoa(i)+"]", problems) {
				return false
			}
		}
	case '{':
		var fields map[string]reflect.Type
		var elem reflect.Type
		checked := false
		if t != nil {
			switch t.Kind() {
			case reflect.Struct:
				fields, checked = jsonFields(t), true
			case reflect.Map:
				elem = t.Elem()
			}
		}
		seen := map[string]bool{}
		for dec.More() {
			keyTok, err := dec.Token()
			if err != nil {
				return false
			}
			key, _ := keyTok.(string)
			child := key
			if path != "" {
				child = path + "." + key
			}
			if seen[key] {
				*problems = append(*problems, fmt.Sprintf("duplicate field %q", child))
			}
			seen[key] = true
			vt := elem
			if checked {
				ft, ok := fields[key]
				if !ok {
					*problems = append(*problems, fmt.Sprintf("unknown field %q", child))
				}
				vt = ft
			}
			if !walkFields(dec, vt, child, problems) {
				return false
			}
		}
	}
	_, err = dec.Token() // the closing delimiter
	return err == nil
}

var fieldCache sync.Map // reflect.Type -> map[string]reflect.Type

// jsonFields maps the JSON names of a struct's fields (inline embedded structs included)
// to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	out := map[string]reflect.Type{}
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
		ft := f.Type
		if f.Anonymous && name == "" {
			inner := ft
			if inner.Kind() == reflect.Pointer {
				inner = inner.Elem()
			}
			if inner.Kind() == reflect.Struct {
				for k, v := range jsonFields(inner) {
					out[k] = v
				}
				continue
			}
		}
		_ = opts
		if name == "" {
			name = f.Name
		}
		out[name] = ft
	}
	fieldCache.Store(t, out)
	return out
}

package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/validation"
	"github.com/skiff-k8s/skiff/apiserver/protobuf"
	"sigs.k8s.io/yaml"
)

// request is one API call on a resource, as the route parsed it.
type request struct {
	namespace string
	name      string
	query     url.Values
}

// maxRequestBodyBytes is upstream's limit on a request body (3 MiB: twice etcd's 1.5 MiB
// request limit, since JSON is larger than the stored form).
const maxRequestBodyBytes = 3 * 1024 * 1024

// readBody reads the whole request body, refusing more than maxRequestBodyBytes.
func readBody(r *http.Request) ([]byte, error) {
	if r.ContentLength > maxRequestBodyBytes {
		return nil, errRequestTooLarge(maxRequestBodyBytes)
	}
	size := 512
	if r.ContentLength > 0 {
		size = int(r.ContentLength) + 1
	}
	buf := make([]byte, 0, size)
	lr := io.LimitReader(r.Body, maxRequestBodyBytes+1)
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, cap(buf))
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, errBadRequest("read request body: %v", err)
		}
	}
	if len(buf) > maxRequestBodyBytes {
		return nil, errRequestTooLarge(maxRequestBodyBytes)
	}
	return buf, nil
}

// bodyMediaTypes are the request body formats the handlers read.
var bodyMediaTypes = []string{"application/json", "application/yaml", "application/vnd.kubernetes.protobuf"}

// bodyJSON returns the request body as JSON. YAML is converted; protobuf (which client-go's
// generated clients send by default) is decoded into a new object from newObject and
// encoded again as JSON, so every verb has one decoding path.
func bodyJSON(r *http.Request, body []byte, newObject func() any) ([]byte, error) {
	ct := r.Header.Get("Content-Type")
	mt := "application/json"
	if ct != "" {
		var err error
		if mt, _, err = mime.ParseMediaType(ct); err != nil {
			return nil, errUnsupportedMediaType(ct, bodyMediaTypes)
		}
	}
	switch mt {
	case "application/json", "*/*":
		return body, nil
	case "application/yaml", "application/x-yaml", "text/yaml":
		j, err := yaml.YAMLToJSON(body)
		if err != nil {
			return nil, errBadRequest("the object provided could not be read as YAML: %v", err)
		}
		return j, nil
	case protobuf.MediaType:
		return protobufToJSON(body, newObject())
	}
	return nil, errUnsupportedMediaType(ct, bodyMediaTypes)
}

// protobufToJSON decodes a protobuf body into obj and returns obj as JSON, with the kind
// and apiVersion the envelope names.
func protobufToJSON(body []byte, obj any) ([]byte, error) {
	env, err := protobuf.DecodeEnvelope(body)
	if err != nil {
		return nil, errBadRequest("%v", err)
	}
	if err := protobuf.Unmarshal(env.Raw, obj); err != nil {
		return nil, errBadRequest("the object provided could not be read as protobuf: %v", err)
	}
	if o, ok := obj.(interface{ GetTypeMeta() *metav1.TypeMeta }); ok {
		*o.GetTypeMeta() = metav1.TypeMeta{Kind: env.Kind, APIVersion: env.APIVersion}
	}
	return json.Marshal(obj)
}

// newObjectOf returns the function making empty objects of the resource's type.
func (r *Resource) newObjectOf() func() any { return func() any { return r.info.New() } }

// decodeBody reads the request body into a new object of the resource's type, applying
// the request's fieldValidation (warnings go to w's headers). Like upstream, a body may
// omit kind and apiVersion, but may not name another kind or version.
func (r *Resource) decodeBody(w http.ResponseWriter, req *http.Request) (metav1.Object, error) {
	body, err := readBody(req)
	if err != nil {
		return nil, err
	}
	data, err := bodyJSON(req, body, r.newObjectOf())
	if err != nil {
		return nil, err
	}
	obj, err := r.decodeJSON(data)
	if err != nil {
		return nil, err
	}
	optionsKind := "CreateOptions"
	if req.Method == http.MethodPut {
		optionsKind = "UpdateOptions" // a namespace's finalize
	}
	if err := r.checkFields(w, req.URL.Query(), optionsKind, data); err != nil {
		return nil, err
	}
	return obj, nil
}

// decodeJSON decodes a client-sent object of this resource.
func (r *Resource) decodeJSON(data []byte) (metav1.Object, error) {
	obj := r.info.New()
	if err := r.unmarshalClientJSON(data, obj, r.typeMeta); err != nil {
		return nil, err
	}
	*obj.GetTypeMeta() = r.typeMeta
	return obj, nil
}

// unmarshalClientJSON decodes client JSON into obj, which must be of kind want, and words
// the failures as upstream does.
func (r *Resource) unmarshalClientJSON(data []byte, obj any, want metav1.TypeMeta) error {
	if err := json.Unmarshal(data, obj); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) || errors.Is(err, io.ErrUnexpectedEOF) || len(data) == 0 {
			return errBadRequest("the object provided is unrecognized (must be of type %s): couldn't get version/kind; json parse error: %v", want.Kind, err)
		}
		return errBadRequest("%s in version %q cannot be handled as a %s: %v", want.Kind, versionOf(want.APIVersion), want.Kind, err)
	}
	var tm metav1.TypeMeta
	if o, ok := obj.(interface{ GetTypeMeta() *metav1.TypeMeta }); ok {
		tm = *o.GetTypeMeta()
	}
	if tm.APIVersion != "" && tm.APIVersion != want.APIVersion {
		return errBadRequest("the API version in the data (%s) does not match the expected API version (%s)", tm.APIVersion, want.APIVersion)
	}
	if tm.Kind != "" && tm.Kind != want.Kind {
		return errBadRequest("the object provided is unrecognized (must be of type %s): kind %q in the data is not %q", want.Kind, tm.Kind, want.Kind)
	}
	return nil
}

// versionOf is the version part of an apiVersion ("apps/v1" -> "v1").
func versionOf(apiVersion string) string {
	for i := len(apiVersion) - 1; i >= 0; i-- {
		if apiVersion[i] == '/' {
			return apiVersion[i+1:]
		}
	}
	return apiVersion
}

// checkNamespaceAndName makes the object's namespace and name agree with the URL's, as
// upstream does: an empty namespace in the body is filled from the URL, a different one is
// refused; a cluster-scoped object may not carry a namespace at all.
func (r *Resource) checkNamespace(obj metav1.Object, urlNamespace string) error {
	m := obj.GetObjectMeta()
	if !r.info.Namespaced {
		if m.Namespace != "" {
			// Upstream ignores a namespace on a cluster-scoped object by clearing it.
			m.Namespace = ""
		}
		return nil
	}
	switch m.Namespace {
	case urlNamespace:
	case "":
		m.Namespace = urlNamespace
	default:
		return errBadRequest("the namespace of the provided object does not match the namespace sent on the request")
	}
	return nil
}

// checkName refuses a body whose name differs from the URL's (update, subresources).
func checkName(obj metav1.Object, urlName string) error {
	m := obj.GetObjectMeta()
	if m.Name == "" {
		m.Name = urlName
		return nil
	}
	if m.Name != urlName {
		return errBadRequest("the name of the object (%s) does not match the name on the URL (%s)", m.Name, urlName)
	}
	return nil
}

// dryRun parses the dryRun parameter: only "All" exists upstream.
func dryRun(q url.Values, optionsKind string) (bool, error) {
	values := q["dryRun"]
	if len(values) == 0 {
		return false, nil
	}
	for _, v := range values {
		if v != "All" {
			return false, errInvalid(groupKind{"meta.k8s.io", optionsKind}, "",
				validation.ErrorList{validation.NotSupported(validation.NewPath("dryRun"), values, []string{"All"})})
		}
	}
	return true, nil
}

// int64Param parses an optional integer query parameter.
func int64Param(q url.Values, name string) (*int64, error) {
	s := q.Get(name)
	if s == "" {
		return nil, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, errBadRequest("invalid value for %s: %q: %v", name, s, err)
	}
	return &v, nil
}

// boolParam parses an optional boolean query parameter.
func boolParam(q url.Values, name string) (*bool, error) {
	if !q.Has(name) {
		return nil, nil
	}
	s := q.Get(name)
	if s == "" {
		t := true
		return &t, nil
	}
	v, err := strconv.ParseBool(s)
	if err != nil {
		return nil, errBadRequest("invalid value for %s: %q: %v", name, s, err)
	}
	return &v, nil
}

// parseResourceVersion parses a resourceVersion parameter. The callers give "" (most
// recent) and "0" (any) their own meanings before asking for the number.
func parseResourceVersion(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0, errBadRequest("invalid resource version: %s", fmt.Sprint(s))
	}
	return v, nil
}

package handlers

import (
	"encoding/json"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"sigs.k8s.io/yaml"
)

// outputFormat is the response form a client asked for in its Accept header.
type outputFormat struct {
	yaml bool
	// as is "" for the objects themselves, "Table" for kubectl's server-side printing, or
	// "PartialObjectMetadata" for metadata only (lists become PartialObjectMetadataList).
	as string
	// asVersion is the meta.k8s.io version the Table or metadata is wanted in.
	asVersion string
	// includeObject is what each Table row carries: "Metadata" (the default), "Object" or
	// "None" (the includeObject parameter).
	includeObject string
}

// acceptedMediaTypes is what a 406 lists as acceptable.
var acceptedMediaTypes = []string{"application/json", "application/yaml", "application/json;as=Table;v=v1;g=meta.k8s.io"}

// negotiate reads the Accept header: the first media type Skiff can produce wins. kubectl
// asks for a Table first and plain JSON as a fallback, so with no Table renderer it gets
// JSON; a client that accepts only protobuf gets 406.
func (a *API) negotiate(r *http.Request) (outputFormat, error) {
	accept := r.Header.Get("Accept")
	if accept == "" {
		return outputFormat{}, nil
	}
	for part := range strings.SplitSeq(accept, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		mt, params, err := mime.ParseMediaType(part)
		if err != nil {
			continue
		}
		if q, ok := params["q"]; ok && q == "0" {
			continue
		}
		switch mt {
		case "application/json", "*/*", "application/*":
			as := params["as"]
			if as == "" {
				return outputFormat{}, nil
			}
			if params["g"] != "meta.k8s.io" || (params["v"] != "v1" && params["v"] != "v1beta1") {
				continue
			}
			switch as {
			case "Table":
				if a.cfg.RenderTable != nil {
					include := r.URL.Query().Get("includeObject")
					switch include {
					case "", "Metadata", "Object", "None":
					default:
						return outputFormat{}, errBadRequest("Unable to convert to Table as requested: includeObject: Invalid value: %q: must be 'Metadata', 'Object', 'None', or empty", include)
					}
					return outputFormat{as: "Table", asVersion: params["v"], includeObject: include}, nil
				}
			case "PartialObjectMetadata", "PartialObjectMetadataList":
				return outputFormat{as: "PartialObjectMetadata", asVersion: params["v"]}, nil
			}
		case "application/yaml":
			if params["as"] == "" {
				return outputFormat{yaml: true}, nil
			}
		}
	}
	return outputFormat{}, errNotAcceptable(acceptedMediaTypes)
}

// writeJSON sends a JSON body (converted to YAML if the client asked for YAML).
func writeJSON(w http.ResponseWriter, format outputFormat, code int, body []byte) {
	if format.yaml {
		if y, err := yaml.JSONToYAML(body); err == nil {
			w.Header().Set("Content-Type", "application/yaml")
			w.Header().Set("Content-Length", strconv.Itoa(len(y)))
			w.WriteHeader(code)
			_, _ = w.Write(y)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

// writeValue marshals v and sends it.
func writeValue(w http.ResponseWriter, format outputFormat, code int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		WriteError(w, errInternal(err))
		return
	}
	writeJSON(w, format, code, body)
}

// WriteError answers with the Status of err (a 500 InternalError if err is not a
// StatusError). Server-side failures are logged; client mistakes are not.
func WriteError(w http.ResponseWriter, err error) {
	se := asStatusError(err)
	if se.Status.Code >= 500 {
		slog.Error("request failed", "code", se.Status.Code, "err", err)
	}
	body, merr := json.Marshal(&se.Status)
	if merr != nil {
		http.Error(w, se.Status.Message, int(se.Status.Code))
		return
	}
	writeJSON(w, outputFormat{}, int(se.Status.Code), body)
}

// successStatus is the Status a delete answers with when it has no object to return.
func successStatus(details *metav1.StatusDetails) *metav1.Status {
	return &metav1.Status{
		TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   metav1.StatusSuccess,
		Details:  details,
	}
}

// NotFound answers a URL that names nothing, as upstream does.
func NotFound(w http.ResponseWriter, _ *http.Request) { WriteError(w, errPathNotFound()) }

// MethodNotAllowed answers a known URL used with a method it does not serve.
func MethodNotAllowed(w http.ResponseWriter, _ *http.Request) { WriteError(w, errMethodNotAllowed()) }

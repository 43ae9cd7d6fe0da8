package openapi

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/skiff-k8s/skiff/apiserver/registry"
)

// Media types of the v2 document.
const (
	protobufV2Accept      = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
	protobufV2ContentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
	protobufV3Accept      = "application/com.github.proto-openapi.spec.v3@v1.0+protobuf"
)

// Handler serves /openapi/v2, /openapi/v3 and /openapi/v3/<group version>.
type Handler struct {
	resources []*registry.Resource
	version   string

	once sync.Once
	docs *documents
	err  error
}

// documents are every rendered document, built once.
type documents struct {
	v2JSON  rendered
	v2Proto []byte
	v3      map[string]rendered // by path below /openapi/v3/ ("api/v1")
	v3Index []byte
	built   time.Time
}

// New returns a handler for the given resources; version is the Kubernetes version the
// documents state ("1.33"). Nothing is rendered until the first request.
func New(resources []*registry.Resource, version string) *Handler {
	return &Handler{resources: resources, version: version}
}

// load renders the documents on first use.
func (h *Handler) load() (*documents, error) {
	h.once.Do(func() { h.docs, h.err = build(h.resources, h.version) })
	return h.docs, h.err
}

func build(resources []*registry.Resource, version string) (*documents, error) {
	s := buildSpec(resources, version)
	d := &documents{v3: map[string]rendered{}, built: time.Now().UTC().Truncate(time.Second)}
	var err error
	if d.v2JSON, err = render(s.v2()); err != nil {
		return nil, err
	}
	d.v2Proto = s.protoV2()
	index := map[string]any{}
	names := make([]string, 0, len(s.groupVersions))
	for name := range s.groupVersions {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		r, err := render(s.v3(name))
		if err != nil {
			return nil, err
		}
		d.v3[name] = r
		index[name] = map[string]string{"serverRelativeURL": "/openapi/v3/" + name + "?hash=" + r.hash}
	}
	if d.v3Index, err = json.Marshal(map[string]any{"paths": index}); err != nil {
		return nil, err
	}
	return d, nil
}

// ServeHTTP answers the OpenAPI paths; others are 404.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	docs, err := h.load()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	switch path := r.URL.Path; {
	case path == "/openapi/v2":
		h.serveV2(w, r, docs)
	case path == "/openapi/v3" || path == "/openapi/v3/":
		w.Header().Set("Cache-Control", "no-cache, private")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(docs.v3Index)
	case strings.HasPrefix(path, "/openapi/v3/"):
		h.serveV3(w, r, docs, strings.TrimPrefix(path, "/openapi/v3/"))
	default:
		http.NotFound(w, r)
	}
}

// serveV2 answers JSON or protobuf as the Accept header prefers, 406 for anything else.
func (h *Handler) serveV2(w http.ResponseWriter, r *http.Request, docs *documents) {
	var body []byte
	var contentType string
	switch accepted(r.Header.Get("Accept"), "application/json", protobufV2Accept, protobufV2ContentType) {
	case "application/json":
		body, contentType = docs.v2JSON.body, "application/json"
	case protobufV2Accept, protobufV2ContentType:
		body, contentType = docs.v2Proto, protobufV2ContentType
	default:
		notAcceptable(w, "application/json, "+protobufV2Accept)
		return
	}
	etag := `"` + docs.v2JSON.hash + `"`
	w.Header().Set("Vary", "Accept")
	w.Header().Set("Cache-Control", "no-cache, private")
	writeDocument(w, r, etag, contentType, docs.built, body)
}

// serveV3 answers one group version's document. With the current ?hash= (the URL the
// index gives) the answer may be cached forever; an outdated hash redirects to the
// current URL, as upstream does.
func (h *Handler) serveV3(w http.ResponseWriter, r *http.Request, docs *documents, name string) {
	doc, ok := docs.v3[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	switch accepted(r.Header.Get("Accept"), "application/json", protobufV3Accept) {
	case "application/json":
	case protobufV3Accept:
		notAcceptable(w, "application/json (the protobuf form of OpenAPI v3 is not implemented)")
		return
	default:
		notAcceptable(w, "application/json")
		return
	}
	etag := `"` + doc.hash + `"`
	w.Header().Set("Vary", "Accept")
	w.Header().Set("ETag", etag)
	switch hash := r.URL.Query().Get("hash"); {
	case hash == "":
		w.Header().Set("Cache-Control", "no-cache, private")
	case hash == doc.hash:
		w.Header().Set("Cache-Control", "public, immutable")
		w.Header().Set("Expires", time.Now().AddDate(1, 0, 0).UTC().Format(http.TimeFormat))
	default:
		w.Header().Set("Cache-Control", "no-cache, private")
		w.Header().Set("Location", "/openapi/v3/"+name+"?hash="+doc.hash)
		w.WriteHeader(http.StatusMovedPermanently)
		return
	}
	writeDocument(w, r, etag, "application/json", docs.built, doc.body)
}

// writeDocument sends body, or 304 when the client's copy (If-None-Match) is current.
func writeDocument(w http.ResponseWriter, r *http.Request, etag, contentType string, modified time.Time, body []byte) {
	w.Header().Set("ETag", etag)
	w.Header().Set("Last-Modified", modified.Format(http.TimeFormat))
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// accepted returns the first of offers the Accept header allows, in the header's order
// (an empty header or */* takes the first offer), or "".
func accepted(accept string, offers ...string) string {
	if strings.TrimSpace(accept) == "" {
		return offers[0]
	}
	for part := range strings.SplitSeq(accept, ",") {
		part = strings.TrimSpace(part)
		mt, params, err := mime.ParseMediaType(part)
		if err != nil {
			// Gnostic's media types are not RFC 2045 tokens ("@"): compare them whole.
			mt, params = strings.TrimSpace(strings.Split(part, ";")[0]), nil
		}
		if params["q"] == "0" {
			continue
		}
		if mt == "*/*" || mt == "application/*" {
			return offers[0]
		}
		for _, o := range offers {
			if strings.EqualFold(mt, o) {
				return o
			}
		}
	}
	return ""
}

func notAcceptable(w http.ResponseWriter, types string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotAcceptable)
	body, _ := json.Marshal(map[string]any{
		"kind": "Status", "apiVersion": "v1", "metadata": map[string]any{}, "status": "Failure",
		"message": "only the following media types are accepted: " + types, "reason": "NotAcceptable", "code": http.StatusNotAcceptable,
	})
	_, _ = w.Write(body)
}

package apiserver

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/go-chi/chi/v5"
	"github.com/skiff-k8s/skiff/apiserver/handlers"
	"github.com/skiff-k8s/skiff/apiserver/kubeletproxy"
	"github.com/skiff-k8s/skiff/apiserver/openapi"
	"github.com/skiff-k8s/skiff/apiserver/table"
)

// buildHandler assembles the server's URL space. Around it, outermost first: panic
// recovery (a 500 Status instead of a dropped connection), then metrics.
//
//	/api, /api/v1, /apis, /apis/<g>, /apis/<g>/<v>   discovery (discovery/)
//	/api/v1/..., /apis/<g>/<v>/...                  the resources (handlers/routes.go)
//	/openapi/v2, /openapi/v3[/<group version>]     OpenAPI documents (openapi/)
//	/version                                        build information
//	/healthz, /livez, /readyz                       health checks
//	/metrics                                        Prometheus metrics
func (s *Server) buildHandler() http.Handler {
	r := chi.NewRouter()
	r.NotFound(handlers.NotFound)
	r.MethodNotAllowed(handlers.MethodNotAllowed)

	r.Get("/api", s.discovery.ServeAPI)
	r.Get("/api/{version}", func(w http.ResponseWriter, req *http.Request) {
		s.discovery.ServeResourceList(w, req, "", chi.URLParam(req, "version"))
	})
	r.Get("/apis", s.discovery.ServeAPIGroupList)
	r.Get("/apis/{group}", func(w http.ResponseWriter, req *http.Request) {
		s.discovery.ServeAPIGroup(w, req, chi.URLParam(req, "group"))
	})
	r.Get("/apis/{group}/{version}", func(w http.ResponseWriter, req *http.Request) {
		s.discovery.ServeResourceList(w, req, chi.URLParam(req, "group"), chi.URLParam(req, "version"))
	})
	s.api.Install(r)
	kubeletproxy.New(kubeletproxy.StoreObjects(s.store, s.cfg.EtcdPrefix)).Install(r)

	openAPI := openapi.New(s.api.Resources(), versionMajor+"."+versionMinor)
	r.Method(http.MethodGet, "/openapi/v2", openAPI)
	r.Method(http.MethodGet, "/openapi/v3", openAPI)
	r.Method(http.MethodGet, "/openapi/v3/*", openAPI)

	r.Get("/version", serveVersion)
	s.installHealthChecks(r)
	r.Method(http.MethodGet, "/metrics", s.metrics.Handler())

	return recoverPanics(s.metrics.Middleware(r))
}

// recoverPanics turns a handler panic into a 500 InternalError Status (when nothing was
// written yet) and a log line with the stack, so one bad request never takes the server
// down or leaves the client without an answer.
func recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tw := &trackingWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			slog.Error("handler panic", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
			if !tw.wrote {
				handlers.WriteError(w, errors.New(fmt.Sprint(v)))
			}
		}()
		next.ServeHTTP(tw, r)
	})
}

// trackingWriter records whether a response was started.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (t *trackingWriter) WriteHeader(code int) {
	t.wrote = true
	t.ResponseWriter.WriteHeader(code)
}

func (t *trackingWriter) Write(b []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(b)
}

func (t *trackingWriter) Flush() {
	if f, ok := t.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (t *trackingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// tableRenderer is how the handlers render kubectl's server-side Tables (table/).
func tableRenderer() handlers.TableRenderer { return table.Render }

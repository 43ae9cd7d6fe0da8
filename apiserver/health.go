package apiserver

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
)

// healthCheck is one named check of /healthz, /livez or /readyz.
type healthCheck struct {
	name  string
	check func(ctx context.Context) error
}

// healthChecks returns the checks of an endpoint. Liveness says the process works (a dead
// etcd makes it unhealthy too, as upstream); readiness adds that the server finished
// starting and is not shutting down.
func (s *Server) healthChecks(endpoint string) []healthCheck {
	checks := []healthCheck{
		{"ping", func(context.Context) error { return nil }},
		{"log", func(context.Context) error { return nil }},
		{"etcd", s.checkEtcd},
	}
	if endpoint == "readyz" {
		checks = append(checks,
			healthCheck{"etcd-readiness", s.checkEtcd},
			healthCheck{"poststarthook/bootstrap-controller", func(context.Context) error {
				if !s.ready.Load() {
					return fmt.Errorf("not finished")
				}
				return nil
			}},
			healthCheck{"shutdown", func(context.Context) error {
				if s.shuttingDown.Load() {
					return fmt.Errorf("process is shutting down")
				}
				return nil
			}},
		)
	}
	return checks
}

// checkEtcd reads etcd's current revision.
func (s *Server) checkEtcd(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err := s.store.CurrentRevision(ctx)
	return err
}

// installHealthChecks serves /healthz, /livez and /readyz as upstream does: "ok" when all
// checks pass; with ?verbose one line per check ("[+]ping ok") and a summary; on failure
// always the list ("[-]etcd failed: reason withheld") with status 500. ?exclude=<check>
// skips a check; /readyz/<check> runs one.
func (s *Server) installHealthChecks(r chi.Router) {
	for _, endpoint := range []string{"healthz", "livez", "readyz"} {
		r.Get("/"+endpoint, func(w http.ResponseWriter, req *http.Request) {
			s.serveHealth(w, req, endpoint)
		})
		r.Get("/"+endpoint+"/*", func(w http.ResponseWriter, req *http.Request) {
			s.serveOneCheck(w, req, endpoint, chi.URLParam(req, "*"))
		})
	}
}

func (s *Server) serveHealth(w http.ResponseWriter, req *http.Request, endpoint string) {
	q := req.URL.Query()
	excluded := q["exclude"]
	var b strings.Builder
	failed := false
	for _, c := range s.healthChecks(endpoint) {
		if slices.Contains(excluded, c.name) {
			fmt.Fprintf(&b, "[+]%s excluded: ok\n", c.name)
			continue
		}
		if err := c.check(req.Context()); err != nil {
			failed = true
			fmt.Fprintf(&b, "[-]%s failed: reason withheld\n", c.name)
			continue
		}
		fmt.Fprintf(&b, "[+]%s ok\n", c.name)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if failed {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, "%s%s check failed\n", b.String(), endpoint)
		return
	}
	if _, verbose := q["verbose"]; verbose {
		fmt.Fprintf(w, "%s%s check passed\n", b.String(), endpoint)
		return
	}
	fmt.Fprint(w, "ok")
}

func (s *Server) serveOneCheck(w http.ResponseWriter, req *http.Request, endpoint, name string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	for _, c := range s.healthChecks(endpoint) {
		if c.name != name {
			continue
		}
		if err := c.check(req.Context()); err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, "internal server error: %v\n", err)
			return
		}
		fmt.Fprint(w, "ok")
		return
	}
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprint(w, "404 page not found\n")
}

// Command demo-app is the HTTP server of Skiff's demos: it answers every request with its
// version and the pod it runs in, so a rolling update can be watched from outside.
//
//	GET /          "demo-app v1 from pod web-7d9c-abcde\n"
//	GET /healthz   200 while alive (liveness probes)
//	GET /ready     200, or 503 once readiness has been failed (readiness probes)
//	POST /fail-ready, POST /fail-live   make the probes fail from now on (probe demos)
//	GET /env?name=X  the value of environment variable X
//
// The version is set at build time (-ldflags "-X main.version=v2") or by $VERSION.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"sync/atomic"
)

var version = "v1"

func main() {
	addr := flag.String("listen", ":8080", "address to serve on")
	failReady := flag.Bool("fail-ready", false, "start with the readiness endpoint failing")
	flag.Parse()
	if v := os.Getenv("VERSION"); v != "" {
		version = v
	}
	pod := os.Getenv("POD_NAME")
	if pod == "" {
		pod, _ = os.Hostname()
	}
	var notReady, notLive atomic.Bool
	notReady.Store(*failReady || os.Getenv("FAIL_READY") == "true")

	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "demo-app %s from pod %s\n", version, pod)
	})
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if notLive.Load() {
			http.Error(w, "liveness failed on request", http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/ready", func(w http.ResponseWriter, r *http.Request) {
		if notReady.Load() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.HandleFunc("/fail-ready", func(w http.ResponseWriter, r *http.Request) {
		notReady.Store(true)
		fmt.Fprintln(w, "readiness will fail")
	})
	mux.HandleFunc("/fail-live", func(w http.ResponseWriter, r *http.Request) {
		notLive.Store(true)
		fmt.Fprintln(w, "liveness will fail")
	})
	mux.HandleFunc("/env", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, os.Getenv(r.URL.Query().Get("name")))
	})
	log.Printf("demo-app %s serving on %s", version, *addr)
	log.Fatal(http.ListenAndServe(*addr, mux))
}

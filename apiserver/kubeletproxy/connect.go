package kubeletproxy

import (
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"
)

// serveConnect answers exec, attach and portforward: after upstream's checks, the
// request (an upgrade to WebSocket or SPDY) goes to the kubelet, and once the kubelet has
// switched protocols the two connections are joined. A kubelet that refuses (an unknown
// container, say) has its answer passed to the client as is, as upstream does.
func (p *Proxy) serveConnect(sub string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		namespace, name := chi.URLParam(r, "namespace"), chi.URLParam(r, "name")
		var query url.Values
		var container string
		if sub == "portforward" {
			q, err := portForwardQuery(r.URL.Query())
			if err != nil {
				return err
			}
			query = q
		} else {
			opts, err := parseStreamOptions(r.URL.Query())
			if err != nil {
				return err
			}
			if sub == "attach" {
				opts.command = nil
			}
			query = opts.kubeletQuery()
			container = opts.container
		}
		pod, err := p.objects.Pod(r.Context(), namespace, name)
		if err != nil {
			return err
		}
		if sub != "portforward" {
			if container, err = defaultContainer(pod, container); err != nil {
				return err
			}
		}
		if pod.Spec.NodeName == "" {
			return badRequest("pod %s does not have a host assigned", name)
		}
		host, err := p.kubeletHost(r.Context(), pod.Spec.NodeName)
		if err != nil {
			return err
		}
		if !isUpgrade(r) {
			return badRequest("Upgrade request required")
		}
		path := fmt.Sprintf("/%s/%s/%s/%s", sub, pod.Namespace, pod.Name, container)
		if sub == "portforward" {
			path = fmt.Sprintf("/portForward/%s/%s", pod.Namespace, pod.Name)
		}
		p.reverseProxy(&url.URL{Scheme: "http", Host: host, Path: path, RawQuery: query.Encode()}).ServeHTTP(w, r)
		return nil
	}
}

// isUpgrade reports whether r asks to switch protocols.
func isUpgrade(r *http.Request) bool {
	for _, v := range r.Header.Values("Connection") {
		if strings.Contains(strings.ToLower(v), "upgrade") {
			return r.Header.Get("Upgrade") != ""
		}
	}
	return false
}

// reverseProxy sends requests to target (path and query replaced), streaming answers
// and joining upgraded connections. A kubelet that cannot be reached is upstream's 500
// "error dialing backend".
func (p *Proxy) reverseProxy(target *url.URL) *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL = &url.URL{Scheme: target.Scheme, Host: target.Host, Path: target.Path, RawQuery: target.RawQuery}
			pr.Out.Host = target.Host
			// The kubelet trusts the apiserver, not the client's credentials.
			pr.Out.Header.Del("Authorization")
		},
		Transport:     p.transport,
		FlushInterval: -1,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if r.Context().Err() != nil {
				return // the client left
			}
			writeStatus(w, unknownError(fmt.Errorf("error dialing backend: %w", err)))
		},
	}
}

// serveNodeProxy answers nodes/{name}/proxy/{path}: any request, passed to the node's
// kubelet at /{path}.
func (p *Proxy) serveNodeProxy(w http.ResponseWriter, r *http.Request) error {
	name := chi.URLParam(r, "name")
	host, err := p.kubeletHost(r.Context(), name)
	if err != nil {
		return err
	}
	path := "/" + chi.URLParam(r, "*")
	p.reverseProxy(&url.URL{Scheme: "http", Host: host, Path: path, RawQuery: r.URL.RawQuery}).ServeHTTP(w, r)
	return nil
}

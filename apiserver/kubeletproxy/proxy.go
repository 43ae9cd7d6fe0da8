// Package kubeletproxy serves the API's windows onto nodes: the pods subresources that
// the kubelet running the pod answers (log, exec, attach, portforward) and nodes/proxy.
// For each request it reads the pod and its node, checks what upstream's apiserver checks
// (the container, the node assignment, the options), builds the kubelet URL and passes
// the request through:
//
//	GET      /api/v1/namespaces/{ns}/pods/{name}/log          -> GET /containerLogs/{ns}/{name}/{container}
//	GET|POST /api/v1/namespaces/{ns}/pods/{name}/exec         -> /exec/{ns}/{name}/{container}
//	GET|POST /api/v1/namespaces/{ns}/pods/{name}/attach       -> /attach/{ns}/{name}/{container}
//	GET|POST /api/v1/namespaces/{ns}/pods/{name}/portforward  -> /portForward/{ns}/{name}
//	*        /api/v1/nodes/{name}/proxy/{path}                -> /{path}
//
// exec, attach and portforward are connection upgrades (WebSocket or SPDY): the kubelet
// speaks every protocol version kubectl uses, so the apiserver only relays bytes once the
// kubelet has answered 101 Switching Protocols (unlike upstream's apiserver, which
// translates WebSocket v5 to SPDY itself).
//
// The kubelet is found from the node object: the address of type InternalIP (127.0.0.1
// when there is none: Skiff's kubelets listen on loopback) and the port in
// status.daemonEndpoints.kubeletEndpoint (10250 when unset), over plain HTTP.
package kubeletproxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/apiserver/handlers"
	apirequest "github.com/skiff-k8s/skiff/apiserver/request"
	"github.com/skiff-k8s/skiff/apiserver/storage"
)

// DefaultKubeletPort is where a kubelet listens when its node does not say.
const DefaultKubeletPort = 10250

// Objects reads the pods and nodes the proxy needs. Errors are API errors (a missing pod
// is a 404 "pods \"x\" not found").
type Objects interface {
	Pod(ctx context.Context, namespace, name string) (*corev1.Pod, error)
	Node(ctx context.Context, name string) (*corev1.Node, error)
}

// StoreObjects reads them from storage, under prefix ("/registry"), where the handlers
// keep them as JSON.
func StoreObjects(store storage.Store, prefix string) Objects {
	return storeObjects{store: store, prefix: prefix}
}

type storeObjects struct {
	store  storage.Store
	prefix string
}

func (s storeObjects) Pod(ctx context.Context, namespace, name string) (*corev1.Pod, error) {
	pod := &corev1.Pod{}
	if err := s.get(ctx, s.prefix+"/pods/"+namespace+"/"+name, "pods", name, pod); err != nil {
		return nil, err
	}
	return pod, nil
}

func (s storeObjects) Node(ctx context.Context, name string) (*corev1.Node, error) {
	node := &corev1.Node{}
	if err := s.get(ctx, s.prefix+"/nodes/"+name, "nodes", name, node); err != nil {
		return nil, err
	}
	return node, nil
}

func (s storeObjects) get(ctx context.Context, key, resource, name string, into any) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	kv, err := s.store.Get(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return notFound(resource, name)
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(kv.Value, into); err != nil {
		return fmt.Errorf("decode %s: %w", key, err)
	}
	return nil
}

// Proxy serves the subresources.
type Proxy struct {
	objects Objects
	// transport reaches kubelets. It never uses an HTTP proxy from the environment:
	// kubelets are on this machine.
	transport *http.Transport
}

// New returns a Proxy reading objects through objects.
func New(objects Objects) *Proxy {
	return &Proxy{
		objects: objects,
		transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConnsPerHost:   10,
			IdleConnTimeout:       90 * time.Second,
			ResponseHeaderTimeout: 0, // logs may wait long for the first line
		},
	}
}

// Install registers the routes on r.
func (p *Proxy) Install(r chi.Router) {
	pod := "/api/v1/namespaces/{namespace}/pods/{name}"
	r.Get(pod+"/log", p.handle("GET", "pods", "log", p.serveLog))
	for _, sub := range []string{"exec", "attach", "portforward"} {
		h := p.handle("CONNECT", "pods", sub, p.serveConnect(sub))
		r.Get(pod+"/"+sub, h)
		r.Post(pod+"/"+sub, h)
	}
	nodeProxy := p.handle("CONNECT", "nodes", "proxy", p.serveNodeProxy)
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead, http.MethodOptions} {
		r.Method(m, "/api/v1/nodes/{name}/proxy", nodeProxy)
		r.Method(m, "/api/v1/nodes/{name}/proxy/*", nodeProxy)
	}
}

// handle labels the request for metrics and answers errors as Statuses.
func (p *Proxy) handle(verb, resource, subresource string, fn func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if info := apirequest.InfoFrom(r.Context()); info != nil {
			info.Verb, info.Version, info.Resource, info.Subresource = verb, "v1", resource, subresource
			info.Namespace, info.Name, info.Scope = chi.URLParam(r, "namespace"), chi.URLParam(r, "name"), "resource"
			info.LongRunning = verb == "CONNECT" || r.URL.Query().Get("follow") == "true"
		}
		if err := fn(w, r); err != nil {
			handlers.WriteError(w, err)
		}
	}
}

// kubeletHost is host:port of the kubelet of nodeName.
func (p *Proxy) kubeletHost(ctx context.Context, nodeName string) (string, error) {
	node, err := p.objects.Node(ctx, nodeName)
	if err != nil {
		return "", err
	}
	return kubeletAddress(node), nil
}

// kubeletAddress picks the node's InternalIP (loopback when it has none) and its kubelet
// port.
func kubeletAddress(node *corev1.Node) string {
	host := "127.0.0.1"
	for _, a := range node.Status.Addresses {
		if a.Type == corev1.NodeInternalIP && a.Address != "" {
			host = a.Address
			break
		}
	}
	port := int(node.Status.DaemonEndpoints.KubeletEndpoint.Port)
	if port <= 0 {
		port = DefaultKubeletPort
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

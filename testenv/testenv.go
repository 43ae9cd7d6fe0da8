// Package testenv runs a real Skiff apiserver inside a test: embedded etcd in the test's
// temporary directory, plain HTTP on a free 127.0.0.1 port, and a kubeconfig file pointing
// at it, so a test can use net/http, Skiff's client or kubectl against it.
//
// Promise: Start returns once the server answers (in well under a second), and the test's
// cleanup stops it and removes its data.
package testenv

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/skiff-k8s/skiff/apiserver"
	"github.com/skiff-k8s/skiff/apiserver/registry"
)

// Env is a running apiserver.
type Env struct {
	// URL is the server's base URL, "http://127.0.0.1:<port>".
	URL string
	// KubeconfigPath is a kubeconfig whose current context points at URL.
	KubeconfigPath string
	// Dir holds the etcd data and the kubeconfig.
	Dir string
	// Server is the apiserver itself.
	Server *apiserver.Server

	cancel context.CancelFunc
	done   chan error
}

// Option changes how the server is configured.
type Option func(*apiserver.Config)

// WithResources serves these resources instead of registry.All().
func WithResources(rs ...*registry.Resource) Option {
	return func(c *apiserver.Config) { c.Resources = rs }
}

// WithConfig edits the server configuration before it starts.
func WithConfig(edit func(*apiserver.Config)) Option { return Option(edit) }

// Start runs an apiserver for the test t and stops it when t ends.
func Start(t testing.TB, opts ...Option) *Env {
	t.Helper()
	env, err := StartServer(context.Background(), t.TempDir(), opts...)
	if err != nil {
		t.Fatalf("start apiserver: %v", err)
	}
	t.Cleanup(env.Stop)
	return env
}

// StartServer runs an apiserver with its data in dir until Stop (for benchmarks and tools
// outside tests).
func StartServer(ctx context.Context, dir string, opts ...Option) (*Env, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen on a free loopback port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	cfg := apiserver.Config{
		BindAddress: "127.0.0.1",
		Port:        port,
		DataDir:     filepath.Join(dir, "etcd"),
	}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := apiserver.New(ctx, cfg)
	if err != nil {
		l.Close()
		return nil, err
	}
	env := &Env{
		URL:            fmt.Sprintf("http://127.0.0.1:%d", port),
		KubeconfigPath: filepath.Join(dir, "kubeconfig"),
		Dir:            dir,
		Server:         srv,
		done:           make(chan error, 1),
	}
	if err := os.WriteFile(env.KubeconfigPath, []byte(Kubeconfig(env.URL)), 0o600); err != nil {
		l.Close()
		srv.Close()
		return nil, err
	}
	sctx, cancel := context.WithCancel(context.Background())
	env.cancel = cancel
	go func() { env.done <- srv.Serve(sctx, l) }()
	return env, nil
}

// Stop shuts the server down and waits for it.
func (e *Env) Stop() {
	if e.cancel == nil {
		return
	}
	e.cancel()
	e.cancel = nil
	select {
	case <-e.done:
	case <-time.After(10 * time.Second):
	}
	e.Server.Close()
}

// Client returns an HTTP client for the server (no proxies, generous connection reuse).
func (e *Env) Client() *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        100,
		MaxIdleConnsPerHost: 100,
		IdleConnTimeout:     90 * time.Second,
	}}
}

// Kubeconfig returns a kubeconfig for a server at url, with context "skiff" and namespace
// default.
func Kubeconfig(url string) string {
	return `apiVersion: v1
kind: Config
clusters:
- name: skiff
  cluster:
    server: ` + url + `
contexts:
- name: skiff
  context:
    cluster: skiff
    user: skiff
    namespace: default
current-context: skiff
users:
- name: skiff
  user: {}
preferences: {}
`
}

package rest

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Config is everything needed to reach and authenticate to one API server. It is what a
// kubeconfig context resolves to; Client never reads files other than those named here.
type Config struct {
	// Host is the server's base URL, e.g. "https://127.0.0.1:6443".
	Host string

	// TLS: the CA that signs the server's certificate (data wins over file), the client
	// certificate pair, and the escape hatch that skips server verification altogether.
	CAData   []byte
	CAFile   string
	CertData []byte
	CertFile string
	KeyData  []byte
	KeyFile  string
	Insecure bool
	// ServerName overrides the name checked against the server certificate (SNI).
	ServerName string

	// BearerToken authenticates as a service account or static token user. BearerTokenFile
	// is re-read periodically, because projected service account tokens rotate.
	BearerToken     string
	BearerTokenFile string
	// Username and Password are HTTP basic credentials; kubeconfigs still allow them.
	Username string
	Password string

	// Namespace is the default namespace of the kubeconfig context ("" if none). The client
	// does not apply it; commands that act "in the current namespace" read it.
	Namespace string

	// Timeout bounds each non-watch request; zero means only the caller's context does.
	Timeout time.Duration
	// MaxRetries is how many times a transient failure is retried; negative disables
	// retries, zero means DefaultMaxRetries.
	MaxRetries int
}

// DefaultMaxRetries is the retry budget of a Config that sets none: with the backoff in
// retry.go it spans roughly six seconds, enough to ride out an API server restart.
const DefaultMaxRetries = 5

// In-cluster service account files, mounted into every pod by the kubelet.
const (
	serviceAccountDir       = "/var/run/secrets/kubernetes.io/serviceaccount"
	serviceAccountTokenFile = serviceAccountDir + "/token"
	serviceAccountCAFile    = serviceAccountDir + "/ca.crt"
	serviceAccountNSFile    = serviceAccountDir + "/namespace"
)

// InClusterConfig builds a Config for a process running in a pod: the server is the
// "kubernetes" service named by KUBERNETES_SERVICE_HOST/PORT, the identity is the pod's
// service account token.
func InClusterConfig() (*Config, error) {
	host, port := os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")
	if host == "" || port == "" {
		return nil, fmt.Errorf("in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set")
	}
	if _, err := os.Stat(serviceAccountTokenFile); err != nil {
		return nil, fmt.Errorf("in-cluster config: %w", err)
	}
	cfg := &Config{
		Host:            "https://" + net.JoinHostPort(host, port),
		CAFile:          serviceAccountCAFile,
		BearerTokenFile: serviceAccountTokenFile,
	}
	if ns, err := os.ReadFile(serviceAccountNSFile); err == nil {
		cfg.Namespace = string(ns)
	}
	return cfg, nil
}

// resolvePath makes a kubeconfig-relative path absolute: kubectl resolves certificate and
// token paths against the directory of the file that mentioned them.
func resolvePath(dir, p string) string {
	if p == "" || filepath.IsAbs(p) || dir == "" {
		return p
	}
	return filepath.Join(dir, p)
}

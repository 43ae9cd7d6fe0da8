package v1

import (
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// The option kinds below are not stored: they are the query parameters of the pod
// subresources (log, attach, exec, portforward, proxy), named the way upstream's parameter
// codec reads them. The JSON names double as the query parameter names.

// PodLogOptions are the parameters of GET pods/log.
type PodLogOptions struct {
	metav1.TypeMeta              `json:",inline"`
	Container                    string       `json:"container,omitempty"`
	Follow                       bool         `json:"follow,omitempty"`
	Previous                     bool         `json:"previous,omitempty"`
	SinceSeconds                 *int64       `json:"sinceSeconds,omitempty"`
	SinceTime                    *metav1.Time `json:"sinceTime,omitempty"`
	Timestamps                   bool         `json:"timestamps,omitempty"`
	TailLines                    *int64       `json:"tailLines,omitempty"`
	LimitBytes                   *int64       `json:"limitBytes,omitempty"`
	InsecureSkipTLSVerifyBackend bool         `json:"insecureSkipTLSVerifyBackend,omitempty"`
	// Stream is Stdout, Stderr or All (the default).
	Stream *string `json:"stream,omitempty"`
}

// The log streams of PodLogOptions.Stream.
const (
	LogStreamStdout = "Stdout"
	LogStreamStderr = "Stderr"
	LogStreamAll    = "All"
)

// PodAttachOptions are the parameters of pods/attach.
type PodAttachOptions struct {
	metav1.TypeMeta `json:",inline"`
	Stdin           bool   `json:"stdin,omitempty"`
	Stdout          bool   `json:"stdout,omitempty"`
	Stderr          bool   `json:"stderr,omitempty"`
	TTY             bool   `json:"tty,omitempty"`
	Container       string `json:"container,omitempty"`
}

// PodExecOptions are the parameters of pods/exec.
type PodExecOptions struct {
	metav1.TypeMeta `json:",inline"`
	Stdin           bool     `json:"stdin,omitempty"`
	Stdout          bool     `json:"stdout,omitempty"`
	Stderr          bool     `json:"stderr,omitempty"`
	TTY             bool     `json:"tty,omitempty"`
	Container       string   `json:"container,omitempty"`
	Command         []string `json:"command"`
}

// PodPortForwardOptions are the parameters of pods/portforward.
type PodPortForwardOptions struct {
	metav1.TypeMeta `json:",inline"`
	Ports           []int32 `json:"ports,omitempty"`
}

// PodProxyOptions are the parameters of pods/proxy.
type PodProxyOptions struct {
	metav1.TypeMeta `json:",inline"`
	Path            string `json:"path,omitempty"`
}

// NodeProxyOptions are the parameters of nodes/proxy.
type NodeProxyOptions struct {
	metav1.TypeMeta `json:",inline"`
	Path            string `json:"path,omitempty"`
}

// ServiceProxyOptions are the parameters of services/proxy.
type ServiceProxyOptions struct {
	metav1.TypeMeta `json:",inline"`
	Path            string `json:"path,omitempty"`
}

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
	Container                    string       `json:"container,omitempty" protobuf:"bytes,1,opt,name=container"`
	Follow                       bool         `json:"follow,omitempty" protobuf:"varint,2,opt,name=follow"`
	Previous                     bool         `json:"previous,omitempty" protobuf:"varint,3,opt,name=previous"`
	SinceSeconds                 *int64       `json:"sinceSeconds,omitempty" protobuf:"varint,4,opt,name=sinceSeconds"`
	SinceTime                    *metav1.Time `json:"sinceTime,omitempty" protobuf:"bytes,5,opt,name=sinceTime"`
	Timestamps                   bool         `json:"timestamps,omitempty" protobuf:"varint,6,opt,name=timestamps"`
	TailLines                    *int64       `json:"tailLines,omitempty" protobuf:"varint,7,opt,name=tailLines"`
	LimitBytes                   *int64       `json:"limitBytes,omitempty" protobuf:"varint,8,opt,name=limitBytes"`
	InsecureSkipTLSVerifyBackend bool         `json:"insecureSkipTLSVerifyBackend,omitempty" protobuf:"varint,9,opt,name=insecureSkipTLSVerifyBackend"`
	// Stream is Stdout, Stderr or All (the default).
	Stream *string `json:"stream,omitempty" protobuf:"bytes,10,opt,name=stream"`
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
	Stdin           bool   `json:"stdin,omitempty" protobuf:"varint,1,opt,name=stdin"`
	Stdout          bool   `json:"stdout,omitempty" protobuf:"varint,2,opt,name=stdout"`
	Stderr          bool   `json:"stderr,omitempty" protobuf:"varint,3,opt,name=stderr"`
	TTY             bool   `json:"tty,omitempty" protobuf:"varint,4,opt,name=tty"`
	Container       string `json:"container,omitempty" protobuf:"bytes,5,opt,name=container"`
}

// PodExecOptions are the parameters of pods/exec.
type PodExecOptions struct {
	metav1.TypeMeta `json:",inline"`
	Stdin           bool     `json:"stdin,omitempty" protobuf:"varint,1,opt,name=stdin"`
	Stdout          bool     `json:"stdout,omitempty" protobuf:"varint,2,opt,name=stdout"`
	Stderr          bool     `json:"stderr,omitempty" protobuf:"varint,3,opt,name=stderr"`
	TTY             bool     `json:"tty,omitempty" protobuf:"varint,4,opt,name=tty"`
	Container       string   `json:"container,omitempty" protobuf:"bytes,5,opt,name=container"`
	Command         []string `json:"command" protobuf:"bytes,6,rep,name=command"`
}

// PodPortForwardOptions are the parameters of pods/portforward.
type PodPortForwardOptions struct {
	metav1.TypeMeta `json:",inline"`
	Ports           []int32 `json:"ports,omitempty" protobuf:"varint,1,rep,name=ports"`
}

// PodProxyOptions are the parameters of pods/proxy.
type PodProxyOptions struct {
	metav1.TypeMeta `json:",inline"`
	Path            string `json:"path,omitempty" protobuf:"bytes,1,opt,name=path"`
}

// NodeProxyOptions are the parameters of nodes/proxy.
type NodeProxyOptions struct {
	metav1.TypeMeta `json:",inline"`
	Path            string `json:"path,omitempty" protobuf:"bytes,1,opt,name=path"`
}

// ServiceProxyOptions are the parameters of services/proxy.
type ServiceProxyOptions struct {
	metav1.TypeMeta `json:",inline"`
	Path            string `json:"path,omitempty" protobuf:"bytes,1,opt,name=path"`
}

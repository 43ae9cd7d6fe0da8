package kubeletproxy

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/validation"
)

// Query parameters are decoded the way upstream's parameter codec decodes them: the
// option struct's JSON names, booleans and integers through strconv (whose errors become
// 400s), the last value winning except for lists.

func queryBool(q url.Values, name string) (bool, error) {
	v := q.Get(name)
	if v == "" {
		return false, nil
	}
	return strconv.ParseBool(v)
}

func queryInt(q url.Values, name string) (*int64, error) {
	v := q.Get(name)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, err
	}
	return &n, nil
}

// parseLogOptions reads PodLogOptions.
func parseLogOptions(q url.Values) (*corev1.PodLogOptions, error) {
	o := &corev1.PodLogOptions{Container: q.Get("container")}
	var err error
	for name, dst := range map[string]*bool{"follow": &o.Follow, "previous": &o.Previous, "timestamps": &o.Timestamps, "insecureSkipTLSVerifyBackend": &o.InsecureSkipTLSVerifyBackend} {
		if *dst, err = queryBool(q, name); err != nil {
			return nil, badRequest("%v", err)
		}
	}
	for name, dst := range map[string]**int64{"sinceSeconds": &o.SinceSeconds, "tailLines": &o.TailLines, "limitBytes": &o.LimitBytes} {
		if *dst, err = queryInt(q, name); err != nil {
			return nil, badRequest("%v", err)
		}
	}
	if v := q.Get("sinceTime"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return nil, badRequest("%v", err)
		}
		mt := metav1.NewTime(t)
		o.SinceTime = &mt
	}
	if v, ok := q["stream"]; ok {
		s := v[len(v)-1]
		o.Stream = &s
	}
	return o, nil
}

// validateLogOptions is upstream's validation, with stream selection (the alpha
// PodLogsQuerySplitStreams feature) off, as upstream has it by default.
func validateLogOptions(o *corev1.PodLogOptions) validation.ErrorList {
	var errs validation.ErrorList
	if o.TailLines != nil && *o.TailLines < 0 {
		errs = append(errs, validation.Invalid(validation.NewPath("tailLines"), *o.TailLines, "must be greater than or equal to 0"))
	}
	if o.LimitBytes != nil && *o.LimitBytes < 1 {
		errs = append(errs, validation.Invalid(validation.NewPath("limitBytes"), *o.LimitBytes, "must be greater than 0"))
	}
	switch {
	case o.SinceSeconds != nil && o.SinceTime != nil:
		errs = append(errs, validation.Forbidden(validation.NewPath(""), "at most one of `sinceTime` or `sinceSeconds` may be specified"))
	case o.SinceSeconds != nil && *o.SinceSeconds < 1:
		errs = append(errs, validation.Invalid(validation.NewPath("sinceSeconds"), *o.SinceSeconds, "must be greater than 0"))
	}
	if o.Stream != nil {
		errs = append(errs, validation.Forbidden(validation.NewPath("stream"), "may not be specified"))
	}
	return errs
}

// kubeletLogQuery is the query of the kubelet's /containerLogs URL.
func kubeletLogQuery(o *corev1.PodLogOptions) url.Values {
	q := url.Values{}
	if o.Follow {
		q.Add("follow", "true")
	}
	if o.Previous {
		q.Add("previous", "true")
	}
	if o.Timestamps {
		q.Add("timestamps", "true")
	}
	if o.SinceSeconds != nil {
		q.Add("sinceSeconds", strconv.FormatInt(*o.SinceSeconds, 10))
	}
	if o.SinceTime != nil {
		q.Add("sinceTime", o.SinceTime.UTC().Format(time.RFC3339))
	}
	if o.TailLines != nil {
		q.Add("tailLines", strconv.FormatInt(*o.TailLines, 10))
	}
	if o.LimitBytes != nil {
		q.Add("limitBytes", strconv.FormatInt(*o.LimitBytes, 10))
	}
	return q
}

// streamOptions are PodExecOptions and PodAttachOptions (attach has no command).
type streamOptions struct {
	stdin, stdout, stderr, tty bool
	container                  string
	command                    []string
}

func parseStreamOptions(q url.Values) (*streamOptions, error) {
	o := &streamOptions{container: q.Get("container"), command: q["command"]}
	var err error
	for name, dst := range map[string]*bool{"stdin": &o.stdin, "stdout": &o.stdout, "stderr": &o.stderr, "tty": &o.tty} {
		if *dst, err = queryBool(q, name); err != nil {
			return nil, badRequest("%v", err)
		}
	}
	return o, nil
}

// kubeletQuery is the query of the kubelet's /exec or /attach URL: upstream's parameter
// names there are input, output, error and tty, each "1" when on.
func (o *streamOptions) kubeletQuery() url.Values {
	q := url.Values{}
	if o.stdin {
		q.Add("input", "1")
	}
	if o.stdout {
		q.Add("output", "1")
	}
	if o.stderr {
		q.Add("error", "1")
	}
	if o.tty {
		q.Add("tty", "1")
	}
	for _, c := range o.command {
		q.Add("command", c)
	}
	return q
}

// portForwardQuery is the kubelet's /portForward query: the ports, comma separated.
func portForwardQuery(q url.Values) (url.Values, error) {
	var ports []string
	for _, v := range q["ports"] {
		for _, p := range strings.Split(v, ",") {
			if _, err := strconv.ParseInt(p, 10, 32); err != nil {
				return nil, badRequest("%v", err)
			}
			ports = append(ports, p)
		}
	}
	out := url.Values{}
	if len(ports) > 0 {
		out.Set("port", strings.Join(ports, ","))
	}
	return out, nil
}

// defaultContainer picks the container a request addresses, as upstream's apiserver
// does: the one named (which must exist, of any kind), else the pod's only container.
// A pod with several needs a name; upstream lists every container, init and ephemeral
// ones included. (kubectl reads the kubectl.kubernetes.io/default-container annotation
// itself before asking; the server does not.)
func defaultContainer(pod *corev1.Pod, container string) (string, error) {
	if container != "" {
		if !hasContainer(pod, container) {
			return "", badRequest("container %s is not valid for pod %s", container, pod.Name)
		}
		return container, nil
	}
	switch len(pod.Spec.Containers) {
	case 1:
		return pod.Spec.Containers[0].Name, nil
	case 0:
		return "", badRequest("a container name must be specified for pod %s", pod.Name)
	}
	var names []string
	for _, c := range pod.Spec.InitContainers {
		names = append(names, c.Name)
	}
	for _, c := range pod.Spec.Containers {
		names = append(names, c.Name)
	}
	for _, c := range pod.Spec.EphemeralContainers {
		names = append(names, c.Name)
	}
	return "", badRequest("a container name must be specified for pod %s, choose one of: %s", pod.Name, fmt.Sprint(names))
}

func hasContainer(pod *corev1.Pod, name string) bool {
	for _, c := range pod.Spec.InitContainers {
		if c.Name == name {
			return true
		}
	}
	for _, c := range pod.Spec.Containers {
		if c.Name == name {
			return true
		}
	}
	for _, c := range pod.Spec.EphemeralContainers {
		if c.Name == name {
			return true
		}
	}
	return false
}

package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/kubelet/server/crilog"
)

// logOptions are the query parameters of /containerLogs (PodLogOptions), as parsed.
type logOptions struct {
	follow, previous, timestamps bool
	sinceSeconds, tailLines      *int64
	limitBytes                   *int64
	sinceTime                    *time.Time
}

// errDecode and errInvalid are upstream's (JSON-looking) texts for bad queries.
var (
	errDecode  = errors.New(`{"message": "Unable to decode query."}`)
	errInvalid = errors.New(`{"message": "Invalid request."}`)
)

// parseLogOptions reads PodLogOptions from the query. "tail" is the older spelling of
// tailLines ("all" meaning no limit). Values must satisfy upstream's validation: tail
// lines >= 0, limit bytes >= 1, since seconds >= 1, and only one of the two "since".
func parseLogOptions(q url.Values) (logOptions, error) {
	var o logOptions
	if tail := q.Get("tail"); tail != "" {
		q = cloneValues(q)
		q.Set("tailLines", tail)
		if tail == "all" {
			q.Del("tailLines")
		}
	}
	var err error
	boolean := func(name string) bool {
		v := q.Get(name)
		if v == "" || err != nil {
			return false
		}
		b, perr := strconv.ParseBool(v)
		if perr != nil {
			err = errDecode
		}
		return b
	}
	integer := func(name string) *int64 {
		v := q.Get(name)
		if v == "" || err != nil {
			return nil
		}
		n, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil {
			err = errDecode
			return nil
		}
		return &n
	}
	o.follow = boolean("follow")
	o.previous = boolean("previous")
	o.timestamps = boolean("timestamps")
	o.sinceSeconds = integer("sinceSeconds")
	o.tailLines = integer("tailLines")
	o.limitBytes = integer("limitBytes")
	if v := q.Get("sinceTime"); v != "" && err == nil {
		t, perr := time.Parse(time.RFC3339, v)
		if perr != nil {
			return o, errDecode
		}
		o.sinceTime = &t
	}
	if err != nil {
		return o, err
	}
	if (o.tailLines != nil && *o.tailLines < 0) || (o.limitBytes != nil && *o.limitBytes < 1) ||
		(o.sinceSeconds != nil && *o.sinceSeconds < 1) || (o.sinceSeconds != nil && o.sinceTime != nil) {
		return o, errInvalid
	}
	// Choosing one stream is upstream's PodLogsQuerySplitStreams feature, alpha and off
	// by default: only "All" is served, with upstream's refusal for the others.
	if stream := q.Get("stream"); stream != "" && stream != corev1.LogStreamAll {
		return o, fmt.Errorf("unable to return the given log stream: %q. Please enable PodLogsQuerySplitStreams feature gate in kubelet", stream)
	}
	return o, nil
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// readerOptions turns the query options into the reader's, at time now.
func (o logOptions) readerOptions(now time.Time) crilog.Options {
	r := crilog.Options{TailLines: -1, Follow: o.follow, Timestamps: o.timestamps}
	if o.tailLines != nil {
		r.TailLines = *o.tailLines
	}
	if o.limitBytes != nil {
		r.LimitBytes = *o.limitBytes
	}
	if o.sinceSeconds != nil {
		r.Since = now.Add(-time.Duration(*o.sinceSeconds) * time.Second)
	}
	if o.sinceTime != nil {
		r.Since = *o.sinceTime
	}
	return r
}

// logContainerID decides which container instance's log to read from the pod's status,
// as upstream's kubelet does: the previous terminated instance for previous, else the
// running one, else the last terminated one. A container that has not run yet gets
// upstream's "waiting to start" messages.
func logContainerID(pod *corev1.Pod, container string, previous bool) (string, error) {
	var st *corev1.ContainerStatus
	for _, list := range [][]corev1.ContainerStatus{pod.Status.ContainerStatuses, pod.Status.InitContainerStatuses, pod.Status.EphemeralContainerStatuses} {
		for i := range list {
			if list[i].Name == container {
				st = &list[i]
				break
			}
		}
		if st != nil {
			break
		}
	}
	if st == nil {
		return "", fmt.Errorf("container %q in pod %q is not available", container, pod.Name)
	}
	last := st.LastTerminationState.Terminated
	waiting, running, terminated := st.State.Waiting, st.State.Running, st.State.Terminated
	switch {
	case previous:
		if last == nil || last.ContainerID == "" {
			return "", fmt.Errorf("previous terminated container %q in pod %q not found", container, pod.Name)
		}
		return last.ContainerID, nil
	case running != nil:
		return st.ContainerID, nil
	case terminated != nil:
		if terminated.ContainerID != "" {
			return terminated.ContainerID, nil
		}
		if last != nil && last.ContainerID != "" {
			return last.ContainerID, nil
		}
		return "", fmt.Errorf("container %q in pod %q is terminated", container, pod.Name)
	case last != nil:
		if last.ContainerID == "" {
			return "", fmt.Errorf("container %q in pod %q is terminated", container, pod.Name)
		}
		return last.ContainerID, nil
	case waiting != nil:
		switch waiting.Reason {
		case "ErrImagePull":
			return "", fmt.Errorf("container %q in pod %q is waiting to start: image can't be pulled", container, pod.Name)
		case "ImagePullBackOff":
			return "", fmt.Errorf("container %q in pod %q is waiting to start: trying and failing to pull image", container, pod.Name)
		default:
			return "", fmt.Errorf("container %q in pod %q is waiting to start: %v", container, pod.Name, waiting.Reason)
		}
	}
	return "", fmt.Errorf("container %q in pod %q is waiting to start - no logs yet", container, pod.Name)
}

// runtimeID strips the "<runtime>://" prefix of a status container id.
func runtimeID(containerID string) string {
	if _, id, ok := strings.Cut(containerID, "://"); ok {
		return id
	}
	return containerID
}

// hasContainer reports whether the pod's spec has a container (of any kind) named name.
func hasContainer(pod *corev1.Pod, name string) bool {
	for _, c := range pod.Spec.Containers {
		if c.Name == name {
			return true
		}
	}
	for _, c := range pod.Spec.InitContainers {
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

// serveContainerLogs answers /containerLogs/{namespace}/{pod}/{container}.
func (s *Server) serveContainerLogs(w http.ResponseWriter, r *http.Request) {
	namespace, podName, container := r.PathValue("namespace"), r.PathValue("pod"), r.PathValue("container")
	opts, err := parseLogOptions(r.URL.Query())
	if err != nil {
		code := http.StatusBadRequest
		if err == errInvalid {
			code = http.StatusUnprocessableEntity
		}
		writeText(w, code, err.Error())
		return
	}
	pod, ok := s.pods.GetPodByName(namespace, podName)
	if !ok {
		writeText(w, http.StatusNotFound, fmt.Sprintf("pod %q does not exist", podName))
		return
	}
	if !hasContainer(pod, container) {
		writeText(w, http.StatusNotFound, fmt.Sprintf("container %q not found in pod %q", container, podName))
		return
	}
	statusID, err := logContainerID(pod, container, opts.previous)
	if err != nil {
		writeText(w, http.StatusBadRequest, err.Error())
		return
	}
	id := runtimeID(statusID)
	st, err := s.runtime.ContainerStatus(r.Context(), &runtimeapi.ContainerStatusRequest{ContainerId: id})
	if err != nil {
		writeText(w, http.StatusBadRequest, fmt.Sprintf("failed to get container status %q: %v", id, err))
		return
	}
	logPath := st.GetStatus().GetLogPath()
	if logPath == "" {
		writeText(w, http.StatusBadRequest, fmt.Sprintf("container %q in pod %q has no log file", container, podName))
		return
	}

	out := &flushWriter{w: w}
	if f, ok := w.(http.Flusher); ok {
		out.flush = f.Flush
	}
	w.Header().Set("Content-Type", "text/plain")
	// Send the headers now: a follow of a quiet container must not look like a hung
	// request.
	w.WriteHeader(http.StatusOK)
	out.Flush()
	running := func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		resp, err := s.runtime.ContainerStatus(ctx, &runtimeapi.ContainerStatusRequest{ContainerId: id})
		if err != nil {
			return false
		}
		return resp.GetStatus().GetState() == runtimeapi.ContainerState_CONTAINER_RUNNING
	}
	if err := crilog.Read(r.Context(), logPath, opts.readerOptions(time.Now()), out, out, running); err != nil {
		s.log.Debug("container log read ended", "namespace", namespace, "pod", podName, "container", container, "err", err)
		// The status line is gone; the error ends the stream as text, as upstream's does.
		fmt.Fprintf(out, "%v\n", err)
	}
}

// flushWriter flushes after every write, so followed lines reach the client at once.
type flushWriter struct {
	w     io.Writer
	flush func()
}

func (f *flushWriter) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	f.Flush()
	return n, err
}

func (f *flushWriter) Flush() {
	if f.flush != nil {
		f.flush()
	}
}

package kubeletproxy

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"
)

// maxErrorBody bounds how much of a kubelet's error answer is read.
const maxErrorBody = 50000

// serveLog answers pods/log: the options are decoded and validated, the container
// chosen, and the kubelet's /containerLogs answer streamed back as text/plain (flushed
// as it comes when following). A pod not yet on a node has no logs: 204, no body.
func (p *Proxy) serveLog(w http.ResponseWriter, r *http.Request) error {
	namespace, name := chi.URLParam(r, "namespace"), chi.URLParam(r, "name")
	opts, err := parseLogOptions(r.URL.Query())
	if err != nil {
		return err
	}
	if errs := validateLogOptions(opts); len(errs) > 0 {
		return invalid("PodLogOptions", name, errs)
	}
	pod, err := p.objects.Pod(r.Context(), namespace, name)
	if err != nil {
		return err
	}
	container, err := defaultContainer(pod, opts.Container)
	if err != nil {
		return err
	}
	if pod.Spec.NodeName == "" {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	host, err := p.kubeletHost(r.Context(), pod.Spec.NodeName)
	if err != nil {
		return err
	}
	u := url.URL{
		Scheme:   "http",
		Host:     host,
		Path:     fmt.Sprintf("/containerLogs/%s/%s/%s", pod.Namespace, pod.Name, container),
		RawQuery: kubeletLogQuery(opts).Encode(),
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	resp, err := p.transport.RoundTrip(req)
	if err != nil {
		// The text of a failed client request: `Get "http://...": dial tcp ...`.
		return unknownError(&url.Error{Op: "Get", URL: u.String(), Err: err})
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 206 {
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		if err != nil {
			return unknownError(err)
		}
		return kubeletResponseError(resp.StatusCode, strings.TrimSuffix(string(body), "\n"), "pods/log", name)
	}

	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	if flusher == nil {
		flusher = flushFunc(func() { _ = http.NewResponseController(w).Flush() })
	}
	buf := make([]byte, 32*1024)
	for {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return nil
			}
			if opts.Follow {
				flusher.Flush()
			}
		}
		if rerr != nil {
			return nil
		}
	}
}

type flushFunc func()

func (f flushFunc) Flush() { f() }

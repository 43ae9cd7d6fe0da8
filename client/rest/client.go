package rest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"time"
)

// The API verbs a Request can carry. They are Kubernetes verbs, not HTTP methods: "list"
// and "get" are both GETs, "watch" is a GET that streams. Fakes record them as actions.
const (
	VerbGet              = "get"
	VerbList             = "list"
	VerbWatch            = "watch"
	VerbCreate           = "create"
	VerbUpdate           = "update"
	VerbPatch            = "patch"
	VerbDelete           = "delete"
	VerbDeleteCollection = "deletecollection"
)

// Request is one API call described in resource terms. The typed clients fill it in; the
// Client turns it into a URL and an HTTP method, a fake (package clienttest) serves it from
// memory.
type Request struct {
	Verb string
	// Group is "" for the core (legacy) group, served under /api.
	Group, Version, Resource string
	// Namespace is empty for cluster-scoped resources and for lists across all namespaces.
	Namespace, Name, Subresource string
	// AbsPath, when set, replaces the resource path (discovery: "/apis", "/version").
	AbsPath string
	Query   url.Values
	Body    []byte
	// ContentType of Body; JSON unless a patch says otherwise.
	ContentType string
}

// Path renders the request's URL path, e.g. /apis/apps/v1/namespaces/default/deployments/web/scale.
func (r *Request) Path() string {
	if r.AbsPath != "" {
		return r.AbsPath
	}
	var b strings.Builder
	if r.Group == "" {
		b.WriteString("/api/" + r.Version)
	} else {
		b.WriteString("/apis/" + r.Group + "/" + r.Version)
	}
	if r.Namespace != "" {
		b.WriteString("/namespaces/" + url.PathEscape(r.Namespace))
	}
	b.WriteString("/" + r.Resource)
	if r.Name != "" {
		b.WriteString("/" + url.PathEscape(r.Name))
	}
	if r.Subresource != "" {
		b.WriteString("/" + r.Subresource)
	}
	return b.String()
}

// method maps an API verb to its HTTP method.
func (r *Request) method() (string, error) {
	switch r.Verb {
	case VerbGet, VerbList, VerbWatch:
		return http.MethodGet, nil
	case VerbCreate:
		return http.MethodPost, nil
	case VerbUpdate:
		return http.MethodPut, nil
	case VerbPatch:
		return http.MethodPatch, nil
	case VerbDelete, VerbDeleteCollection:
		return http.MethodDelete, nil
	}
	return "", fmt.Errorf("unknown API verb %q", r.Verb)
}

// Interface is what the typed clients need from the layer below: one call answered with a
// JSON body, or a stream (watch). *Client implements it over HTTP; clienttest in memory.
type Interface interface {
	Do(ctx context.Context, req *Request) ([]byte, error)
	Stream(ctx context.Context, req *Request) (io.ReadCloser, error)
}

// Client talks JSON to one API server. Build it once per process and share it.
type Client struct {
	base      *url.URL
	http      *http.Client
	userAgent string
	timeout   time.Duration
	retry     retryPolicy
}

// NewClient builds a Client for cfg. userAgent names the component and its version
// ("skiff-scheduler/v0.1"); the platform is appended the way kubectl does, so server logs
// and audit show who called.
func NewClient(cfg *Config, userAgent string) (*Client, error) {
	host := cfg.Host
	if host == "" {
		return nil, fmt.Errorf("rest config has no host")
	}
	if !strings.Contains(host, "://") {
		host = "https://" + host // kubectl's default scheme too
	}
	base, err := url.Parse(host)
	if err != nil {
		return nil, fmt.Errorf("parse server URL %q: %w", cfg.Host, err)
	}
	base.Path = strings.TrimSuffix(base.Path, "/")
	rt, err := newTransport(cfg)
	if err != nil {
		return nil, err
	}
	if userAgent == "" {
		userAgent = "skiff/v0.1"
	}
	maxRetries := cfg.MaxRetries
	switch {
	case maxRetries == 0:
		maxRetries = DefaultMaxRetries
	case maxRetries < 0:
		maxRetries = 0
	}
	return &Client{
		base:      base,
		http:      &http.Client{Transport: rt},
		userAgent: fmt.Sprintf("%s (%s/%s) skiff", userAgent, runtime.GOOS, runtime.GOARCH),
		timeout:   cfg.Timeout,
		retry:     retryPolicy{maxRetries: maxRetries, base: retryBaseDelay, max: retryMaxDelay},
	}, nil
}

// UserAgent returns the User-Agent header the client sends.
func (c *Client) UserAgent() string { return c.userAgent }

// Host returns the server's base URL.
func (c *Client) Host() string { return c.base.String() }

// Do performs a request and returns the body of a 2xx answer. Any other answer becomes a
// *metav1.Status error.
func (c *Client) Do(ctx context.Context, req *Request) ([]byte, error) {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	resp, err := c.send(ctx, req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: read response: %w", resp.Request.Method, resp.Request.URL.Path, err)
	}
	return body, nil
}

// Stream performs a request whose answer is read incrementally (a watch) and returns the
// open body; closing it, or cancelling ctx, ends the stream. No client timeout applies.
func (c *Client) Stream(ctx context.Context, req *Request) (io.ReadCloser, error) {
	resp, err := c.send(ctx, req)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// send performs the request, retrying transient failures, and returns a 2xx response with
// its body unread; a non-2xx answer is turned into an error here.
func (c *Client) send(ctx context.Context, req *Request) (*http.Response, error) {
	method, err := req.method()
	if err != nil {
		return nil, err
	}
	u := *c.base
	u.Path = c.base.Path + req.Path()
	q := url.Values{}
	for k, v := range req.Query {
		q[k] = v
	}
	if req.Verb == VerbWatch {
		q.Set("watch", "true")
	}
	u.RawQuery = q.Encode()

	for attempt := 0; ; attempt++ {
		var body io.Reader
		if req.Body != nil {
			body = bytes.NewReader(req.Body)
		}
		hreq, err := http.NewRequestWithContext(ctx, method, u.String(), body)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", method, u.Path, err)
		}
		hreq.Header.Set("Accept", "application/json")
		hreq.Header.Set("User-Agent", c.userAgent)
		if req.Body != nil {
			ct := req.ContentType
			if ct == "" {
				ct = "application/json"
			}
			hreq.Header.Set("Content-Type", ct)
		}

		resp, err := c.http.Do(hreq)
		if err == nil && resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return resp, nil
		}
		var status error
		if err == nil {
			data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			status = decodeError(resp.StatusCode, method, data)
		}
		wait, retry := c.retry.decide(attempt, method, resp, err)
		if !retry || ctx.Err() != nil {
			// A transport error is a *url.Error, which already names the method and URL.
			return nil, firstErr(err, status)
		}
		slog.Debug("retrying API request", "method", method, "path", u.Path, "attempt", attempt+1, "wait", wait, "err", firstErr(err, status))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, firstErr(err, status)
		case <-t.C:
		}
	}
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

package rest

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

func TestRequestPath(t *testing.T) {
	for _, tc := range []struct {
		req  Request
		want string
	}{
		{Request{Version: "v1", Resource: "pods", Namespace: "default", Name: "web-0"}, "/api/v1/namespaces/default/pods/web-0"},
		{Request{Version: "v1", Resource: "pods"}, "/api/v1/pods"},
		{Request{Version: "v1", Resource: "nodes", Name: "n1", Subresource: "status"}, "/api/v1/nodes/n1/status"},
		{Request{Version: "v1", Resource: "namespaces", Name: "kube-system", Subresource: "finalize"}, "/api/v1/namespaces/kube-system/finalize"},
		{Request{Group: "apps", Version: "v1", Resource: "deployments", Namespace: "ns", Name: "web", Subresource: "scale"}, "/apis/apps/v1/namespaces/ns/deployments/web/scale"},
		{Request{AbsPath: "/version"}, "/version"},
	} {
		if got := tc.req.Path(); got != tc.want {
			t.Errorf("Path() = %q, want %q", got, tc.want)
		}
	}
}

func newTestClient(t *testing.T, url string, mutate func(*Config)) *Client {
	t.Helper()
	cfg := &Config{Host: url, MaxRetries: 3}
	if mutate != nil {
		mutate(cfg)
	}
	c, err := NewClient(cfg, "skiff-test/v0.1")
	if err != nil {
		t.Fatal(err)
	}
	c.retry.base, c.retry.max = time.Millisecond, 5*time.Millisecond // keep tests fast
	return c
}

func TestDoDecodesStatusErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v1/namespaces/default/pods/missing":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(404)
			fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"missing\" not found","reason":"NotFound","details":{"name":"missing","kind":"pods"},"code":404}`)
		case "/api/v1/namespaces/default/pods/old":
			w.WriteHeader(409)
			fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Operation cannot be fulfilled on pods \"old\": the object has been modified","reason":"Conflict","code":409}`)
		case "/api/v1/pods":
			w.WriteHeader(410)
			fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 1 (5)","reason":"Expired","code":410}`)
		default:
			w.WriteHeader(403)
			fmt.Fprint(w, "proxy says no")
		}
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, nil)
	ctx := context.Background()

	_, err := c.Do(ctx, &Request{Verb: VerbGet, Version: "v1", Resource: "pods", Namespace: "default", Name: "missing"})
	if !IsNotFound(err) || err.Error() != `pods "missing" not found` {
		t.Errorf("404: err = %v, IsNotFound = %v", err, IsNotFound(err))
	}
	var st *metav1.Status
	if !errors.As(err, &st) || st.Details == nil || st.Details.Name != "missing" {
		t.Errorf("404 status details lost: %#v", st)
	}
	if !IsNotFound(fmt.Errorf("sync pod: %w", err)) {
		t.Error("IsNotFound must see through wrapping")
	}

	_, err = c.Do(ctx, &Request{Verb: VerbUpdate, Version: "v1", Resource: "pods", Namespace: "default", Name: "old", Body: []byte("{}")})
	if !IsConflict(err) || IsAlreadyExists(err) || ReasonOf(err) != "Conflict" {
		t.Errorf("409: err = %v", err)
	}

	_, err = c.Do(ctx, &Request{Verb: VerbList, Version: "v1", Resource: "pods"})
	if !IsGone(err) {
		t.Errorf("410: err = %v", err)
	}

	_, err = c.Do(ctx, &Request{Verb: VerbGet, Version: "v1", Resource: "nodes"})
	if !IsForbidden(err) || CodeOf(err) != 403 {
		t.Errorf("bare 403: err = %v", err)
	}
}

func TestGenericReasonsFollowTheCode(t *testing.T) {
	for code, is := range map[int]func(error) bool{
		404: IsNotFound, 409: IsConflict, 410: IsGone, 422: IsInvalid, 400: IsBadRequest,
		401: IsUnauthorized, 429: IsTooManyRequests, 500: IsInternalError,
		503: IsServiceUnavailable, 504: IsTimeout, 405: IsMethodNotAllowed,
	} {
		if err := decodeError(code, http.MethodPut, []byte("oops")); !is(err) {
			t.Errorf("code %d: %v not recognized", code, err)
		}
	}
	if err := decodeError(409, http.MethodPost, nil); !IsAlreadyExists(err) {
		t.Errorf("bare 409 on POST should read as AlreadyExists: %#v", err)
	}
	// A Status without a reason falls back on its code.
	if !IsNotFound(&metav1.Status{Code: 404}) || IsNotFound(&metav1.Status{Code: 404, Reason: "Gone"}) {
		t.Error("reason/code precedence is wrong")
	}
}

func TestConstructedErrors(t *testing.T) {
	if err := NewNotFound("apps", "deployments", "web"); err.Error() != `deployments.apps "web" not found` || !IsNotFound(err) {
		t.Errorf("NewNotFound = %v", err)
	}
	if err := NewAlreadyExists("", "pods", "p"); err.Error() != `pods "p" already exists` || !IsAlreadyExists(err) || IsConflict(err) {
		t.Errorf("NewAlreadyExists = %v", err)
	}
	if err := NewConflict("", "pods", "p", errors.New("the object has been modified")); !IsConflict(err) ||
		err.Error() != `Operation cannot be fulfilled on pods "p": the object has been modified` {
		t.Errorf("NewConflict = %v", err)
	}
	if !IsGone(NewResourceExpired("too old")) || !IsGone(NewGone("gone")) {
		t.Error("410s not recognized")
	}
	causes := []metav1.StatusCause{{Type: metav1.CauseTypeFieldValueRequired, Field: "spec.containers", Message: "Required value"}}
	if err := NewInvalid("", "Pod", "p", causes); !IsInvalid(err) || err.Error() != `Pod "p" is invalid: spec.containers: Required value` {
		t.Errorf("NewInvalid = %v", err)
	}
}

func TestRetriesIdempotentOn5xxButNotPost(t *testing.T) {
	var gets, posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			posts.Add(1)
			w.WriteHeader(500)
			return
		}
		if gets.Add(1) < 3 {
			w.WriteHeader(503)
			return
		}
		fmt.Fprint(w, `{"ok":true}`)
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, nil)

	body, err := c.Do(context.Background(), &Request{Verb: VerbGet, Version: "v1", Resource: "pods"})
	if err != nil || string(body) != `{"ok":true}` || gets.Load() != 3 {
		t.Fatalf("GET: body=%s err=%v attempts=%d", body, err, gets.Load())
	}
	_, err = c.Do(context.Background(), &Request{Verb: VerbCreate, Version: "v1", Resource: "pods", Body: []byte("{}")})
	if !IsInternalError(err) || posts.Load() != 1 {
		t.Fatalf("POST: err=%v attempts=%d, want exactly one attempt", err, posts.Load())
	}
}

func TestRetryPolicy(t *testing.T) {
	p := retryPolicy{maxRetries: 2, base: time.Millisecond, max: time.Second}
	resp := func(code int, retryAfter string) *http.Response {
		r := &http.Response{StatusCode: code, Header: http.Header{}}
		if retryAfter != "" {
			r.Header.Set("Retry-After", retryAfter)
		}
		return r
	}
	refused := &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}
	reset := &net.OpError{Op: "read", Err: syscall.ECONNRESET}
	for _, tc := range []struct {
		name    string
		attempt int
		method  string
		resp    *http.Response
		err     error
		retry   bool
		minWait time.Duration
	}{
		{"GET 503", 0, "GET", resp(503, ""), nil, true, 0},
		{"PUT 500", 1, "PUT", resp(500, ""), nil, true, 0},
		{"budget spent", 2, "GET", resp(503, ""), nil, false, 0},
		{"GET 501 is an answer", 0, "GET", resp(501, ""), nil, false, 0},
		{"POST 500 may have happened", 0, "POST", resp(500, ""), nil, false, 0},
		{"PATCH 503", 0, "PATCH", resp(503, ""), nil, false, 0},
		{"POST 429 was not processed", 0, "POST", resp(429, "2"), nil, true, 2 * time.Second},
		{"GET 404", 0, "GET", resp(404, ""), nil, false, 0},
		{"POST refused never sent", 0, "POST", nil, refused, true, 0},
		{"GET reset", 0, "GET", nil, reset, true, 0},
		{"POST reset may have been sent", 0, "POST", nil, reset, false, 0},
		{"DELETE EOF", 0, "DELETE", nil, io.EOF, true, 0},
		{"GET unknown error", 0, "GET", nil, errors.New("x509: bad certificate"), false, 0},
	} {
		wait, retry := p.decide(tc.attempt, tc.method, tc.resp, tc.err)
		if retry != tc.retry || wait < tc.minWait {
			t.Errorf("%s: retry=%v wait=%v, want retry=%v wait>=%v", tc.name, retry, wait, tc.retry, tc.minWait)
		}
	}
}

func TestRetriesConnectionRefusedThenGivesUp(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	c := newTestClient(t, "http://"+addr, nil)
	start := time.Now()
	_, err = c.Do(context.Background(), &Request{Verb: VerbCreate, Version: "v1", Resource: "pods", Body: []byte("{}")})
	if !isConnectionRefused(err) || !strings.Contains(err.Error(), `Post "http://`+addr+`/api/v1/pods"`) {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatal("retries took too long")
	}
}

func TestTLSHTTP2UserAgentAndToken(t *testing.T) {
	type seen struct{ proto, ua, auth string }
	got := make(chan seen, 1)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- seen{r.Proto, r.UserAgent(), r.Header.Get("Authorization")}
		fmt.Fprint(w, "{}")
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	c := newTestClient(t, srv.URL, func(cfg *Config) {
		cfg.CAData = caPEM
		cfg.BearerToken = "abc"
	})
	if _, err := c.Do(context.Background(), &Request{Verb: VerbGet, AbsPath: "/version"}); err != nil {
		t.Fatal(err)
	}
	s := <-got
	if s.proto != "HTTP/2.0" {
		t.Errorf("proto = %s, want HTTP/2.0", s.proto)
	}
	if !strings.HasPrefix(s.ua, "skiff-test/v0.1 (") {
		t.Errorf("User-Agent = %q", s.ua)
	}
	if s.auth != "Bearer abc" {
		t.Errorf("Authorization = %q", s.auth)
	}

	// Without the CA the server is not trusted.
	bad := newTestClient(t, srv.URL, func(cfg *Config) { cfg.MaxRetries = -1 })
	if _, err := bad.Do(context.Background(), &Request{Verb: VerbGet, AbsPath: "/version"}); err == nil {
		t.Fatal("want a certificate error without the CA")
	}
}

func TestStreamAndWatchQuery(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("watch") != "true" || r.URL.Query().Get("resourceVersion") != "7" {
			w.WriteHeader(400)
			return
		}
		fmt.Fprint(w, "line1\n")
		w.(http.Flusher).Flush()
		fmt.Fprint(w, "line2\n")
	}))
	defer srv.Close()
	c := newTestClient(t, srv.URL, nil)
	rc, err := c.Stream(context.Background(), &Request{Verb: VerbWatch, Version: "v1", Resource: "pods",
		Query: map[string][]string{"resourceVersion": {"7"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, _ := io.ReadAll(rc)
	if string(data) != "line1\nline2\n" {
		t.Errorf("stream = %q", data)
	}
}

package apiserver_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/skiff-k8s/skiff/testenv"
)

// client talks to one test apiserver over plain HTTP, as any client would.
type client struct {
	t   testing.TB
	env *testenv.Env
	hc  *http.Client
}

func start(t testing.TB, opts ...testenv.Option) *client {
	t.Helper()
	env := testenv.Start(t, opts...)
	return &client{t: t, env: env, hc: env.Client()}
}

// response is a finished request.
type response struct {
	code   int
	header http.Header
	body   []byte
}

// obj decodes the body as a JSON object.
func (r response) obj(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response is not a JSON object (%v): %s", err, r.body)
	}
	return m
}

// do sends a request; body may be a string, []byte or a value to marshal.
func (c *client) do(method, path string, body any, headers ...string) response {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.env.URL+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return response{code: resp.StatusCode, header: resp.Header, body: data}
}

// must sends a request and fails the test unless the status code is want.
func (c *client) must(want int, method, path string, body any, headers ...string) map[string]any {
	c.t.Helper()
	r := c.do(method, path, body, headers...)
	if r.code != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.code, want, r.body)
	}
	return r.obj(c.t)
}

// status sends a request that must fail with a Status of the given code, reason and
// message (message "" is not checked).
func (c *client) status(code int, reason, message, method, path string, body any, headers ...string) map[string]any {
	c.t.Helper()
	st := c.must(code, method, path, body, headers...)
	if st["kind"] != "Status" || st["apiVersion"] != "v1" || st["status"] != "Failure" {
		c.t.Fatalf("%s %s: not a Failure Status: %v", method, path, st)
	}
	if st["reason"] != reason {
		c.t.Fatalf("%s %s: reason %q, want %q (%v)", method, path, st["reason"], reason, st["message"])
	}
	if message != "" && st["message"] != message {
		c.t.Fatalf("%s %s: message\n  %q\nwant\n  %q", method, path, st["message"], message)
	}
	if int(st["code"].(float64)) != code {
		c.t.Fatalf("%s %s: Status code %v, want %d", method, path, st["code"], code)
	}
	return st
}

// get walks a decoded JSON value: get(obj, "metadata", "name").
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func str(v any, path ...any) string {
	s, _ := get(v, path...).(string)
	return s
}

func items(list map[string]any) []any {
	l, _ := list["items"].([]any)
	return l
}

func names(list map[string]any) []string {
	var out []string
	for _, it := range items(list) {
		out = append(out, str(it, "metadata", "name"))
	}
	return out
}

// watchStream is an open watch.
type watchStream struct {
	t      testing.TB
	resp   *http.Response
	events chan map[string]any
}

// watch opens a watch (path includes the query) and reads its events in the background.
func (c *client) watch(path string, headers ...string) *watchStream {
	c.t.Helper()
	req, err := http.NewRequest("GET", c.env.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		c.t.Fatalf("watch %s: status %d: %s", path, resp.StatusCode, b)
	}
	w := &watchStream{t: c.t, resp: resp, events: make(chan map[string]any, 1000)}
	go func() {
		defer close(w.events)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			var ev map[string]any
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				w.events <- map[string]any{"type": "DECODE-ERROR", "object": sc.Text()}
				return
			}
			w.events <- ev
		}
	}()
	c.t.Cleanup(w.close)
	return w
}

func (w *watchStream) close() { w.resp.Body.Close() }

// next returns the next event, failing after a few seconds.
func (w *watchStream) next() map[string]any {
	w.t.Helper()
	select {
	case ev, ok := <-w.events:
		if !ok {
			w.t.Fatal("watch ended")
		}
		return ev
	case <-time.After(5 * time.Second):
		w.t.Fatal("no watch event within 5s")
	}
	return nil
}

// expect reads the next event and checks its type and object name.
func (w *watchStream) expect(typ, name string) map[string]any {
	w.t.Helper()
	ev := w.next()
	if ev["type"] != typ || (name != "" && str(ev, "object", "metadata", "name") != name) {
		w.t.Fatalf("event %v %q, want %s %q: %v", ev["type"], str(ev, "object", "metadata", "name"), typ, name, ev)
	}
	return ev
}

// quiet checks that no event arrives for d.
func (w *watchStream) quiet(d time.Duration) {
	w.t.Helper()
	select {
	case ev, ok := <-w.events:
		if ok {
			w.t.Fatalf("unexpected event %v", ev)
		}
	case <-time.After(d):
	}
}

// ended waits for the stream to end.
func (w *watchStream) ended(d time.Duration) {
	w.t.Helper()
	deadline := time.After(d)
	for {
		select {
		case _, ok := <-w.events:
			if !ok {
				return
			}
		case <-deadline:
			w.t.Fatal("watch did not end")
		}
	}
}

func configMap(name string, data map[string]string) map[string]any {
	return map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": name},
		"data":     data,
	}
}

package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client/rest"
)

// widget is a stand-in kind so these tests do not depend on the real kinds.
type widget struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              struct {
		Size int `json:"size"`
	} `json:"spec"`
}

var widgetResource = NewResource[widget](ResourceInfo{Group: "example.com", Version: "v1", Resource: "widgets", Kind: "Widget", Namespaced: true})

func newWidgetClient(t *testing.T, h http.HandlerFunc) Interface[widget] {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	rc, err := rest.NewClient(&rest.Config{Host: srv.URL, MaxRetries: -1}, "client-test")
	if err != nil {
		t.Fatal(err)
	}
	return New(rc, widgetResource, "ns1")
}

func TestRegistry(t *testing.T) {
	for _, obj := range []any{widget{}, &widget{}} {
		if info, ok := ResourceInfoFor(obj); !ok || info.Resource != "widgets" {
			t.Errorf("ResourceInfoFor(%T) = %+v, %v", obj, info, ok)
		}
	}
	if info, ok := ResourceInfoForKind("example.com/v1", "Widget"); !ok || info.GroupResource() != "widgets.example.com" {
		t.Errorf("ResourceInfoForKind = %+v, %v", info, ok)
	}
}

func TestCRUDRequests(t *testing.T) {
	type call struct{ method, path, query, contentType, body string }
	calls := make(chan call, 10)
	c := newWidgetClient(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		calls <- call{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Type"), string(body)}
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/apis/example.com/v1/namespaces/ns1/widgets":
			fmt.Fprint(w, `{"kind":"WidgetList","apiVersion":"example.com/v1","metadata":{"resourceVersion":"42","continue":"abc"},
				"items":[{"metadata":{"name":"a","namespace":"ns1"},"spec":{"size":1}},{"metadata":{"name":"b","namespace":"ns1"},"spec":{"size":2}}]}`)
		case r.Method == http.MethodDelete:
			fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Success"}`)
		default:
			// Echo the object back with server-set fields, as the API server does.
			var obj widget
			_ = json.Unmarshal(body, &obj)
			if obj.Name == "" {
				obj.Name = "a"
			}
			obj.ResourceVersion = "43"
			json.NewEncoder(w).Encode(obj)
		}
	})
	ctx := context.Background()

	list, err := c.List(ctx, ListOptions{LabelSelector: "app=web", Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 2 || list.Items[1].Spec.Size != 2 || list.ResourceVersion != "42" || list.Continue != "abc" {
		t.Errorf("list = %+v", list)
	}
	if got := <-calls; got.query != "labelSelector=app%3Dweb&limit=500" {
		t.Errorf("list query = %q", got.query)
	}

	in := &widget{ObjectMeta: metav1.ObjectMeta{Name: "a", ResourceVersion: "42"}}
	out, err := c.Update(ctx, in)
	if err != nil || out.ResourceVersion != "43" {
		t.Fatalf("update = %+v, %v", out, err)
	}
	got := <-calls
	if got.method != "PUT" || got.path != "/apis/example.com/v1/namespaces/ns1/widgets/a" {
		t.Errorf("update went to %s %s", got.method, got.path)
	}
	var sent map[string]any
	_ = json.Unmarshal([]byte(got.body), &sent)
	if sent["kind"] != "Widget" || sent["apiVersion"] != "example.com/v1" {
		t.Errorf("body lacks kind/apiVersion: %s", got.body)
	}
	if in.Kind != "" || in.ResourceVersion != "42" {
		t.Error("Update modified the caller's object")
	}

	if _, err := c.UpdateStatus(ctx, in); err != nil {
		t.Fatal(err)
	}
	if got := <-calls; got.path != "/apis/example.com/v1/namespaces/ns1/widgets/a/status" {
		t.Errorf("update status went to %s", got.path)
	}

	if _, err := c.Patch(ctx, "a", MergePatchType, []byte(`{"spec":{"size":3}}`), "scale"); err != nil {
		t.Fatal(err)
	}
	if got := <-calls; got.method != "PATCH" || got.contentType != "application/merge-patch+json" || got.path != "/apis/example.com/v1/namespaces/ns1/widgets/a/scale" {
		t.Errorf("patch = %+v", got)
	}

	bg := metav1.DeletePropagationBackground
	if err := c.Delete(ctx, "a", metav1.DeleteOptions{PropagationPolicy: &bg}); err != nil {
		t.Fatal(err)
	}
	if got := <-calls; got.method != "DELETE" || got.body != `{"propagationPolicy":"Background"}` {
		t.Errorf("delete = %+v", got)
	}
	if err := c.DeleteCollection(ctx, metav1.DeleteOptions{}, ListOptions{LabelSelector: "x"}); err != nil {
		t.Fatal(err)
	}
	if got := <-calls; got.method != "DELETE" || got.path != "/apis/example.com/v1/namespaces/ns1/widgets" || got.query != "labelSelector=x" {
		t.Errorf("deletecollection = %+v", got)
	}
}

func TestGetNotFound(t *testing.T) {
	c := newWidgetClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(404)
		json.NewEncoder(w).Encode(rest.NewNotFound("example.com", "widgets", "x"))
	})
	_, err := c.Get(context.Background(), "x")
	if !rest.IsNotFound(err) || err.Error() != `widgets.example.com "x" not found` {
		t.Fatalf("err = %v", err)
	}
}

func TestWatchDecodesChunkedStream(t *testing.T) {
	release := make(chan struct{})
	c := newWidgetClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery != "allowWatchBookmarks=true&resourceVersion=10&watch=true" {
			t.Errorf("watch query = %q", r.URL.RawQuery)
		}
		w.Header().Set("Content-Type", "application/json")
		f := w.(http.Flusher)
		for _, line := range []string{
			`{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"11"},"spec":{"size":1}}}`,
			`{"type":"MODIFIED","object":{"metadata":{"name":"a","resourceVersion":"12"},"spec":{"size":2}}}`,
			`{"type":"BOOKMARK","object":{"kind":"Widget","metadata":{"resourceVersion":"15"}}}`,
			`{"type":"DELETED","object":{"metadata":{"name":"a","resourceVersion":"16"},"spec":{"size":2}}}`,
			`{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 10 (20)","reason":"Expired","code":410}}`,
		} {
			fmt.Fprintln(w, line)
			f.Flush() // each event is its own chunk, as the API server sends them
		}
		<-release
	})
	defer close(release)
	w, err := c.Watch(context.Background(), ListOptions{ResourceVersion: "10", AllowWatchBookmarks: true})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for i := 0; i < 5; i++ {
		ev := <-w.ResultChan()
		types = append(types, ev.Type)
		switch ev.Type {
		case metav1.WatchModified:
			if ev.Object.Spec.Size != 2 {
				t.Errorf("modified object = %+v", ev.Object)
			}
		case metav1.WatchBookmark:
			if ev.Object.ResourceVersion != "15" {
				t.Errorf("bookmark rv = %q", ev.Object.ResourceVersion)
			}
		case metav1.WatchError:
			if !rest.IsGone(ev.Status) {
				t.Errorf("error event = %+v", ev.Status)
			}
		}
	}
	if fmt.Sprint(types) != "[ADDED MODIFIED BOOKMARK DELETED ERROR]" {
		t.Errorf("types = %v", types)
	}
	// The server keeps the stream open; Stop must still end it and close the channel.
	w.Stop()
	select {
	case _, ok := <-w.ResultChan():
		if ok {
			t.Error("event after Stop")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("channel not closed after Stop")
	}
	w.Stop() // idempotent
}

func TestWatchEndsWhenServerCloses(t *testing.T) {
	c := newWidgetClient(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, `{"type":"ADDED","object":{"metadata":{"name":"a"}}}`)
	})
	w, err := c.Watch(context.Background(), ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ev := <-w.ResultChan(); ev.Type != metav1.WatchAdded {
		t.Fatalf("first event = %+v", ev)
	}
	if ev, ok := <-w.ResultChan(); ok {
		t.Fatalf("want closed channel, got %+v", ev)
	}
}

func TestWatchEndsWithContext(t *testing.T) {
	c := newWidgetClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(context.Background())
	w, err := c.Watch(ctx, ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case ev, ok := <-w.ResultChan():
		if ok {
			t.Fatalf("want a clean close, got %+v", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("watch did not end with its context")
	}
}

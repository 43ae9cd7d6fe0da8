package cache

import (
	"fmt"
	"slices"
	"testing"

	"github.com/skiff-k8s/skiff/api/labels"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client/rest"
)

func mkWidget(ns, name, node string, lbls map[string]string) *widget {
	return &widget{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: lbls}, Spec: widgetSpec{Node: node}}
}

// byNode indexes widgets like the scheduler indexes pods by spec.nodeName.
func byNode(w *widget) ([]string, error) {
	if w.Spec.Node == "" {
		return nil, nil
	}
	return []string{w.Spec.Node}, nil
}

func keysOf(objs []*widget) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.Namespace+"/"+o.Name)
	}
	slices.Sort(out)
	return out
}

func TestIndexer(t *testing.T) {
	s := NewIndexer(MetaNamespaceKeyFunc[widget], Indexers[widget]{"node": byNode})
	s.Add(mkWidget("a", "w1", "n1", nil))
	s.Add(mkWidget("a", "w2", "n1", nil))
	s.Add(mkWidget("b", "w3", "n2", nil))

	got, _ := s.ByIndex("node", "n1")
	if fmt.Sprint(keysOf(got)) != "[a/w1 a/w2]" {
		t.Errorf("node n1 = %v", keysOf(got))
	}
	// An update moves the object between index values.
	s.Update(mkWidget("a", "w2", "n2", nil))
	if keys, _ := s.IndexKeys("node", "n2"); fmt.Sprint(keys) != "[a/w2 b/w3]" {
		t.Errorf("node n2 after update = %v", keys)
	}
	if keys, _ := s.IndexKeys("node", "n1"); fmt.Sprint(keys) != "[a/w1]" {
		t.Errorf("node n1 after update = %v", keys)
	}
	s.Delete(mkWidget("a", "w1", "", nil))
	if keys, _ := s.IndexKeys("node", "n1"); len(keys) != 0 {
		t.Errorf("node n1 after delete = %v", keys)
	}
	if keys, _ := s.IndexKeys(NamespaceIndex, "a"); fmt.Sprint(keys) != "[a/w2]" {
		t.Errorf("namespace a = %v", keys)
	}
	if _, err := s.ByIndex("nope", "x"); err == nil {
		t.Error("unknown index must be an error")
	}
	// Indexes added later cover existing objects.
	if err := s.AddIndexers(Indexers[widget]{"name": func(w *widget) ([]string, error) { return []string{w.Name}, nil }}); err != nil {
		t.Fatal(err)
	}
	if keys, _ := s.IndexKeys("name", "w3"); fmt.Sprint(keys) != "[b/w3]" {
		t.Errorf("late index = %v", keys)
	}
	if err := s.AddIndexers(Indexers[widget]{"node": byNode}); err == nil {
		t.Error("duplicate index name must be an error")
	}
	s.Replace([]*widget{mkWidget("c", "w9", "n9", nil)})
	if fmt.Sprint(s.ListKeys()) != "[c/w9]" {
		t.Errorf("after Replace: %v", s.ListKeys())
	}
	if keys, _ := s.IndexKeys("node", "n2"); len(keys) != 0 {
		t.Errorf("Replace left stale index entries: %v", keys)
	}
}

func TestLister(t *testing.T) {
	s := NewIndexer(MetaNamespaceKeyFunc[widget], nil)
	s.Add(mkWidget("a", "web", "", map[string]string{"app": "web"}))
	s.Add(mkWidget("a", "db", "", map[string]string{"app": "db"}))
	s.Add(mkWidget("b", "web", "", map[string]string{"app": "web"}))
	l := NewLister(s, widgetResource.ResourceInfo)

	sel, err := labels.Parse("app=web")
	if err != nil {
		t.Fatal(err)
	}
	all, _ := l.List(sel)
	if fmt.Sprint(keysOf(all)) != "[a/web b/web]" {
		t.Errorf("List(app=web) = %v", keysOf(all))
	}
	inA, _ := l.ByNamespace("a").List(labels.Everything())
	if fmt.Sprint(keysOf(inA)) != "[a/db a/web]" {
		t.Errorf("ByNamespace(a) = %v", keysOf(inA))
	}
	if w, err := l.ByNamespace("b").Get("web"); err != nil || w.Namespace != "b" {
		t.Errorf("Get = %v, %v", w, err)
	}
	if _, err := l.ByNamespace("b").Get("db"); !rest.IsNotFound(err) {
		t.Errorf("missing: %v", err)
	}
}

func TestSplitMetaNamespaceKey(t *testing.T) {
	for key, want := range map[string]string{"ns/name": "ns|name", "name": "|name", "a/b/c": "error", "": "error", "ns/": "error"} {
		ns, name, err := SplitMetaNamespaceKey(key)
		got := ns + "|" + name
		if err != nil {
			got = "error"
		}
		if got != want {
			t.Errorf("%q: %s, want %s", key, got, want)
		}
	}
}

func TestDeletedObjectAndFilteringHandler(t *testing.T) {
	w := mkWidget("a", "x", "n1", nil)
	if got, ok := DeletedObject[widget](DeletedFinalStateUnknown[widget]{Key: "a/x", Obj: w}); !ok || got != w {
		t.Error("tombstone not unwrapped")
	}
	if _, ok := DeletedObject[widget]("junk"); ok {
		t.Error("junk accepted")
	}

	rec := &recorder{}
	h := FilteringResourceEventHandler[widget]{
		FilterFunc: func(w *widget) bool { return w.Spec.Node == "" }, // "unscheduled"
		Handler:    rec,
	}
	unscheduled := mkWidget("a", "x", "", nil)
	scheduled := mkWidget("a", "x", "n1", nil)
	h.OnAdd(unscheduled)
	h.OnUpdate(unscheduled, scheduled) // leaves the filter: a delete
	h.OnUpdate(scheduled, scheduled)   // outside: nothing
	h.OnUpdate(scheduled, unscheduled) // enters: an add
	h.OnDelete(DeletedFinalStateUnknown[widget]{Key: "a/x", Obj: scheduled})
	want := "add a/x 0; delete a/x; add a/x 0"
	if rec.String() != want {
		t.Errorf("got %q, want %q", rec, want)
	}
}

package clienttest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/rest"
)

// gadget is a stand-in kind with the shapes the fake must handle: a spec, a status, a list
// merged by key and a set of strings.
type gadget struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              gadgetSpec   `json:"spec,omitempty"`
	Status            gadgetStatus `json:"status,omitempty"`
}

type gadgetSpec struct {
	Replicas *int32                `json:"replicas,omitempty"`
	Selector *metav1.LabelSelector `json:"selector,omitempty"`
	Parts    []part                `json:"parts,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	Tags     []string              `json:"tags,omitempty" patchStrategy:"merge"`
	Notes    []string              `json:"notes,omitempty"`
	Node     string                `json:"node,omitempty"`
}

type part struct {
	Name  string `json:"name"`
	Size  int    `json:"size,omitempty"`
	Color string `json:"color,omitempty"`
}

type gadgetStatus struct {
	Replicas int32  `json:"replicas,omitempty"`
	Phase    string `json:"phase,omitempty"`
}

var gadgets = client.NewResource[gadget](client.ResourceInfo{Group: "example.com", Version: "v1", Resource: "gadgets", Kind: "Gadget", Namespaced: true})

func mkGadget(ns, name string, lbls map[string]string) *gadget {
	return &gadget{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: lbls}}
}

var ctx = context.Background()

func TestCreateGetUpdateWithConflicts(t *testing.T) {
	f := New()
	c := client.New(f, gadgets, "ns1")

	created, err := c.Create(ctx, &gadget{ObjectMeta: metav1.ObjectMeta{GenerateName: "g-"}, Spec: gadgetSpec{Node: "a"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(created.Name) != 7 || created.UID == "" || created.ResourceVersion != "1" || created.Generation != 1 ||
		created.Namespace != "ns1" || created.CreationTimestamp.IsZero() || created.Kind != "Gadget" {
		t.Errorf("created = %+v", created.ObjectMeta)
	}
	if _, err := c.Create(ctx, &gadget{ObjectMeta: metav1.ObjectMeta{Name: created.Name}}); !rest.IsAlreadyExists(err) {
		t.Errorf("duplicate create: %v", err)
	}

	// An update ignores status and bumps generation on a spec change.
	upd := copyOf(created)
	upd.Spec.Node = "b"
	upd.Status.Phase = "Sneaky"
	updated, err := c.Update(ctx, upd)
	if err != nil {
		t.Fatal(err)
	}
	if updated.Generation != 2 || updated.Status.Phase != "" || updated.ResourceVersion != "2" {
		t.Errorf("updated = gen %d phase %q rv %s", updated.Generation, updated.Status.Phase, updated.ResourceVersion)
	}
	// The stale copy now conflicts.
	if _, err := c.Update(ctx, upd); !rest.IsConflict(err) {
		t.Errorf("stale update: %v", err)
	}
	// UpdateStatus changes only status.
	st := copyOf(updated)
	st.Status.Phase = "Running"
	st.Spec.Node = "ignored"
	afterStatus, err := c.UpdateStatus(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if afterStatus.Status.Phase != "Running" || afterStatus.Spec.Node != "b" || afterStatus.Generation != 2 {
		t.Errorf("after status update: %+v", afterStatus)
	}
	if _, err := c.Get(ctx, "missing"); !rest.IsNotFound(err) || err.Error() != `gadgets.example.com "missing" not found` {
		t.Errorf("get missing: %v", err)
	}

	want := []string{
		"create gadgets.example.com ns1", "create gadgets.example.com ns1",
		"update gadgets.example.com ns1/" + created.Name, "update gadgets.example.com ns1/" + created.Name,
		"update gadgets.example.com/status ns1/" + created.Name, "get gadgets.example.com ns1/missing",
	}
	if got := fmt.Sprint(f.Actions()); got != fmt.Sprint(want) {
		t.Errorf("actions\n got %v\nwant %v", got, want)
	}
}

// copyOf is enough of a copy for these tests: they change only scalar fields.
func copyOf(g *gadget) *gadget {
	cp := *g
	return &cp
}

func TestListSelectorsAndPagination(t *testing.T) {
	f := New(
		mkGadget("a", "g1", map[string]string{"app": "web"}),
		mkGadget("a", "g2", map[string]string{"app": "db"}),
		mkGadget("b", "g3", map[string]string{"app": "web"}),
	)
	all := client.New(f, gadgets, "")
	list, err := all.List(ctx, client.ListOptions{LabelSelector: "app=web"})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 2 || list.Kind != "GadgetList" || list.ResourceVersion != "3" {
		t.Errorf("list = %d items kind %q rv %q", len(list.Items), list.Kind, list.ResourceVersion)
	}
	list, _ = all.List(ctx, client.ListOptions{FieldSelector: "metadata.namespace=a,metadata.name!=g1"})
	if len(list.Items) != 1 || list.Items[0].Name != "g2" {
		t.Errorf("field selector: %+v", list.Items)
	}
	page, _ := all.List(ctx, client.ListOptions{Limit: 2})
	if len(page.Items) != 2 || page.Continue == "" {
		t.Fatalf("page 1 = %d items, continue %q", len(page.Items), page.Continue)
	}
	page, _ = all.List(ctx, client.ListOptions{Limit: 2, Continue: page.Continue})
	if len(page.Items) != 1 || page.Continue != "" {
		t.Errorf("page 2 = %d items, continue %q", len(page.Items), page.Continue)
	}
	inA, _ := client.New(f, gadgets, "a").List(ctx, client.ListOptions{})
	if len(inA.Items) != 2 {
		t.Errorf("namespace a: %d", len(inA.Items))
	}
}

func TestDeleteWithPreconditionsAndFinalizers(t *testing.T) {
	g := mkGadget("a", "g", nil)
	g.Finalizers = []string{"example.com/cleanup"}
	f := New(g, mkGadget("a", "plain", nil))
	c := client.New(f, gadgets, "a")

	wrong := "nope"
	if err := c.Delete(ctx, "plain", metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &wrong}}); !rest.IsConflict(err) {
		t.Errorf("uid precondition: %v", err)
	}
	if err := c.Delete(ctx, "plain", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, "plain"); !rest.IsNotFound(err) {
		t.Errorf("deleted object still there: %v", err)
	}

	if err := c.Delete(ctx, "g", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	held, err := c.Get(ctx, "g")
	if err != nil || held.DeletionTimestamp == nil {
		t.Fatalf("finalized object: %+v, %v", held, err)
	}
	held.Finalizers = nil
	if _, err := c.Update(ctx, held); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, "g"); !rest.IsNotFound(err) {
		t.Errorf("object should be gone after its last finalizer: %v", err)
	}
}

func TestPatches(t *testing.T) {
	g := mkGadget("a", "g", map[string]string{"keep": "1", "drop": "1"})
	g.Spec.Parts = []part{{Name: "wheel", Size: 1}, {Name: "bell", Size: 2}}
	g.Spec.Tags = []string{"x"}
	g.Spec.Notes = []string{"n1"}
	f := New(g)
	c := client.New(f, gadgets, "a")

	out, err := c.Patch(ctx, "g", client.StrategicMergePatchType, []byte(`{
		"metadata":{"labels":{"drop":null,"new":"2"}},
		"spec":{
			"parts":[{"name":"wheel","color":"red"},{"name":"bell","$patch":"delete"},{"name":"horn","size":3}],
			"tags":["y"],
			"notes":["n2"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(out.Labels) != "map[keep:1 new:2]" {
		t.Errorf("labels = %v", out.Labels)
	}
	if fmt.Sprint(out.Spec.Parts) != "[{wheel 1 red} {horn 3 }]" {
		t.Errorf("parts merged by name = %v", out.Spec.Parts)
	}
	// A merged primitive list puts the patch's items first, as upstream's strategicpatch
	// does (finalizers ["x"] patched with ["y"] become ["y","x"] there too).
	if fmt.Sprint(out.Spec.Tags) != "[y x]" || fmt.Sprint(out.Spec.Notes) != "[n2]" {
		t.Errorf("tags (merge set) = %v, notes (replace) = %v", out.Spec.Tags, out.Spec.Notes)
	}

	out, err = c.Patch(ctx, "g", client.MergePatchType, []byte(`{"spec":{"parts":[{"name":"only"}]},"status":{"phase":"ignored"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Spec.Parts) != 1 || out.Status.Phase != "" {
		t.Errorf("merge patch: parts %v phase %q", out.Spec.Parts, out.Status.Phase)
	}
	out, err = c.Patch(ctx, "g", client.MergePatchType, []byte(`{"status":{"phase":"Ready"}}`), "status")
	if err != nil || out.Status.Phase != "Ready" {
		t.Errorf("status patch: %v %v", out.Status.Phase, err)
	}

	out, err = c.Patch(ctx, "g", client.JSONPatchType, []byte(`[
		{"op":"test","path":"/spec/parts/0/name","value":"only"},
		{"op":"add","path":"/spec/parts/-","value":{"name":"two"}},
		{"op":"add","path":"/spec/node","value":"n9"},
		{"op":"replace","path":"/spec/node","value":"n9"},
		{"op":"remove","path":"/metadata/labels/keep"}]`))
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Spec.Parts) != 2 || out.Spec.Node != "n9" || out.Labels["keep"] != "" {
		t.Errorf("json patch: %+v", out)
	}
	if _, err := c.Patch(ctx, "g", client.JSONPatchType, []byte(`[{"op":"test","path":"/spec/node","value":"other"}]`)); !rest.IsInvalid(err) {
		t.Errorf("failed test op: %v", err)
	}
	// A patch carrying a stale resourceVersion conflicts.
	if _, err := c.Patch(ctx, "g", client.MergePatchType, []byte(`{"metadata":{"resourceVersion":"1"}}`)); !rest.IsConflict(err) {
		t.Errorf("stale patch: %v", err)
	}
}

func TestScaleSubresource(t *testing.T) {
	three := int32(3)
	g := mkGadget("a", "g", nil)
	g.Spec.Replicas = &three
	g.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "g"}}
	g.Status.Replicas = 2
	f := New(g)
	r := &rawCaller{f: f}
	scale := r.call(t, &rest.Request{Verb: rest.VerbGet, Group: "example.com", Version: "v1", Resource: "gadgets", Namespace: "a", Name: "g", Subresource: "scale"})
	if scale != `{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"creationTimestamp":`+mustField(t, f, "creationTimestamp")+`,"name":"g","namespace":"a","resourceVersion":"1","uid":"`+mustUID(t, f)+`"},"spec":{"replicas":3},"status":{"replicas":2,"selector":"app=g"}}` {
		t.Errorf("scale = %s", scale)
	}
	r.call(t, &rest.Request{Verb: rest.VerbUpdate, Group: "example.com", Version: "v1", Resource: "gadgets", Namespace: "a", Name: "g", Subresource: "scale",
		Body: []byte(`{"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":"g"},"spec":{"replicas":5}}`)})
	got, _ := client.New(f, gadgets, "a").Get(ctx, "g")
	if *got.Spec.Replicas != 5 || got.Generation != 2 {
		t.Errorf("after scale: replicas %d generation %d", *got.Spec.Replicas, got.Generation)
	}
}

type rawCaller struct{ f *Fake }

func (r *rawCaller) call(t *testing.T, req *rest.Request) string {
	t.Helper()
	body, err := r.f.Do(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

func mustUID(t *testing.T, f *Fake) string {
	g, err := client.New(f, gadgets, "a").Get(ctx, "g")
	if err != nil {
		t.Fatal(err)
	}
	return g.UID
}

func mustField(t *testing.T, f *Fake, _ string) string {
	g, err := client.New(f, gadgets, "a").Get(ctx, "g")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := g.CreationTimestamp.MarshalJSON()
	return string(raw)
}

func TestReactorsAndWrites(t *testing.T) {
	f := New(mkGadget("a", "g", nil))
	boom := rest.NewInternalError(errors.New("etcd is down"))
	f.PrependReactor("update", "gadgets", func(a Action) (bool, any, error) {
		return true, nil, boom
	})
	f.PrependReactor("get", "*", func(a Action) (bool, any, error) {
		if a.Name == "virtual" {
			return true, mkGadget("a", "virtual", nil), nil
		}
		return false, nil, nil
	})
	c := client.New(f, gadgets, "a")
	if g, err := c.Get(ctx, "virtual"); err != nil || g.Name != "virtual" {
		t.Errorf("reactor get: %v %v", g, err)
	}
	g, _ := c.Get(ctx, "g")
	if _, err := c.Update(ctx, g); !rest.IsInternalError(err) {
		t.Errorf("reactor error: %v", err)
	}
	writes := Writes(f.Actions())
	if len(writes) != 1 || !writes[0].Matches("update", "gadgets") {
		t.Fatalf("writes = %v", writes)
	}
	sent, err := ActionObject[gadget](writes[0])
	if err != nil || sent.Name != "g" {
		t.Errorf("ActionObject = %v, %v", sent, err)
	}
	f.ClearActions()
	if len(f.Actions()) != 0 {
		t.Error("ClearActions")
	}
}

func TestWatchReplaysHistoryAndFollowsSelectors(t *testing.T) {
	f := New(mkGadget("a", "g1", map[string]string{"app": "web"}))
	c := client.New(f, gadgets, "a")

	// From resourceVersion 1: only what happened after it.
	w, err := c.Watch(ctx, client.ListOptions{ResourceVersion: "1", LabelSelector: "app=web"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	c.Create(ctx, mkGadget("a", "g2", map[string]string{"app": "web"}))
	c.Create(ctx, mkGadget("a", "other", map[string]string{"app": "db"})) // not selected
	g1, _ := c.Get(ctx, "g1")
	g1.Labels = map[string]string{"app": "db"} // leaves the selection: DELETED for this watch
	c.Update(ctx, g1)
	c.Delete(ctx, "g2", metav1.DeleteOptions{})

	var got []string
	for len(got) < 3 {
		select {
		case ev := <-w.ResultChan():
			got = append(got, ev.Type+" "+ev.Object.Name)
		case <-time.After(5 * time.Second):
			t.Fatalf("timed out; got %v", got)
		}
	}
	if fmt.Sprint(got) != "[ADDED g2 DELETED g1 DELETED g2]" {
		t.Errorf("events = %v", got)
	}

	// Without a resourceVersion, the watch starts with the current state.
	w2, _ := c.Watch(ctx, client.ListOptions{})
	defer w2.Stop()
	names := map[string]bool{}
	for len(names) < 2 {
		select {
		case ev := <-w2.ResultChan():
			if ev.Type != metav1.WatchAdded {
				t.Fatalf("synthetic event %s", ev.Type)
			}
			names[ev.Object.Name] = true
		case <-time.After(5 * time.Second):
			t.Fatalf("timed out; got %v", names)
		}
	}
	if !names["g1"] || !names["other"] {
		t.Errorf("initial state = %v", names)
	}
	w2.Stop()
	for range w2.ResultChan() {
	}
}

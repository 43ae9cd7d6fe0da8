package clienttest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"

	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/rest"
)

// Action is one API call made against the fake.
type Action struct {
	Verb        string // rest.VerbGet, VerbList, VerbCreate ...
	Group       string
	Version     string
	Resource    string
	Namespace   string
	Name        string
	Subresource string
	Query       url.Values
	Body        []byte
	// PatchType is the Content-Type of a patch.
	PatchType string
}

// String renders the action compactly for test failure messages and comparisons:
// "create pods/binding default/web-0", "list deployments.apps", "update replicasets.apps/status ns/rs".
func (a Action) String() string {
	res := a.Resource
	if a.Group != "" {
		res += "." + a.Group
	}
	if a.Subresource != "" {
		res += "/" + a.Subresource
	}
	s := a.Verb + " " + res
	if key := joinKey(a.Namespace, a.Name); key != "" {
		s += " " + key
	}
	return s
}

// Matches reports whether the action is verb on resource. resource may carry a
// subresource ("pods/binding"); "*" matches anything.
func (a Action) Matches(verb, resource string) bool {
	if verb != "*" && verb != a.Verb {
		return false
	}
	if resource == "*" || resource == a.Resource {
		return true
	}
	return a.Subresource != "" && resource == a.Resource+"/"+a.Subresource
}

// ActionObject decodes the body the action sent (the object created, updated, ...).
func ActionObject[T any](a Action) (*T, error) {
	if a.Body == nil {
		return nil, fmt.Errorf("%s carried no body", a)
	}
	out := new(T)
	if err := json.Unmarshal(a.Body, out); err != nil {
		return nil, fmt.Errorf("decode body of %s: %w", a, err)
	}
	return out, nil
}

// Writes keeps only the actions that change state (drops get, list and watch): what
// controller tests usually compare.
func Writes(actions []Action) []Action {
	var out []Action
	for _, a := range actions {
		switch a.Verb {
		case rest.VerbGet, rest.VerbList, rest.VerbWatch:
		default:
			out = append(out, a)
		}
	}
	return out
}

// Reactor may answer an action before the fake API does. It returns handled=false to let
// the next reactor (and finally the fake API) see the action; otherwise ret (an object,
// marshalled to JSON, may be nil) or err is the answer.
type Reactor func(a Action) (handled bool, ret any, err error)

type reactorEntry struct {
	verb, resource string
	fn             Reactor
}

// Fake is the in-memory API. It implements rest.Interface; pass it to client.New or
// client.NewClientset. Safe for concurrent use.
type Fake struct {
	mu       sync.Mutex
	store    *tracker
	actions  []Action
	reactors []reactorEntry
}

// New returns a fake API holding objects (pointers to kinds declared with
// client.NewResource). It panics on an object it cannot store: a broken fixture.
func New(objects ...any) *Fake {
	f := &Fake{store: newTracker()}
	for _, obj := range objects {
		if err := f.Add(obj); err != nil {
			panic(fmt.Sprintf("clienttest.New: %v", err))
		}
	}
	return f
}

// Add stores obj directly, without recording an action (fixture setup).
func (f *Fake) Add(obj any) error {
	info, ok := client.ResourceInfoFor(obj)
	if !ok {
		return fmt.Errorf("%T is not a declared kind (client.NewResource)", obj)
	}
	raw, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.store.add(info, m)
}

// PrependReactor puts a reactor first in line for actions matching verb and resource
// ("*" for any; "pods" also matches pods' subresources, "pods/binding" only those).
func (f *Fake) PrependReactor(verb, resource string, fn Reactor) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reactors = append([]reactorEntry{{verb, resource, fn}}, f.reactors...)
}

// Actions returns the calls made so far, in order.
func (f *Fake) Actions() []Action {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Action(nil), f.actions...)
}

// ClearActions forgets the calls made so far (e.g. after fixture setup through the API).
func (f *Fake) ClearActions() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.actions = nil
}

// record logs the action and asks the reactors; the caller holds no lock.
func (f *Fake) record(req *rest.Request) (Action, bool, []byte, error) {
	a := Action{
		Verb: req.Verb, Group: req.Group, Version: req.Version, Resource: req.Resource,
		Namespace: req.Namespace, Name: req.Name, Subresource: req.Subresource,
		Query: req.Query, Body: req.Body,
	}
	if req.Verb == rest.VerbPatch {
		a.PatchType = req.ContentType
	}
	f.mu.Lock()
	f.actions = append(f.actions, a)
	reactors := append([]reactorEntry(nil), f.reactors...)
	f.mu.Unlock()

	for _, r := range reactors {
		if !a.Matches(r.verb, r.resource) {
			continue
		}
		handled, ret, err := r.fn(a)
		if !handled {
			continue
		}
		if err != nil {
			return a, true, nil, err
		}
		if ret == nil {
			return a, true, []byte("{}"), nil
		}
		body, err := json.Marshal(ret)
		return a, true, body, err
	}
	return a, false, nil, nil
}

// Do serves one call from memory.
func (f *Fake) Do(ctx context.Context, req *rest.Request) ([]byte, error) {
	if req.AbsPath != "" {
		return nil, fmt.Errorf("clienttest: %s is not implemented (only resource requests are)", req.AbsPath)
	}
	_, handled, body, err := f.record(req)
	if handled {
		return body, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.store.serve(req)
}

// Stream serves a watch from memory: history after the requested resourceVersion, then
// live changes, until ctx ends or the reader is closed.
func (f *Fake) Stream(ctx context.Context, req *rest.Request) (io.ReadCloser, error) {
	if req.Verb != rest.VerbWatch {
		return nil, fmt.Errorf("clienttest: streaming %s is not implemented", req.Verb)
	}
	_, handled, _, err := f.record(req)
	if handled {
		if err == nil {
			err = fmt.Errorf("clienttest: a reactor for watch must return an error")
		}
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.store.watch(ctx, req)
}

func joinKey(ns, name string) string {
	switch {
	case ns == "":
		return name
	case name == "":
		return ns
	}
	return ns + "/" + name
}

// resourceKey identifies a resource regardless of version.
func resourceKey(group, resource string) string {
	return strings.TrimSuffix(resource+"."+group, ".")
}

// Clientset returns the real typed clients over this fake.
func (f *Fake) Clientset() *client.Clientset { return client.NewClientset(f) }

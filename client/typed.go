package client

import (
	"context"
	"encoding/json"
	"fmt"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client/rest"
)

// typed is the one implementation of Interface[T]: it fills in a rest.Request and converts
// JSON to and from T.
type typed[T any] struct {
	rest      rest.Interface
	res       ResourceInfo
	namespace string
}

// New returns the typed client of resource res in namespace ns over r. For cluster-scoped
// resources ns must be ""; for namespaced ones "" means all namespaces (list and watch only).
func New[T any](r rest.Interface, res Resource[T], ns string) Interface[T] {
	if !res.Namespaced {
		ns = ""
	}
	return &typed[T]{rest: r, res: res.ResourceInfo, namespace: ns}
}

// request starts a Request for this resource.
func (c *typed[T]) request(verb, name, subresource string) *rest.Request {
	return &rest.Request{
		Verb: verb, Group: c.res.Group, Version: c.res.Version, Resource: c.res.Resource,
		Namespace: c.namespace, Name: name, Subresource: subresource,
	}
}

// do performs req and decodes the answer into a fresh T.
func (c *typed[T]) do(ctx context.Context, req *rest.Request) (*T, error) {
	body, err := c.rest.Do(ctx, req)
	if err != nil {
		return nil, err
	}
	out := new(T)
	if err := json.Unmarshal(body, out); err != nil {
		return nil, fmt.Errorf("decode %s %s: %w", req.Verb, c.res.GroupResource(), err)
	}
	return out, nil
}

func (c *typed[T]) Get(ctx context.Context, name string) (*T, error) {
	return c.do(ctx, c.request(rest.VerbGet, name, ""))
}

func (c *typed[T]) List(ctx context.Context, opts ListOptions) (*List[T], error) {
	req := c.request(rest.VerbList, "", "")
	req.Query = opts.query()
	body, err := c.rest.Do(ctx, req)
	if err != nil {
		return nil, err
	}
	out := &List[T]{}
	if err := json.Unmarshal(body, out); err != nil {
		return nil, fmt.Errorf("decode %s list: %w", c.res.GroupResource(), err)
	}
	return out, nil
}

func (c *typed[T]) Create(ctx context.Context, obj *T) (*T, error) {
	body, err := encodeObject(obj, c.res)
	if err != nil {
		return nil, err
	}
	req := c.request(rest.VerbCreate, "", "")
	req.Body = body
	return c.do(ctx, req)
}

func (c *typed[T]) Update(ctx context.Context, obj *T) (*T, error) {
	return c.update(ctx, obj, "")
}

func (c *typed[T]) UpdateStatus(ctx context.Context, obj *T) (*T, error) {
	return c.update(ctx, obj, "status")
}

func (c *typed[T]) update(ctx context.Context, obj *T, subresource string) (*T, error) {
	m, err := objectMeta(obj)
	if err != nil {
		return nil, err
	}
	if m.Name == "" {
		return nil, fmt.Errorf("update %s: object has no name", c.res.GroupResource())
	}
	body, err := encodeObject(obj, c.res)
	if err != nil {
		return nil, err
	}
	req := c.request(rest.VerbUpdate, m.Name, subresource)
	req.Body = body
	return c.do(ctx, req)
}

func (c *typed[T]) Patch(ctx context.Context, name string, pt PatchType, data []byte, subresources ...string) (*T, error) {
	if len(subresources) > 1 {
		return nil, fmt.Errorf("patch %s %s: at most one subresource, got %q", c.res.GroupResource(), name, subresources)
	}
	sub := ""
	if len(subresources) == 1 {
		sub = subresources[0]
	}
	req := c.request(rest.VerbPatch, name, sub)
	req.Body, req.ContentType = data, string(pt)
	return c.do(ctx, req)
}

func (c *typed[T]) Delete(ctx context.Context, name string, opts metav1.DeleteOptions) error {
	req := c.request(rest.VerbDelete, name, "")
	body, err := json.Marshal(opts)
	if err != nil {
		return err
	}
	req.Body = body
	_, err = c.rest.Do(ctx, req)
	return err
}

func (c *typed[T]) DeleteCollection(ctx context.Context, opts metav1.DeleteOptions, listOpts ListOptions) error {
	req := c.request(rest.VerbDeleteCollection, "", "")
	req.Query = listOpts.query()
	body, err := json.Marshal(opts)
	if err != nil {
		return err
	}
	req.Body = body
	_, err = c.rest.Do(ctx, req)
	return err
}

func (c *typed[T]) Watch(ctx context.Context, opts ListOptions) (Watcher[T], error) {
	req := c.request(rest.VerbWatch, "", "")
	req.Query = opts.query()
	ctx, cancel := context.WithCancel(ctx)
	stream, err := c.rest.Stream(ctx, req)
	if err != nil {
		cancel()
		return nil, err
	}
	return newStreamWatcher[T](stream, cancel), nil
}

// objectMeta reaches the ObjectMeta of any kind (kinds embed metav1.TypeMeta and
// metav1.ObjectMeta, which makes *T a metav1.Object).
func objectMeta(obj any) (*metav1.ObjectMeta, error) {
	o, ok := obj.(metav1.Object)
	if !ok {
		return nil, fmt.Errorf("%T is not an API object (it must embed metav1.TypeMeta and metav1.ObjectMeta)", obj)
	}
	return o.GetObjectMeta(), nil
}

// encodeObject marshals obj with kind and apiVersion filled in (objects from listers and
// from list items usually lack them, and the server wants them in bodies) without touching
// the caller's object: only a shallow copy's TypeMeta is set.
func encodeObject[T any](obj *T, res ResourceInfo) ([]byte, error) {
	if obj == nil {
		return nil, fmt.Errorf("encode %s: nil object", res.GroupResource())
	}
	cp := *obj
	if o, ok := any(&cp).(metav1.Object); ok {
		tm := o.GetTypeMeta()
		if tm.Kind == "" {
			tm.Kind = res.Kind
		}
		if tm.APIVersion == "" {
			tm.APIVersion = res.APIVersion()
		}
	}
	return json.Marshal(&cp)
}

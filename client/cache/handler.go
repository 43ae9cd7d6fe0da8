package cache

import (
	"sync"
)

// ResourceEventHandler is told about changes to the objects of an informer. Handlers should
// be quick: the usual one turns the object into a key and adds it to a work queue.
//
// The objects are shared with the cache: never modify them.
type ResourceEventHandler[T any] interface {
	// OnAdd is called for an object seen for the first time (initial list included).
	OnAdd(obj *T)
	// OnUpdate is called for a change, and at every resync with old == new (same
	// resourceVersion): handlers that only care about real changes compare versions.
	OnUpdate(oldObj, newObj *T)
	// OnDelete receives the deleted *T, or a DeletedFinalStateUnknown[T] when the deletion
	// happened while the watch was down and only a relist revealed it.
	OnDelete(obj any)
}

// DeletedFinalStateUnknown is what OnDelete receives for an object that disappeared
// between two lists: the informer never saw its final state, only the last one it had.
type DeletedFinalStateUnknown[T any] struct {
	Key string
	Obj *T
}

// DeletedObject unwraps what OnDelete received: the object, or the last known state inside
// a tombstone. ok is false for anything else.
func DeletedObject[T any](obj any) (out *T, ok bool) {
	switch o := obj.(type) {
	case *T:
		return o, o != nil
	case DeletedFinalStateUnknown[T]:
		return o.Obj, o.Obj != nil
	case *DeletedFinalStateUnknown[T]:
		return o.Obj, o != nil && o.Obj != nil
	}
	return nil, false
}

// ResourceEventHandlerFuncs adapts plain functions to ResourceEventHandler; nil ones are
// skipped.
type ResourceEventHandlerFuncs[T any] struct {
	AddFunc    func(obj *T)
	UpdateFunc func(oldObj, newObj *T)
	DeleteFunc func(obj any)
}

func (f ResourceEventHandlerFuncs[T]) OnAdd(obj *T) {
	if f.AddFunc != nil {
		f.AddFunc(obj)
	}
}

func (f ResourceEventHandlerFuncs[T]) OnUpdate(oldObj, newObj *T) {
	if f.UpdateFunc != nil {
		f.UpdateFunc(oldObj, newObj)
	}
}

func (f ResourceEventHandlerFuncs[T]) OnDelete(obj any) {
	if f.DeleteFunc != nil {
		f.DeleteFunc(obj)
	}
}

// FilteringResourceEventHandler shows Handler only the objects FilterFunc accepts. An
// update that makes an object pass is an add; one that makes it fail is a delete. (The
// scheduler watches unscheduled pods this way: binding a pod "deletes" it from its view.)
type FilteringResourceEventHandler[T any] struct {
	FilterFunc func(obj *T) bool
	Handler    ResourceEventHandler[T]
}

func (f FilteringResourceEventHandler[T]) OnAdd(obj *T) {
	if f.FilterFunc(obj) {
		f.Handler.OnAdd(obj)
	}
}

func (f FilteringResourceEventHandler[T]) OnUpdate(oldObj, newObj *T) {
	was, is := f.FilterFunc(oldObj), f.FilterFunc(newObj)
	switch {
	case was && is:
		f.Handler.OnUpdate(oldObj, newObj)
	case !was && is:
		f.Handler.OnAdd(newObj)
	case was && !is:
		f.Handler.OnDelete(newObj)
	}
}

func (f FilteringResourceEventHandler[T]) OnDelete(obj any) {
	if o, ok := DeletedObject[T](obj); ok && f.FilterFunc(o) {
		f.Handler.OnDelete(obj)
	}
}

// notification is one call waiting to be made on a handler.
type notification[T any] struct {
	kind     int // notifyAdd, notifyUpdate, notifyDelete
	old, new *T
	deleted  any
	// initial marks the adds that make up the handler's initial view (for HasSynced).
	initial bool
}

const (
	notifyAdd = iota
	notifyUpdate
	notifyDelete
)

// listener feeds one handler from its own goroutine. Its buffer is unbounded: the informer
// must never block on a slow handler (that would stall the watch and every other handler),
// and a bounded buffer would have to drop events, which handlers cannot tolerate.
type listener[T any] struct {
	handler ResourceEventHandler[T]
	resync  bool

	mu      sync.Mutex
	cond    *sync.Cond
	pending []notification[T]
	// initialLeft counts initial adds not yet delivered.
	initialLeft int
	stopped     bool
	// informerSynced reports whether the informer's initial list is complete.
	informerSynced func() bool
}

func newListener[T any](h ResourceEventHandler[T], informerSynced func() bool) *listener[T] {
	l := &listener[T]{handler: h, informerSynced: informerSynced}
	l.cond = sync.NewCond(&l.mu)
	return l
}

// enqueue buffers a notification; it never blocks.
func (l *listener[T]) enqueue(n notification[T]) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopped {
		return
	}
	if n.initial {
		l.initialLeft++
	}
	l.pending = append(l.pending, n)
	l.cond.Signal()
}

// run delivers notifications in order until stop.
func (l *listener[T]) run() {
	for {
		l.mu.Lock()
		for len(l.pending) == 0 && !l.stopped {
			l.cond.Wait()
		}
		if l.stopped {
			l.mu.Unlock()
			return
		}
		n := l.pending[0]
		l.pending[0] = notification[T]{}
		l.pending = l.pending[1:]
		l.mu.Unlock()

		switch n.kind {
		case notifyAdd:
			l.handler.OnAdd(n.new)
		case notifyUpdate:
			l.handler.OnUpdate(n.old, n.new)
		case notifyDelete:
			l.handler.OnDelete(n.deleted)
		}

		if n.initial {
			l.mu.Lock()
			l.initialLeft--
			l.mu.Unlock()
		}
	}
}

func (l *listener[T]) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopped = true
	l.cond.Broadcast()
}

// HasSynced reports that the informer has synced and this handler has been told about
// every object of the initial state.
func (l *listener[T]) HasSynced() bool {
	if !l.informerSynced() {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.initialLeft == 0
}

// Registration is returned by AddEventHandler.
type Registration interface {
	// HasSynced reports that the handler has seen the complete initial state: controllers
	// wait for it before starting workers, so they never act on a partial view.
	HasSynced() bool
}

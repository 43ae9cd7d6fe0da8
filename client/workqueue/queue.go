package workqueue

import "sync"

// Interface is what a controller's workers use; Queue, DelayingQueue and RateLimitingQueue
// all provide it.
type Interface[T comparable] interface {
	Add(item T)
	Len() int
	Get() (item T, shutdown bool)
	Done(item T)
	ShutDown()
	ShutDownWithDrain()
	ShuttingDown() bool
}

// Queue is the basic work queue; see the package comment for its guarantees.
type Queue[T comparable] struct {
	// cond guards every field below and wakes workers blocked in Get (Signal on a new item)
	// and ShutDownWithDrain (Broadcast when processing empties).
	cond *sync.Cond

	// queue is the FIFO order of items ready to be handed out. Every item in it is also in
	// dirty, and none of them is in processing.
	queue []T
	// dirty holds every item that needs processing: those in queue, plus those added again
	// while being processed (they wait here until Done moves them back into queue).
	dirty map[T]struct{}
	// processing holds items handed out by Get and not yet Done.
	processing map[T]struct{}

	shuttingDown bool
	// draining makes Done wake ShutDownWithDrain when the last item finishes.
	draining bool
}

// New returns an empty queue.
func New[T comparable]() *Queue[T] {
	return &Queue[T]{
		cond:       sync.NewCond(&sync.Mutex{}),
		dirty:      map[T]struct{}{},
		processing: map[T]struct{}{},
	}
}

// Add marks item as needing processing. It is a no-op if the item is already waiting, or
// after ShutDown.
func (q *Queue[T]) Add(item T) {
	q.cond.L.Lock()
	defer q.cond.L.Unlock()
	if q.shuttingDown {
		return
	}
	if _, ok := q.dirty[item]; ok {
		return
	}
	q.dirty[item] = struct{}{}
	if _, ok := q.processing[item]; ok {
		return // Done will queue it; queueing now would let a second worker take it
	}
	q.queue = append(q.queue, item)
	q.cond.Signal()
}

// Len is the number of items ready to be handed out (not those being processed).
func (q *Queue[T]) Len() int {
	q.cond.L.Lock()
	defer q.cond.L.Unlock()
	return len(q.queue)
}

// Get blocks until an item is ready and hands it out, marking it processing. shutdown is
// true (and item the zero value) once the queue is shut down and empty.
func (q *Queue[T]) Get() (item T, shutdown bool) {
	q.cond.L.Lock()
	defer q.cond.L.Unlock()
	for len(q.queue) == 0 && !q.shuttingDown {
		q.cond.Wait()
	}
	if len(q.queue) == 0 {
		return item, true
	}
	item = q.queue[0]
	var zero T
	q.queue[0] = zero // let the garbage collector have what the item references
	q.queue = q.queue[1:]
	q.processing[item] = struct{}{}
	delete(q.dirty, item)
	return item, false
}

// Done marks item as processed. If it was added again meanwhile, it goes back into the
// queue now.
func (q *Queue[T]) Done(item T) {
	q.cond.L.Lock()
	defer q.cond.L.Unlock()
	delete(q.processing, item)
	if _, ok := q.dirty[item]; ok {
		q.queue = append(q.queue, item)
		q.cond.Signal()
	} else if len(q.processing) == 0 && q.draining {
		q.cond.Broadcast()
	}
}

// ShutDown stops accepting items; workers drain what is already queued, then Get reports
// shutdown.
func (q *Queue[T]) ShutDown() {
	q.cond.L.Lock()
	defer q.cond.L.Unlock()
	q.shuttingDown = true
	q.cond.Broadcast()
}

// ShutDownWithDrain is ShutDown, then waits until every item handed out is Done. Workers
// must keep running (and calling Done) or this blocks forever.
func (q *Queue[T]) ShutDownWithDrain() {
	q.cond.L.Lock()
	defer q.cond.L.Unlock()
	q.shuttingDown = true
	q.draining = true
	q.cond.Broadcast()
	for len(q.processing) > 0 || len(q.queue) > 0 {
		q.cond.Wait()
	}
}

// ShuttingDown reports whether ShutDown was called.
func (q *Queue[T]) ShuttingDown() bool {
	q.cond.L.Lock()
	defer q.cond.L.Unlock()
	return q.shuttingDown
}

package workqueue

import (
	"container/heap"
	"sync"
	"time"
)

// DelayingQueue is a Queue whose items can also be added after a delay: a controller
// re-checks an object later ("requeue after 30s") without a worker sleeping on it.
type DelayingQueue[T comparable] struct {
	*Queue[T]

	mu sync.Mutex
	// waiting holds delayed items ordered by ready time; index finds an item's entry so
	// that adding it again with an earlier time moves it up instead of duplicating it.
	waiting waitHeap[T]
	index   map[T]*waitEntry[T]
	// wake interrupts the loop's sleep when an item earlier than all others arrives.
	wake    chan struct{}
	stop    chan struct{}
	stopped sync.Once
	now     func() time.Time
}

// NewDelaying returns an empty delaying queue and starts its timer goroutine, which ends
// at ShutDown.
func NewDelaying[T comparable]() *DelayingQueue[T] {
	q := &DelayingQueue[T]{
		Queue: New[T](),
		index: map[T]*waitEntry[T]{},
		wake:  make(chan struct{}, 1),
		stop:  make(chan struct{}),
		now:   time.Now,
	}
	go q.loop()
	return q
}

// AddAfter adds item once delay has passed (at once if delay <= 0). If the item is already
// waiting, the earlier of the two times wins.
func (q *DelayingQueue[T]) AddAfter(item T, delay time.Duration) {
	if q.ShuttingDown() {
		return
	}
	if delay <= 0 {
		q.Add(item)
		return
	}
	readyAt := q.now().Add(delay)
	q.mu.Lock()
	if e, ok := q.index[item]; ok {
		if readyAt.Before(e.readyAt) {
			e.readyAt = readyAt
			heap.Fix(&q.waiting, e.pos)
		}
	} else {
		e := &waitEntry[T]{item: item, readyAt: readyAt}
		q.index[item] = e
		heap.Push(&q.waiting, e)
	}
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default: // a wake-up is already pending; the loop will look at the heap anyway
	}
}

// ShutDown stops the timer goroutine (items still waiting are dropped) and shuts the queue.
func (q *DelayingQueue[T]) ShutDown() {
	q.stopped.Do(func() { close(q.stop) })
	q.Queue.ShutDown()
}

// ShutDownWithDrain stops the timer goroutine and drains the queue.
func (q *DelayingQueue[T]) ShutDownWithDrain() {
	q.stopped.Do(func() { close(q.stop) })
	q.Queue.ShutDownWithDrain()
}

// loop moves items whose time has come into the queue, sleeping until the next one.
func (q *DelayingQueue[T]) loop() {
	// A long idle sleep bounds how long a missed wake-up could go unnoticed.
	const idle = 10 * time.Second
	timer := time.NewTimer(idle)
	defer timer.Stop()
	for {
		next := q.releaseReady()
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(next)
		select {
		case <-q.stop:
			return
		case <-q.wake:
		case <-timer.C:
		}
	}
}

// releaseReady adds every item that is due and returns how long to sleep until the next.
func (q *DelayingQueue[T]) releaseReady() time.Duration {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.now()
	for q.waiting.Len() > 0 {
		e := q.waiting[0]
		if e.readyAt.After(now) {
			return e.readyAt.Sub(now)
		}
		heap.Pop(&q.waiting)
		delete(q.index, e.item)
		q.Add(e.item)
	}
	return 10 * time.Second
}

// waitEntry is one delayed item.
type waitEntry[T any] struct {
	item    T
	readyAt time.Time
	pos     int // index in the heap, maintained by Swap
}

// waitHeap is a min-heap of entries by ready time (container/heap's interface).
type waitHeap[T any] []*waitEntry[T]

func (h waitHeap[T]) Len() int           { return len(h) }
func (h waitHeap[T]) Less(i, j int) bool { return h[i].readyAt.Before(h[j].readyAt) }
func (h waitHeap[T]) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].pos, h[j].pos = i, j
}
func (h *waitHeap[T]) Push(x any) {
	e := x.(*waitEntry[T])
	e.pos = len(*h)
	*h = append(*h, e)
}
func (h *waitHeap[T]) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}

package workqueue

import (
	"math"
	"sync"
	"time"
)

// RateLimiter decides how long an item waits before its next attempt.
type RateLimiter[T comparable] interface {
	// When returns the delay before item's next attempt and counts the attempt.
	When(item T) time.Duration
	// Forget clears item's history: its next failure starts from the smallest delay.
	Forget(item T)
	// NumRequeues is how many times item has been rate-limited since it was last forgotten.
	NumRequeues(item T) int
}

// DefaultControllerRateLimiter is upstream's default for controllers: per-item exponential
// backoff from 5 ms to 1000 s, and never more than 10 retries per second overall (bursts of
// 100), whichever delay is longer.
func DefaultControllerRateLimiter[T comparable]() RateLimiter[T] {
	return MaxOf[T](
		NewItemExponentialFailureRateLimiter[T](5*time.Millisecond, 1000*time.Second),
		NewBucketRateLimiter[T](10, 100),
	)
}

// ItemExponentialFailureRateLimiter doubles an item's delay with each consecutive failure:
// base, 2*base, 4*base ... up to max. One broken object backs off on its own without
// slowing the others.
type ItemExponentialFailureRateLimiter[T comparable] struct {
	mu        sync.Mutex
	failures  map[T]int
	base, max time.Duration
}

func NewItemExponentialFailureRateLimiter[T comparable](base, max time.Duration) *ItemExponentialFailureRateLimiter[T] {
	return &ItemExponentialFailureRateLimiter[T]{failures: map[T]int{}, base: base, max: max}
}

func (r *ItemExponentialFailureRateLimiter[T]) When(item T) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	exp := r.failures[item]
	r.failures[item] = exp + 1
	// Computed in floating point: 2^exp overflows an int64 of nanoseconds long before a
	// persistent failure stops counting.
	d := float64(r.base.Nanoseconds()) * math.Pow(2, float64(exp))
	if d > float64(r.max.Nanoseconds()) {
		return r.max
	}
	return time.Duration(d)
}

func (r *ItemExponentialFailureRateLimiter[T]) Forget(item T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.failures, item)
}

func (r *ItemExponentialFailureRateLimiter[T]) NumRequeues(item T) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failures[item]
}

// BucketRateLimiter is a token bucket shared by all items: it holds up to burst tokens and
// gains qps per second; each When takes one, and when the bucket is empty the delay is the
// time until the token it reserved arrives. It protects the API server when many objects
// fail at once (all of them retrying at 5 ms would be a stampede).
type BucketRateLimiter[T comparable] struct {
	mu     sync.Mutex
	qps    float64
	burst  float64
	tokens float64 // may go negative: reservations for future tokens
	last   time.Time
	now    func() time.Time
}

func NewBucketRateLimiter[T comparable](qps float64, burst int) *BucketRateLimiter[T] {
	return &BucketRateLimiter[T]{qps: qps, burst: float64(burst), tokens: float64(burst), now: time.Now}
}

func (r *BucketRateLimiter[T]) When(T) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	if !r.last.IsZero() {
		r.tokens = math.Min(r.burst, r.tokens+now.Sub(r.last).Seconds()*r.qps)
	}
	r.last = now
	r.tokens--
	if r.tokens >= 0 {
		return 0
	}
	return time.Duration(-r.tokens / r.qps * float64(time.Second))
}

// Forget does nothing: the bucket tracks no item.
func (r *BucketRateLimiter[T]) Forget(T) {}

// NumRequeues is always 0: the bucket tracks no item.
func (r *BucketRateLimiter[T]) NumRequeues(T) int { return 0 }

// maxOf combines limiters: the longest delay wins.
type maxOf[T comparable] []RateLimiter[T]

// MaxOf returns a limiter whose delay is the longest of its parts'.
func MaxOf[T comparable](limiters ...RateLimiter[T]) RateLimiter[T] {
	return maxOf[T](limiters)
}

func (m maxOf[T]) When(item T) time.Duration {
	var d time.Duration
	for _, l := range m {
		d = max(d, l.When(item))
	}
	return d
}

func (m maxOf[T]) Forget(item T) {
	for _, l := range m {
		l.Forget(item)
	}
}

func (m maxOf[T]) NumRequeues(item T) int {
	n := 0
	for _, l := range m {
		n = max(n, l.NumRequeues(item))
	}
	return n
}

// RateLimitingQueue is what controllers use: a delaying queue whose AddRateLimited delay
// comes from a RateLimiter.
type RateLimitingQueue[T comparable] struct {
	*DelayingQueue[T]
	limiter RateLimiter[T]
}

// NewRateLimiting returns a rate-limited queue; pass DefaultControllerRateLimiter unless
// there is a reason not to.
func NewRateLimiting[T comparable](limiter RateLimiter[T]) *RateLimitingQueue[T] {
	return &RateLimitingQueue[T]{DelayingQueue: NewDelaying[T](), limiter: limiter}
}

// AddRateLimited re-adds item after its rate-limited delay: call it when a sync failed.
func (q *RateLimitingQueue[T]) AddRateLimited(item T) {
	q.AddAfter(item, q.limiter.When(item))
}

// Forget resets item's backoff: call it when a sync succeeded. It does not remove the item
// from the queue.
func (q *RateLimitingQueue[T]) Forget(item T) { q.limiter.Forget(item) }

// NumRequeues is how many times item failed since it was last forgotten; controllers give
// up (drop the key and log) after a number of retries.
func (q *RateLimitingQueue[T]) NumRequeues(item T) int { return q.limiter.NumRequeues(item) }

// Package workqueue holds the queues controllers feed with object keys ("ns/name") from
// their event handlers and drain with worker goroutines.
//
// Guarantees of Queue (and of the delaying and rate-limited queues built on it):
//
//   - Fair: items are handed out in the order they were first added (FIFO).
//   - Deduplicated: adding an item that is already waiting does nothing, so a burst of
//     events for one object costs one sync, not one per event.
//   - Never processed concurrently: between Get and Done an item is "processing"; no other
//     worker can Get it meanwhile, however many workers run. This is what lets a controller
//     sync an object without locking it.
//   - Never lost: an item added while it is being processed is remembered (dirty) and queued
//     again when the worker calls Done, so a change that raced with a sync is synced again.
//   - Shutdown drains: after ShutDown no new item is accepted, workers still receive the
//     items already waiting, and only then does Get report shutdown. ShutDownWithDrain
//     additionally waits until every item handed out has been marked Done.
//
// Every item obtained from Get must be passed to Done exactly once, error or not.
//
// The delaying queue adds AddAfter (an item becomes ready after a delay); the rate-limited
// queue adds AddRateLimited, whose delay grows per item with each consecutive failure
// (5 ms doubling to 1000 s) and is also bounded overall by a token bucket (10 per second,
// bursts of 100), the same defaults as upstream's controller rate limiter. Forget resets an
// item's failure count after a successful sync.
package workqueue

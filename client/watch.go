package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// streamWatcher decodes a watch response: a stream of JSON objects
// {"type":"ADDED","object":{...}}, one per chunk, until the server ends it.
type streamWatcher[T any] struct {
	result chan Event[T]
	stream io.ReadCloser
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

// newStreamWatcher starts decoding stream; cancel aborts the request behind it.
func newStreamWatcher[T any](stream io.ReadCloser, cancel context.CancelFunc) *streamWatcher[T] {
	w := &streamWatcher[T]{
		// Unbuffered: the consumer's pace is the stream's pace, and nothing decoded is lost
		// in a buffer when the watch stops.
		result: make(chan Event[T]),
		stream: stream,
		cancel: cancel,
		done:   make(chan struct{}),
	}
	go w.receive()
	return w
}

// NewWatcherFromStream decodes a watch stream from any reader (a fake server, a recorded
// session). Closing the returned watcher closes stream.
func NewWatcherFromStream[T any](stream io.ReadCloser) Watcher[T] {
	return newStreamWatcher[T](stream, func() {})
}

func (w *streamWatcher[T]) ResultChan() <-chan Event[T] { return w.result }

func (w *streamWatcher[T]) Stop() {
	w.once.Do(func() {
		close(w.done)
		w.cancel()
		w.stream.Close()
	})
}

// stopped reports whether Stop was called: errors after that are our own doing.
func (w *streamWatcher[T]) stopped() bool {
	select {
	case <-w.done:
		return true
	default:
		return false
	}
}

func (w *streamWatcher[T]) receive() {
	defer close(w.result)
	defer w.Stop()
	dec := json.NewDecoder(w.stream)
	for {
		var raw metav1.WatchEvent
		if err := dec.Decode(&raw); err != nil {
			if w.stopped() || errors.Is(err, io.EOF) || errors.Is(err, context.Canceled) {
				return // a clean end: the server closed the stream or we stopped it
			}
			// Anything else (connection reset, garbage) ends this watch too; tell the
			// consumer so it resumes from its last resourceVersion instead of waiting.
			slog.Debug("watch stream ended", "err", err)
			w.send(Event[T]{Type: metav1.WatchError, Status: &metav1.Status{
				Status: metav1.StatusFailure, Code: http.StatusInternalServerError,
				Reason:  metav1.StatusReasonInternalError,
				Message: fmt.Sprintf("unable to decode an event from the watch stream: %v", err),
			}})
			return
		}
		ev, err := decodeEvent[T](raw)
		if err != nil {
			w.send(Event[T]{Type: metav1.WatchError, Status: &metav1.Status{
				Status: metav1.StatusFailure, Code: http.StatusInternalServerError,
				Reason: metav1.StatusReasonInternalError, Message: err.Error(),
			}})
			return
		}
		if !w.send(ev) {
			return
		}
	}
}

// send delivers one event unless the watch is stopped meanwhile.
func (w *streamWatcher[T]) send(ev Event[T]) bool {
	select {
	case w.result <- ev:
		return true
	case <-w.done:
		return false
	}
}

// decodeEvent turns a wire event into a typed one.
func decodeEvent[T any](raw metav1.WatchEvent) (Event[T], error) {
	switch raw.Type {
	case metav1.WatchAdded, metav1.WatchModified, metav1.WatchDeleted, metav1.WatchBookmark:
		obj := new(T)
		if err := json.Unmarshal(raw.Object, obj); err != nil {
			return Event[T]{}, fmt.Errorf("decode %s watch event: %w", raw.Type, err)
		}
		return Event[T]{Type: raw.Type, Object: obj}, nil
	case metav1.WatchError:
		st := &metav1.Status{}
		if err := json.Unmarshal(raw.Object, st); err != nil {
			return Event[T]{}, fmt.Errorf("decode ERROR watch event: %w", err)
		}
		return Event[T]{Type: raw.Type, Status: st}, nil
	}
	return Event[T]{}, fmt.Errorf("unknown watch event type %q", raw.Type)
}

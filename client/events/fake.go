package events

import "fmt"

// FakeRecorder is the EventRecorder for controller unit tests: each event becomes a string
// "<type> <reason> <message>" on the Events channel, e.g.
// "Normal Scheduled Successfully assigned default/web-0 to node-1".
type FakeRecorder struct {
	// Events receives the recorded events. Recording blocks when it is full, as upstream's
	// fake does, so size the buffer for the test (or drain it).
	Events chan string
}

// NewFakeRecorder returns a FakeRecorder with room for bufferSize events.
func NewFakeRecorder(bufferSize int) *FakeRecorder {
	return &FakeRecorder{Events: make(chan string, bufferSize)}
}

func (f *FakeRecorder) Event(obj any, eventtype, reason, message string) {
	if f.Events != nil {
		f.Events <- eventtype + " " + reason + " " + message
	}
}

func (f *FakeRecorder) Eventf(obj any, eventtype, reason, messageFmt string, args ...any) {
	f.Event(obj, eventtype, reason, fmt.Sprintf(messageFmt, args...))
}
